"""The canonical contract: what a model declares and what every channel sends and gets back.

Single requests and results are pydantic models. Batches are columnar (:class:`ColumnBatch`,
:class:`BatchResult`): numpy arrays in the model's feature order, never one object per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoregate.core.errors import FieldViolation

#: A feature value as a channel decodes it: a number, an integer, a category code, or missing.
FeatureValue = float | int | str | None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FeatureKind(StrEnum):
    NUMBER = "number"
    INTEGER = "integer"
    CATEGORY = "category"


class FeatureSpec(_Frozen):
    """One feature of a model's schema."""

    name: str
    kind: FeatureKind
    minimum: float | None = None
    """Smallest valid value (inclusive); None for no lower bound."""
    maximum: float | None = None
    """Largest valid value (inclusive); None for no upper bound."""
    nullable: bool = False
    """Whether the feature may be missing (XGBoost routes missing values down a learned branch)."""
    codes: tuple[str, ...] = ()
    """Category codes, in the order of their index in the model's matrix."""
    reason_code: str = ""
    """The legacy reason code reported when this feature drives the score up."""
    description: str = ""
    unit: str = ""
    """What one unit of the value is (years, months, currency, percent, ratio, count, flag): a hint
    for whoever maps a legacy field onto the feature, never used in scoring."""

    @model_validator(mode="after")
    def _check(self) -> FeatureSpec:
        if self.kind is FeatureKind.CATEGORY and not self.codes:
            raise ValueError(f"category feature {self.name!r} declares no codes")
        if self.kind is not FeatureKind.CATEGORY and self.codes:
            raise ValueError(f"only category features have codes ({self.name!r})")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"feature {self.name!r}: minimum > maximum")
        return self


class FeatureSchema(_Frozen):
    """The features a model takes, in its matrix column order."""

    features: tuple[FeatureSpec, ...]

    @model_validator(mode="after")
    def _unique(self) -> FeatureSchema:
        names = [f.name for f in self.features]
        if len(set(names)) != len(names):
            raise ValueError("feature names must be unique")
        return self

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    @cached_property
    def _hash(self) -> int:
        return hash(self.features)

    def __hash__(self) -> int:
        # Validation caches its plans per schema, looked up on every request: hashing every
        # feature spec each time cost about 8 us a call.
        return self._hash

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names)}

    def index(self, name: str) -> int:
        """Column of a feature; raises ValueError for a name the schema does not have."""
        try:
            return self._positions[name]
        except KeyError:
            raise ValueError(f"{name!r} is not a feature of this schema") from None

    def __contains__(self, name: object) -> bool:
        return name in self._positions


class DecisionBand(_Frozen):
    """A decision for probabilities below ``upper`` (the last band also takes ``upper`` itself)."""

    name: str
    upper: float = Field(gt=0.0, le=1.0)


class FeatureDistribution(_Frozen):
    """Training distribution of one feature, for drift monitoring.

    Numbers: ``edges`` are the inner bin edges (len(proportions) - 1 of them); categories: one
    proportion per code. ``missing`` is the share of missing values.
    """

    edges: tuple[float, ...] = ()
    proportions: tuple[float, ...]
    missing: float = 0.0


class HoldoutMetrics(_Frozen):
    rows: int
    auc: float
    precision: float
    recall: float
    f1: float
    threshold: float
    """The probability at which precision, recall and F1 were computed."""


class ModelMetadata(_Frozen):
    """The file ``metadata.json`` beside a booster: everything the core needs besides the trees."""

    name: str
    version: str
    description: str = ""
    feature_schema: FeatureSchema
    bands: tuple[DecisionBand, ...]
    contributions: Literal["exact", "approx"] = "approx"
    """How reason codes are computed: exact TreeSHAP (ms per row) or Saabas approximation (us)."""
    runtime: str = "xgboost"
    """What runs the model file beside this metadata: a name registered in ``core/runtime``."""
    metrics: HoldoutMetrics | None = None
    distributions: dict[str, FeatureDistribution] = {}
    training: dict[str, str | int | float] = {}
    """How the artifact was made (seed, rows, xgboost version, parameters)."""

    @model_validator(mode="after")
    def _bands(self) -> ModelMetadata:
        uppers = [b.upper for b in self.bands]
        if not uppers or uppers != sorted(uppers) or len(set(uppers)) != len(uppers):
            raise ValueError("decision bands must be non-empty with strictly increasing uppers")
        if uppers[-1] != 1.0:
            raise ValueError("the last decision band must end at 1.0")
        return self


class CallerRef(_Frozen):
    reference: str = ""
    """The caller's own reference: application number, record number, correlation id."""
    channel: str = ""
    """The channel the request came through: soap, amqp, files, grpc."""


class ScoreRequest(_Frozen):
    request_id: str
    model: str
    version: str | None = None
    """A pinned version; None for the model's default (alias or highest)."""
    features: dict[str, FeatureValue]
    caller: CallerRef = CallerRef()
    deadline: datetime | None = None
    """Absolute time after which the caller no longer waits (timezone-aware)."""
    reason_count: int = Field(default=0, ge=0, le=32)
    reason_bands: tuple[str, ...] = ()
    """Reason codes only when the decision is one of these bands (adverse decisions, say); empty:
    for every decision."""


class ReasonCode(_Frozen):
    feature: str
    code: str
    contribution: float


class ScoreResult(_Frozen):
    request_id: str
    model: str
    version: str
    probability: float
    decision: str
    reasons: tuple[ReasonCode, ...] = ()
    core_micros: int = 0
    """Time spent inside the core for this request."""
    fallback: bool = False
    """Scored by the gateway's fallback model because the core was unavailable."""


@dataclass(frozen=True)
class ColumnBatch:
    """Rows to score as one float64 matrix in the model's feature order.

    Missing values are NaN; a category is the index of its code in ``FeatureSpec.codes``.
    """

    feature_names: tuple[str, ...]
    matrix: np.ndarray
    row_ids: tuple[str, ...] = ()
    """The caller's reference per row (application numbers, record keys); may be empty."""
    request_ids: tuple[str, ...] = ()
    """The gateway's request id per row when rows are separate requests (AMQP's batched
    messages); kept in the gateway for its audit, not sent to the core. May be empty."""

    def __post_init__(self) -> None:
        if self.matrix.ndim != 2 or self.matrix.shape[1] != len(self.feature_names):
            raise ValueError(
                f"matrix shape {self.matrix.shape} does not match {len(self.feature_names)} features"
            )
        if self.row_ids and len(self.row_ids) != self.matrix.shape[0]:
            raise ValueError("row_ids must have one id per row")
        if self.request_ids and len(self.request_ids) != self.matrix.shape[0]:
            raise ValueError("request_ids must have one id per row")

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])


#: decision index of a rejected row in BatchResult.decisions
REJECTED = 255


@dataclass(frozen=True)
class BatchResult:
    """Columnar scores for a :class:`ColumnBatch`; rejected rows have NaN and ``REJECTED``."""

    model: str
    version: str
    probabilities: np.ndarray
    decisions: np.ndarray
    band_names: tuple[str, ...]
    reason_features: np.ndarray
    """rows x reason_count feature indexes (-1: no reason in that slot)."""
    reason_contributions: np.ndarray
    feature_names: tuple[str, ...]
    reason_codes: tuple[str, ...]
    """Legacy reason code per feature index."""
    rejects: dict[int, tuple[FieldViolation, ...]] = field(default_factory=dict)
    core_micros: int = 0
    fallback: bool = False
    """Scored by the gateway's fallback model because the core was unavailable."""

    @property
    def rows(self) -> int:
        return int(self.probabilities.shape[0])

    def decision(self, row: int) -> str | None:
        index = int(self.decisions[row])
        return None if index == REJECTED else self.band_names[index]

    def reasons(self, row: int) -> tuple[ReasonCode, ...]:
        out = []
        for idx, contribution in zip(self.reason_features[row], self.reason_contributions[row]):
            if idx < 0:
                break
            out.append(
                ReasonCode(
                    feature=self.feature_names[idx],
                    code=self.reason_codes[idx],
                    contribution=float(contribution),
                )
            )
        return tuple(out)



class ModelDescription(_Frozen):
    """What a client learns of a served model version (``DescribeModel``)."""

    name: str
    version: str
    feature_schema: FeatureSchema
    bands: tuple[DecisionBand, ...]
    contributions: Literal["exact", "approx"] = "approx"
    is_default: bool = False
    description: str = ""
    metrics: HoldoutMetrics | None = None
    """The version's holdout metrics, when its metadata has them."""
