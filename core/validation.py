"""Validate matrices against a model's feature schema: once, in the core, for every channel.

Batches are checked column by column with numpy: only the rows that fail get Python objects (their
violations). Single requests are encoded and checked value by value by the encoder
(``encoder.encode_features``), which words its violations with the helpers here.
"""

from __future__ import annotations

import functools

import numpy as np

from scoregate.core.contract import FeatureKind, FeatureSchema, FeatureSpec
from scoregate.core.errors import FieldViolation, ViolationCode


def violation(field: str, code: ViolationCode, message: str) -> FieldViolation:
    return FieldViolation(field=field, code=code, message=message)


def range_message(spec: FeatureSpec) -> str:
    low = "-inf" if spec.minimum is None else f"{spec.minimum:g}"
    high = "inf" if spec.maximum is None else f"{spec.maximum:g}"
    return f"must be between {low} and {high}"


def check_columns(schema: FeatureSchema, feature_names: tuple[str, ...]) -> list[FieldViolation]:
    """A batch's column names must be the model's feature order exactly."""
    if tuple(feature_names) == schema.names:
        return []
    problems = [
        violation(n, ViolationCode.UNKNOWN_FEATURE, "is not a feature of this model")
        for n in feature_names
        if n not in schema
    ]
    problems += [
        violation(n, ViolationCode.MISSING, "column is missing from the batch")
        for n in schema.names
        if n not in feature_names
    ]
    if not problems:
        problems.append(
            violation("feature_names", ViolationCode.WRONG_TYPE, "columns must be in the model's feature order")
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
            bad.setdefault(int(row), []).append(violation(spec.name, code, message))

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
            flag(present & outside, spec, ViolationCode.OUT_OF_RANGE, range_message(spec))
    return {row: tuple(v) for row, v in sorted(bad.items())}
