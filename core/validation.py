"""Validate requests against a model's feature schema: once, in the core, for every channel.

Single requests are checked value by value (a handful of features). Batches are checked column by
column with numpy: only the rows that fail get Python objects (their violations).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from scoregate.core.contract import FeatureKind, FeatureSchema, FeatureSpec, FeatureValue
from scoregate.core.errors import FieldViolation, ViolationCode


def _violation(field: str, code: ViolationCode, message: str) -> FieldViolation:
    return FieldViolation(field=field, code=code, message=message)


def _range_message(spec: FeatureSpec) -> str:
    low = "-inf" if spec.minimum is None else f"{spec.minimum:g}"
    high = "inf" if spec.maximum is None else f"{spec.maximum:g}"
    return f"must be between {low} and {high}"


def _encode_value(spec: FeatureSpec, value: FeatureValue) -> tuple[float, FieldViolation | None]:
    """One value -> its matrix cell, or a violation."""
    name = spec.name
    if value is None or (isinstance(value, float) and math.isnan(value) and spec.nullable):
        if spec.nullable:
            return math.nan, None
        return math.nan, _violation(name, ViolationCode.MISSING, "is required")
    if spec.kind is FeatureKind.CATEGORY:
        # Legacy formats often carry numeric codes; compare them as text.
        code = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
        if code is None:
            return math.nan, _violation(name, ViolationCode.WRONG_TYPE, "must be a category code")
        try:
            return float(spec.codes.index(code)), None
        except ValueError:
            allowed = ", ".join(spec.codes)
            return math.nan, _violation(
                name, ViolationCode.UNKNOWN_CATEGORY, f"unknown code {code!r}; allowed: {allowed}"
            )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan, _violation(name, ViolationCode.WRONG_TYPE, f"must be a {spec.kind.value}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return math.nan, _violation(name, ViolationCode.NOT_A_NUMBER, "must be a finite number")
    if spec.kind is FeatureKind.INTEGER and not number.is_integer():
        return math.nan, _violation(name, ViolationCode.WRONG_TYPE, "must be a whole number")
    if (spec.minimum is not None and number < spec.minimum) or (
        spec.maximum is not None and number > spec.maximum
    ):
        return math.nan, _violation(name, ViolationCode.OUT_OF_RANGE, _range_message(spec))
    return number, None


@functools.lru_cache(maxsize=64)
def _single_row_plan(schema: FeatureSchema) -> tuple[frozenset[str], tuple]:
    """Per feature, what the common case of a valid value needs; cached per schema.

    (name, spec, category code -> index or None, lower bound, upper bound, whole numbers only,
    both bounds finite). Bounds are -inf/inf where the schema has none.
    """
    plan = []
    for spec in schema.features:
        codes = None
        if spec.kind is FeatureKind.CATEGORY:
            codes = {}
            for i, code in enumerate(spec.codes):
                codes.setdefault(code, float(i))  # the first one wins, as with tuple.index
        low = -math.inf if spec.minimum is None else float(spec.minimum)
        high = math.inf if spec.maximum is None else float(spec.maximum)
        whole = spec.kind is FeatureKind.INTEGER
        plan.append((spec.name, spec, codes, low, high, whole, math.isfinite(low) and math.isfinite(high)))
    return frozenset(schema.names), tuple(plan)


def encode_features(
    schema: FeatureSchema, features: dict[str, FeatureValue]
) -> tuple[np.ndarray, list[FieldViolation]]:
    """A single request's features -> a 1 x n float64 row in schema order, and its violations."""
    names, plan = _single_row_plan(schema)
    violations = []
    if not names.issuperset(features):
        violations = [
            _violation(name, ViolationCode.UNKNOWN_FEATURE, "is not a feature of this model")
            for name in features
            if name not in names
        ]
    values = []
    for name, spec, codes, low, high, whole, bounded in plan:
        value = features.get(name)
        # The common case inline (a valid number or a known code); anything else, including every
        # violation, goes through _encode_value, the one place that words them.
        kind = type(value)
        if codes is None:
            if (kind is float or kind is int) and low <= value <= high and (bounded or math.isfinite(value)) and (
                kind is int or not whole or value.is_integer()
            ):
                values.append(float(value))
                continue
        elif kind is str or kind is int:
            index = codes.get(str(value))
            if index is not None:
                values.append(index)
                continue
        cell, problem = _encode_value(spec, value)
        values.append(cell)
        if problem is not None:
            violations.append(problem)
    return np.array([values], dtype=np.float64), violations


def check_columns(schema: FeatureSchema, feature_names: tuple[str, ...]) -> list[FieldViolation]:
    """A batch's column names must be the model's feature order exactly."""
    if tuple(feature_names) == schema.names:
        return []
    problems = [
        _violation(n, ViolationCode.UNKNOWN_FEATURE, "is not a feature of this model")
        for n in feature_names
        if n not in schema
    ]
    problems += [
        _violation(n, ViolationCode.MISSING, "column is missing from the batch")
        for n in schema.names
        if n not in feature_names
    ]
    if not problems:
        problems.append(
            _violation("feature_names", ViolationCode.WRONG_TYPE, "columns must be in the model's feature order")
        )
    return problems


@functools.lru_cache(maxsize=64)
def _bounds(schema: FeatureSchema) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-column lower and upper bounds, nullable mask and whole-number mask of a schema.

    Cached per schema (schemas are frozen and hashable); bounded, so retired model versions do
    not pile up."""
    low = np.array([
        0.0 if f.kind is FeatureKind.CATEGORY else (-np.inf if f.minimum is None else f.minimum) for f in schema.features
    ])
    high = np.array([
        len(f.codes) - 1.0 if f.kind is FeatureKind.CATEGORY else (np.inf if f.maximum is None else f.maximum)
        for f in schema.features
    ])
    nullable = np.array([f.nullable for f in schema.features])
    whole = np.array([f.kind is not FeatureKind.NUMBER for f in schema.features])
    return low, high, nullable, whole


def _all_valid(schema: FeatureSchema, matrix: np.ndarray) -> bool:
    """One whole-matrix pass; the column-by-column walk only runs when something is wrong."""
    low, high, nullable, whole = _bounds(schema)
    missing = np.isnan(matrix)
    if missing[:, ~nullable].any():
        return False
    with np.errstate(invalid="ignore"):
        inside = (matrix >= low) & (matrix <= high)  # NaN and +-inf outside a finite bound fail here
        if not (inside | missing).all() or np.isinf(matrix).any():
            return False
        columns = matrix[:, whole]
        return bool(((columns == np.floor(columns)) | np.isnan(columns)).all())


def validate_matrix(schema: FeatureSchema, matrix: np.ndarray) -> dict[int, tuple[FieldViolation, ...]]:
    """Check every cell of a float64 batch matrix; return violations of the failing rows only."""
    if _all_valid(schema, matrix):
        return {}
    bad: dict[int, list[FieldViolation]] = {}

    def flag(mask: np.ndarray, spec: FeatureSpec, code: ViolationCode, message: str) -> None:
        for row in np.flatnonzero(mask):
            bad.setdefault(int(row), []).append(_violation(spec.name, code, message))

    for i, spec in enumerate(schema.features):
        column = matrix[:, i]
        missing = np.isnan(column)
        if not spec.nullable:
            flag(missing, spec, ViolationCode.MISSING, "is required")
        with np.errstate(invalid="ignore"):
            infinite = np.isinf(column)
            flag(infinite, spec, ViolationCode.NOT_A_NUMBER, "must be a finite number")
            present = ~missing & ~infinite
            if spec.kind is FeatureKind.CATEGORY:
                unknown = present & (
                    (column != np.floor(column)) | (column < 0) | (column >= len(spec.codes))
                )
                flag(unknown, spec, ViolationCode.UNKNOWN_CATEGORY, "category index out of range")
                continue
            if spec.kind is FeatureKind.INTEGER:
                flag(present & (column != np.floor(column)), spec, ViolationCode.WRONG_TYPE, "must be a whole number")
            outside = np.zeros_like(present)
            if spec.minimum is not None:
                outside |= column < spec.minimum
            if spec.maximum is not None:
                outside |= column > spec.maximum
            flag(present & outside, spec, ViolationCode.OUT_OF_RANGE, _range_message(spec))
    return {row: tuple(v) for row, v in sorted(bad.items())}
