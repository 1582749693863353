"""Declarative mapping between a legacy message and the canonical contract, for every format.

A channel's codec flattens its legacy message into ``{path: raw value}`` (an XML element path
``Applicant/Income``, a JSON path ``applicant.income``, a fixed-width field name ``APP-INCOME``).
:class:`RequestMapping` turns that into a canonical request; :class:`ResponseMapping` turns a
canonical result or error into ``{path: value}`` that the codec writes back. A new legacy contract
is configuration, never code.

Errors found here name the legacy path (the caller's own field name); the model's feature schema
is checked later, once, by the core.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoregate.core.contract import CallerRef, FeatureValue, ScoreRequest, ScoreResult
from scoregate.core.errors import ErrorKind, FieldViolation, InvalidInput, ScoreError, ViolationCode

DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d")
_TRUE = {"1", "y", "yes", "true", "t"}
_FALSE = {"0", "n", "no", "false", "f"}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FeatureMap(_Strict):
    """Where one canonical feature comes from, and how its raw value is read."""

    feature: str
    """Canonical feature name (the model's)."""
    source: str | None = None
    """Path in the legacy message; None for a feature that always takes ``default``."""
    type: Literal["number", "integer", "text", "boolean", "date"] = "number"
    """How the raw value is read; a text value may then go through ``codes``."""
    scale: float = 1.0
    """Multiplier for numbers (e.g. 0.01 for amounts sent in cents)."""
    codes: dict[str, FeatureValue] | None = None
    """Legacy code -> canonical value (a category code or a number); unknown codes are rejected."""
    default: FeatureValue = None
    """Used when the source is absent or blank; None means missing."""
    missing: tuple[float | str, ...] = ()
    """Raw values that mean "not reported" (e.g. -1 in a fixed-width numeric field): missing."""
    age: Literal["years", "months"] | None = None
    """For dates: the feature is the age in whole years or months at the request date."""
    date_format: str | None = None
    """strptime format of a text date; by default ISO (2024-01-31) or 20240131."""

    @model_validator(mode="after")
    def _check(self) -> FeatureMap:
        if self.type == "date" and self.age is None:
            raise ValueError(f"{self.feature}: a date feature needs 'age: years' or 'age: months'")
        if self.source is None and self.default is None:
            raise ValueError(f"{self.feature}: needs a source or a default")
        return self


def _violation(path: str, code: ViolationCode, message: str) -> FieldViolation:
    return FieldViolation(field=path, code=code, message=message)


def _parse_date(raw: Any, fmt: str | None) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for candidate in (fmt,) if fmt else DATE_FORMATS:
        try:
            return datetime.strptime(text, candidate).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def _age(born: date, today: date, unit: str) -> int:
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    return months // 12 if unit == "years" else months


def _read(spec: FeatureMap, raw: Any, today: date) -> FeatureValue:
    """One raw value -> its canonical value; raises ValueError with a caller-fit message."""
    if spec.type == "date":
        return _age(_parse_date(raw, spec.date_format), today, spec.age or "years")
    if spec.type == "boolean":
        text = str(raw).strip().lower()
        if text in _TRUE or raw is True:
            return 1
        if text in _FALSE or raw is False:
            return 0
        raise ValueError(f"not a yes/no value: {raw!r}")
    if spec.codes is not None or spec.type == "text":
        key = str(raw).strip()
        if spec.codes is None:
            return key
        if key not in spec.codes:
            raise LookupError(f"unknown code {key!r}; allowed: {', '.join(spec.codes)}")
        return spec.codes[key]
    if isinstance(raw, bool):
        raise ValueError(f"must be a {spec.type}")
    number = float(raw.strip()) if isinstance(raw, str) else float(raw)
    if math.isnan(number):
        raise ValueError("must be a number")
    if spec.type == "integer":
        if not number.is_integer():
            raise ValueError("must be a whole number")
        return int(number * spec.scale) if spec.scale != 1.0 else int(number)
    return number * spec.scale


def _is_sentinel(raw: Any, sentinels: tuple[float | str, ...]) -> bool:
    if isinstance(raw, str) and raw.strip() in {str(s) for s in sentinels}:
        return True
    try:
        return float(raw) in {float(s) for s in sentinels if not isinstance(s, str)}
    except (TypeError, ValueError):
        return False


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


class RequestMapping(_Strict):
    """Legacy message values -> one canonical score request."""

    model: str
    version: str | None = None
    """Pin a model version; None for the model's default."""
    reason_count: int = Field(default=0, ge=0, le=32)
    reference: str | None = None
    """Path of the caller's own reference (application number, record key)."""
    features: tuple[FeatureMap, ...]

    def decode(
        self,
        values: Mapping[str, Any],
        *,
        request_id: str,
        channel: str,
        today: date | None = None,
        deadline: datetime | None = None,
    ) -> ScoreRequest:
        """Raises InvalidInput naming the legacy paths of every value that cannot be read."""
        today = today or datetime.now(UTC).date()
        features: dict[str, FeatureValue] = {}
        violations: list[FieldViolation] = []
        for spec in self.features:
            raw = values.get(spec.source) if spec.source else None
            if _blank(raw):
                features[spec.feature] = spec.default
                continue
            if spec.missing and _is_sentinel(raw, spec.missing):
                features[spec.feature] = None
                continue
            try:
                features[spec.feature] = _read(spec, raw, today)
            except LookupError as exc:
                violations.append(_violation(spec.source or spec.feature, ViolationCode.UNKNOWN_CATEGORY, str(exc.args[0])))
            except (ValueError, TypeError) as exc:
                violations.append(_violation(spec.source or spec.feature, ViolationCode.WRONG_TYPE, str(exc) or "unreadable"))
        if violations:
            raise InvalidInput(violations)
        reference = values.get(self.reference) if self.reference else None
        return ScoreRequest(
            request_id=request_id,
            model=self.model,
            version=self.version,
            features=features,
            caller=CallerRef(reference="" if reference is None else str(reference).strip(), channel=channel),
            deadline=deadline,
            reason_count=self.reason_count,
        )

    def source_of(self, feature: str) -> str:
        """The legacy path a canonical feature came from (to report core violations by the caller's name)."""
        return next((f.source for f in self.features if f.feature == feature and f.source), feature)


class ResultField(_Strict):
    """One response value computed from a canonical result."""

    target: str
    """Path in the legacy response. For ``numbered`` reasons, contains ``{n}`` (1-based)."""
    source: Literal[
        "probability", "score", "decision", "reason_codes", "reason_features", "model", "version",
        "model_version", "reference", "request_id", "fallback", "constant",
    ]
    score_range: tuple[int, int] = (0, 1000)
    """For ``score``: the probability mapped linearly onto this integer range."""
    invert: bool = False
    """For ``score``: high score = low probability (as credit scores run)."""
    codes: dict[str, str] | None = None
    """For ``decision``: decision band -> legacy code. For ``fallback``: ``true``/``false`` -> legacy
    code (default ``Y``/``N``): whether the gateway's fallback model answered (core unavailable)."""
    count: int = Field(default=3, ge=1, le=32)
    """For reasons: how many slots the legacy format has."""
    numbered: bool = False
    """For reasons: one field per slot (``target`` with ``{n}``) rather than one repeated field."""
    pad: str | None = None
    """For numbered reasons: the value of an empty slot; None leaves it out."""
    value: str | None = None
    """For ``constant``."""
    decimals: int | None = None
    """For ``probability``: round to this many decimals."""


FALLBACK_CODES = {"true": "Y", "false": "N"}


def fallback_code(spec: ResultField, fallback: bool) -> str:
    return {**FALLBACK_CODES, **(spec.codes or {})}["true" if fallback else "false"]


class ErrorField(_Strict):
    """One value of an error answer."""

    target: str
    source: Literal["code", "message", "kind", "violations", "reference", "constant"]
    codes: dict[ErrorKind, str] | None = None
    """For ``code``: canonical error kind -> legacy error code (default: the kind's name)."""
    value: str | None = None


class ResponseMapping(_Strict):
    """Canonical result or error -> legacy response values."""

    result: tuple[ResultField, ...]
    error: tuple[ErrorField, ...] = ()

    def encode_result(self, result: ScoreResult, reference: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in self.result:
            if spec.source in ("reason_codes", "reason_features"):
                items = [r.code if spec.source == "reason_codes" else r.feature for r in result.reasons][: spec.count]
                if spec.numbered:
                    for n in range(1, spec.count + 1):
                        value = items[n - 1] if n <= len(items) else spec.pad
                        if value is not None:
                            out[spec.target.format(n=n)] = value
                else:
                    out[spec.target] = items
            else:
                out[spec.target] = self._scalar(spec, result, reference)
        return out

    @staticmethod
    def _scalar(spec: ResultField, result: ScoreResult, reference: str) -> Any:
        match spec.source:
            case "probability":
                return result.probability if spec.decimals is None else round(result.probability, spec.decimals)
            case "score":
                low, high = spec.score_range
                p = 1.0 - result.probability if spec.invert else result.probability
                return int(round(low + p * (high - low)))
            case "decision":
                return (spec.codes or {}).get(result.decision, result.decision)
            case "model":
                return result.model
            case "version":
                return result.version
            case "model_version":
                return f"{result.model}:{result.version}"
            case "reference":
                return reference
            case "request_id":
                return result.request_id
            case "fallback":
                return fallback_code(spec, result.fallback)
            case _:
                return spec.value

    def encode_error(self, error: ScoreError, reference: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in self.error:
            match spec.source:
                case "code":
                    out[spec.target] = (spec.codes or {}).get(error.kind, error.kind.name)
                case "message":
                    out[spec.target] = error.message
                case "kind":
                    out[spec.target] = error.kind.value
                case "violations":
                    out[spec.target] = [
                        f"{v.field}: {v.code.value}: {v.message}" for v in getattr(error, "violations", ())
                    ]
                case "reference":
                    out[spec.target] = reference
                case _:
                    out[spec.target] = spec.value
        return out


_RANGE = re.compile(r"^must be between (\S+) and (\S+)$")


def rename_violations(error: InvalidInput, mapping: RequestMapping) -> InvalidInput:
    """The core names canonical features and their model's units; the caller knows its own field
    names and units: a monthly income (``scale = 12``) out of range is told in monthly terms, a
    percent (``scale = 0.01``) in percent, a date of birth by the ages it may give."""
    return InvalidInput([_in_caller_terms(v, mapping) for v in error.violations])


def _in_caller_terms(violation: FieldViolation, mapping: RequestMapping) -> FieldViolation:
    spec = next((f for f in mapping.features if f.feature == violation.field and f.source), None)
    if spec is None:
        return violation
    message = violation.message
    bounds = _RANGE.match(message) if violation.code is ViolationCode.OUT_OF_RANGE else None
    if bounds and spec.type == "date":
        message = f"must give an age between {bounds[1]} and {bounds[2]} {spec.age or 'years'}"
    elif bounds and spec.codes is None and spec.scale not in (0.0, 1.0):
        low, high = (_unscaled(bound, spec.scale) for bound in (bounds[1], bounds[2]))
        message = f"must be between {low} and {high}" if spec.scale > 0 else f"must be between {high} and {low}"
    return FieldViolation(field=spec.source or violation.field, code=violation.code, message=message)


def _unscaled(bound: str, scale: float) -> str:
    """A bound in the model's units -> the caller's (the mapping multiplied by ``scale``)."""
    try:
        value = float(bound) / scale
    except ValueError:
        return bound  # -inf, inf
    if math.isinf(value):
        return bound
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
