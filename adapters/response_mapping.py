"""The response half of the declarative mapping: a canonical result or error -> ``{path: value}``.

Each channel's codec writes the values into its own reply (a SOAP body, a JSON or XML message, a
fixed-width record); ``adapters/columnar.py`` computes the same fields for whole batches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoregate.core.contract import ScoreResult
from scoregate.core.errors import ErrorKind, ScoreError


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResultField(_Strict):
    """One response value computed from a canonical result, or copied from the request (``input``)."""

    target: str
    """Path in the legacy response. For ``numbered`` reasons, contains ``{n}`` (1-based)."""
    source: Literal[
        "probability", "score", "decision", "reason_codes", "reason_features", "model", "version",
        "model_version", "reference", "request_id", "fallback", "constant", "input",
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
    field: str | None = None
    """For ``input``: the request's field (path) copied as it came into ``target``."""
    decimals: int | None = None
    """For ``probability``: round to this many decimals."""


    @model_validator(mode="after")
    def _check(self) -> ResultField:
        if (self.source == "input") != (self.field is not None):
            raise ValueError(f"{self.target}: 'field' names the request field an 'input' result copies, and only then")
        return self


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

    @property
    def copied_fields(self) -> tuple[str, ...]:
        """Request fields that ``input`` results copy into the response."""
        return tuple(spec.field for spec in self.result if spec.field is not None)

    def encode_result(self, result: ScoreResult, reference: str = "", inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``inputs``: the request's values (at least ``copied_fields``), for ``input`` results."""
        out: dict[str, Any] = {}
        for spec in self.result:
            if spec.source == "input":
                out[spec.target] = (inputs or {}).get(spec.field or "")
            elif spec.source in ("reason_codes", "reason_features"):
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
