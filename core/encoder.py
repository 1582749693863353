"""The core's encoder: canonical features -> the model's float64 matrix, for the core and every channel.

One place holds the rule a model's matrix is made by: features in schema order, numbers as
floats, missing as NaN, and a category code as the index of its first occurrence in the schema's
``codes`` (:func:`category_cells`), codes compared as text because legacy formats often carry
numeric ones. The core encodes single requests with it; channels that build matrices themselves
(AMQP's batches, the file channel's columns, the client's coalescing, the gateway's V2 client)
call it instead of repeating the rule:

- ``encode_features``: one request's features -> a 1 x n row and the field violations the core
  reports (its ``Score`` path);
- ``RowEncoder``: many requests' features placed in a matrix quickly, checks left to the core;
- ``category_cell``: one category value's cell (None for an unknown code);
- ``result_from_batch``: one row of a scored batch as a single ``ScoreResult``.

Channels import these from here, never from ``validation`` or ``convert``, the core's internals.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np

from scoregate.core.contract import FeatureKind, FeatureSchema, FeatureSpec, FeatureValue
from scoregate.core.convert import result_from_batch
from scoregate.core.errors import FieldViolation, ViolationCode
from scoregate.core.validation import range_message, violation

__all__ = ["RowEncoder", "category_cell", "category_cells", "encode_features", "encode_value", "result_from_batch"]


@functools.lru_cache(maxsize=256)
def category_cells(spec: FeatureSpec) -> Mapping[str, float]:
    """A category feature's code -> matrix cell: the index of the code's first occurrence (as
    ``tuple.index`` finds it). Cached per spec (specs are frozen)."""
    cells: dict[str, float] = {}
    for i, code in enumerate(spec.codes):
        cells.setdefault(code, float(i))
    return cells


def category_cell(spec: FeatureSpec, value: object) -> float | None:
    """A category value's matrix cell; None for an unknown code or a value that is no code."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return category_cells(spec).get(str(value))


def encode_value(spec: FeatureSpec, value: FeatureValue) -> tuple[float, FieldViolation | None]:
    """One value -> its matrix cell, or a violation: the one place that words a value's violations."""
    name = spec.name
    if value is None or (isinstance(value, float) and math.isnan(value) and spec.nullable):
        if spec.nullable:
            return math.nan, None
        return math.nan, violation(name, ViolationCode.MISSING, "is required")
    if spec.kind is FeatureKind.CATEGORY:
        if isinstance(value, bool) or not isinstance(value, int | str):
            return math.nan, violation(name, ViolationCode.WRONG_TYPE, "must be a category code")
        cell = category_cell(spec, value)
        if cell is None:
            allowed = ", ".join(spec.codes)
            return math.nan, violation(name, ViolationCode.UNKNOWN_CATEGORY, f"unknown code {str(value)!r}; allowed: {allowed}")
        return cell, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan, violation(name, ViolationCode.WRONG_TYPE, f"must be a {spec.kind.value}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return math.nan, violation(name, ViolationCode.NOT_A_NUMBER, "must be a finite number")
    if spec.kind is FeatureKind.INTEGER and not number.is_integer():
        return math.nan, violation(name, ViolationCode.WRONG_TYPE, "must be a whole number")
    if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
        return math.nan, violation(name, ViolationCode.OUT_OF_RANGE, range_message(spec))
    return number, None


@functools.lru_cache(maxsize=64)
def _single_row_plan(schema: FeatureSchema) -> tuple[frozenset[str], tuple]:
    """Per feature, what the common case of a valid value needs; cached per schema.

    (name, spec, category code -> cell or None, lower bound, upper bound, whole numbers only,
    both bounds finite). Bounds are -inf/inf where the schema has none.
    """
    plan = []
    for spec in schema.features:
        codes = category_cells(spec) if spec.kind is FeatureKind.CATEGORY else None
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
            violation(name, ViolationCode.UNKNOWN_FEATURE, "is not a feature of this model")
            for name in features
            if name not in names
        ]
    values = []
    for name, spec, codes, low, high, whole, bounded in plan:
        value = features.get(name)
        # The common case inline (a valid number or a known code); anything else, including every
        # violation, goes through encode_value, the one place that words them.
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
        cell, problem = encode_value(spec, value)
        values.append(cell)
        if problem is not None:
            violations.append(problem)
    return np.array([values], dtype=np.float64), violations


class RowEncoder:
    """Canonical features -> one matrix row, fast: about 10x cheaper than ``encode_features``.

    It only places values (feature order, category code -> cell, numbers as floats); missing,
    range and whole-number checks are left to the core, which validates the whole matrix with
    numpy and returns the failing rows with the same violations a ``Score`` call gives. Anything
    it cannot place returns None, and the caller asks ``encode_features`` what is wrong.
    """

    def __init__(self, schema: FeatureSchema) -> None:
        self.names = schema.names
        self._index = {name: i for i, name in enumerate(self.names)}
        self._codes = {i: category_cells(spec) for i, spec in enumerate(schema.features) if spec.kind is FeatureKind.CATEGORY}

    def encode(self, features: dict[str, FeatureValue]) -> list[float] | None:
        row = [math.nan] * len(self.names)
        for name, value in features.items():
            i = self._index.get(name)
            if i is None or isinstance(value, bool):
                return None
            if value is None:
                continue
            codes = self._codes.get(i)
            if codes is not None:
                cell = codes.get(str(value)) if isinstance(value, int | str) else None
                if cell is None:
                    return None
                row[i] = cell
            elif isinstance(value, int | float):
                row[i] = float(value)
            else:
                return None
        return row
