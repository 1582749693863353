"""Declarative mapping between a legacy message and the canonical contract, for every format.

The request half lives here, the response half in ``response_mapping.py`` (re-exported).

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
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoregate.adapters.expressions import Expression, ExpressionError, parse_expression
from scoregate.adapters.response_mapping import (
    FALLBACK_CODES, ErrorField, ResponseMapping, ResultField, fallback_code,
)
from scoregate.core.contract import CallerRef, FeatureValue, ScoreRequest
from scoregate.core.errors import FieldViolation, InvalidInput, ViolationCode

# The response half is re-exported: one import for both halves of a channel's mapping.
__all__ = [
    "BOOLEAN_TEXT", "DATE_FORMATS", "FALLBACK_CODES", "HEADER_PREFIX", "ErrorField", "FeatureMap", "RequestMapping", "ResponseMapping",
    "ResultField", "fallback_code", "occurrence_pattern", "occurrences", "rename_violations",
]

DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d")
_TRUE = {"1", "y", "yes", "true", "t"}
_FALSE = {"0", "n", "no", "false", "f"}
BOOLEAN_TEXT = {**dict.fromkeys(_TRUE, 1), **dict.fromkeys(_FALSE, 0)}
"""A ``boolean`` feature's text values (lower case) -> 1 or 0, for the columnar reader too."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FeatureMap(_Strict):
    """Where one canonical feature comes from, and how its raw value is read."""

    feature: str
    """Canonical feature name (the model's)."""
    source: str | None = None
    """Path in the legacy message; None for a feature that always takes ``default`` or has an ``expr``."""
    expr: str | None = None
    """A feature derived from several fields, e.g. ``sum(`LD-ACCT-BAL(*)`) / `LD-ANNUAL-INCOME```:
    fields (backquoted when not plain names; ``*`` for every occurrence of a table), numbers,
    arithmetic, comparisons, ``x if c else y`` and min/max/sum/mean/count/abs/round/where. Checked
    when the configuration loads (see ``adapters/expressions.py``)."""
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
    age: Literal["years", "months", "days"] | None = None
    """For dates: the feature is the time elapsed since the date (an age, a duration) in whole
    years, months or days, at the ``as_of`` date."""
    as_of: str | None = None
    """For dates: the path of the date to measure to, in the same message or record (e.g. the
    application date), or ``header:FIELD`` for a field of a file's header record (its run date).
    None: the day the request is decoded."""
    date_format: str | None = None
    """strptime format of a text date; by default ISO (2024-01-31) or 20240131."""

    @model_validator(mode="after")
    def _check(self) -> FeatureMap:
        if self.type == "date" and self.age is None:
            raise ValueError(f"{self.feature}: a date feature needs 'age: years', 'age: months' or 'age: days'")
        if self.as_of is not None and self.type != "date":
            raise ValueError(f"{self.feature}: as_of is for date features")
        if self.expr is not None:
            if self.source is not None or self.codes is not None or self.type not in ("number", "integer"):
                raise ValueError(f"{self.feature}: an expr feature takes no source or codes, and its type is number or integer")
            try:
                self.expression  # noqa: B018 - compiled here so that a bad expression fails at load
            except ExpressionError as exc:
                raise ValueError(f"{self.feature}: {exc}") from None
        elif self.source is None and self.default is None:
            raise ValueError(f"{self.feature}: needs a source, an expr or a default")
        return self

    @cached_property
    def expression(self) -> Expression | None:
        return parse_expression(self.expr) if self.expr is not None else None

    @property
    def fields(self) -> tuple[str, ...]:
        """Every legacy path this feature reads (a table path keeps its ``*``)."""
        if self.expression is not None:
            return self.expression.fields
        paths = (self.source, self.as_of)
        return tuple(p for p in paths if p is not None and not p.startswith(HEADER_PREFIX))


HEADER_PREFIX = "header:"
_INDEX = r"(\d+)"


def occurrence_pattern(path: str) -> re.Pattern[str]:
    """``NAME(*)`` / ``A/B[*]/C`` -> a regex of its indexed paths (``NAME(3)``, ``A/B[3]/C``)."""
    return re.compile("^" + re.escape(path).replace(r"\*", _INDEX) + "$")


def occurrences(path: str, keys: Iterable[str]) -> list[str]:
    """The indexed paths of a table path among ``keys``, in index order."""
    pattern = occurrence_pattern(path)
    found = [(tuple(int(g) for g in m.groups()), key) for key in keys if (m := pattern.match(key))]
    return [key for _, key in sorted(found)]


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
    if unit == "days":
        return (today - born).days
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    return months // 12 if unit == "years" else months


def _number(raw: Any) -> float:
    """A raw value as a float for an expression; blank is missing (NaN)."""
    if _blank(raw):
        return math.nan
    if isinstance(raw, bool):
        raise ValueError("must be a number")
    return float(raw.strip()) if isinstance(raw, str) else float(raw)


def _table(values: Mapping[str, Any], path: str) -> list[tuple[str, Any]]:
    """Every occurrence of a table path in a flat message, as (its own path, value): ``A[1]/B``,
    ``A[2]/B`` ... (SOAP; fixed width ``NAME(1)``), or one path holding a list (AMQP XML repeats, a
    JSON array of values or objects: ``items[*].amount`` reads ``amount`` of each object)."""
    keys = occurrences(path, values)
    if keys:
        return [(k, values[k]) for k in keys]
    whole = values.get(path.replace("[*]", "").replace("(*)", ""))
    head, _, tail = path.partition("[*]")
    items = whole if isinstance(whole, list) else values.get(head)
    if not isinstance(items, list):
        return [] if whole is None else [(path, whole)]
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(whole, list):
            for key in filter(None, tail.lstrip(".").split(".")):
                item = item.get(key) if isinstance(item, Mapping) else None
        out.append((path.replace("*", str(n), 1), item))
    return out


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
    reason_bands: tuple[str, ...] = ()
    """Reason codes only for these decisions (the model's band names, e.g. ["DECLINE", "REVIEW"]):
    the core scores first and computes contributions for those rows alone; the others are
    answered without reasons (their legacy fields as the response mapping fills empty slots).
    Empty: reasons for every decision."""
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
            if spec.expression is not None:
                features[spec.feature] = self._derive(spec, values, violations)
                continue
            raw = values.get(spec.source) if spec.source else None
            if _blank(raw):
                features[spec.feature] = spec.default
                continue
            if spec.missing and _is_sentinel(raw, spec.missing):
                features[spec.feature] = None
                continue
            try:
                at = today if spec.as_of is None else _parse_date(values.get(spec.as_of), spec.date_format)
            except (ValueError, TypeError):
                violations.append(_violation(spec.as_of or "", ViolationCode.WRONG_TYPE, "not a date (the as_of date)"))
                continue
            try:
                features[spec.feature] = _read(spec, raw, at)
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
            reason_bands=self.reason_bands,
        )

    @staticmethod
    def _derive(spec: FeatureMap, values: Mapping[str, Any], violations: list[FieldViolation]) -> FeatureValue:
        """An expr feature for one message: its fields as one-row columns, then the shared evaluator."""
        assert spec.expression is not None
        columns: dict[str, np.ndarray] = {}
        for path in spec.expression.fields:
            raws = _table(values, path) if "*" in path else [(path, values.get(path))]
            numbers = []
            for where, raw in raws:
                try:
                    numbers.append(_number(raw))
                except (ValueError, TypeError):
                    violations.append(_violation(where, ViolationCode.WRONG_TYPE, "must be a number (read by an expression)"))
                    return None
            columns[path] = np.array(numbers, dtype=np.float64).reshape(1, len(numbers))
        value = float(spec.expression.evaluate(columns)[0])
        if math.isnan(value):
            return spec.default
        return int(value) if spec.type == "integer" and value.is_integer() else value

    def source_of(self, feature: str) -> str:
        """The legacy path a canonical feature came from (to report core violations by the caller's name)."""
        return next((f.source for f in self.features if f.feature == feature and f.source), feature)


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
    elif bounds and spec.codes is not None:  # the caller sent a code: say which codes fit
        fit = [code for code, value in spec.codes.items() if _within(value, float(bounds[1]), float(bounds[2]))]
        message = f"gives a value outside {bounds[1]}..{bounds[2]}: use one of {', '.join(fit)}" if fit else \
            f"no code gives a value within {bounds[1]}..{bounds[2]}"
    elif bounds and spec.scale not in (0.0, 1.0):
        low, high = (_unscaled(bound, spec.scale) for bound in (bounds[1], bounds[2]))
        message = f"must be between {low} and {high}" if spec.scale > 0 else f"must be between {high} and {low}"
    elif violation.code is ViolationCode.MISSING and spec.missing:
        shown = (f"{s:g}" if isinstance(s, float) else repr(s) for s in spec.missing)
        message = f"{message} (here {' or '.join(shown)} means not reported)"
    return FieldViolation(field=spec.source or violation.field, code=violation.code, message=message)


def _within(value: FeatureValue, low: float, high: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high


def _unscaled(bound: str, scale: float) -> str:
    """A bound in the model's units -> the caller's (the mapping multiplied by ``scale``)."""
    try:
        value = float(bound) / scale
    except ValueError:
        return bound  # -inf, inf
    if math.isinf(value):
        return bound
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
