"""The declarative mapping (``mapping.py``) applied to whole columns, for batch channels.

A file of a million records must not become a million dicts: the fixed-width engine hands over
numpy columns, this module turns them into the model's float64 matrix (and back into response
columns) with one numpy operation per field. Text columns go through ``np.unique`` so that code
tables and number parsing run once per distinct value, not once per record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np

from scoregate.adapters.mapping import FeatureMap, RequestMapping, ResponseMapping, fallback_code
from scoregate.core.contract import BatchResult, FeatureKind, FeatureSchema, FeatureSpec
from scoregate.core.errors import FieldViolation, ViolationCode

#: row -> that row's violations (only rows that have some)
RowViolations = dict[int, list[FieldViolation]]


def _cell(feature: FeatureSpec, value: object) -> float:
    """A canonical value as its matrix cell (a category becomes the index of its code)."""
    if value is None:
        return np.nan
    if feature.kind is FeatureKind.CATEGORY:
        code = str(value)
        return float(feature.codes.index(code)) if code in feature.codes else -1.0
    return float(value)


def _flag(bad: RowViolations, rows: np.ndarray, path: str, code: ViolationCode, message: str) -> None:
    for row in np.flatnonzero(rows):
        bad.setdefault(int(row), []).append(FieldViolation(field=path, code=code, message=message))


def _ages(yyyymmdd: np.ndarray, today: date, unit: str) -> tuple[np.ndarray, np.ndarray]:
    values = yyyymmdd.astype(np.int64)
    year, month, day = values // 10000, values // 100 % 100, values % 100
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (year > 1800)
    months = (today.year - year) * 12 + today.month - month - (today.day < day)
    ages = months // 12 if unit == "years" else months
    return np.where(valid, ages, np.nan).astype(np.float64), ~valid


def _text_column(spec: FeatureMap, feature: FeatureSpec, column: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Text values -> (cells, unreadable mask, violation code); blanks become NaN."""
    uniques, inverse = np.unique(np.char.strip(column.astype(str)), return_inverse=True)
    cells = np.empty(len(uniques))
    bad = np.zeros(len(uniques), dtype=bool)
    code = ViolationCode.UNKNOWN_CATEGORY if spec.codes is not None or feature.kind is FeatureKind.CATEGORY else ViolationCode.WRONG_TYPE
    for i, text in enumerate(uniques):
        if not text:
            cells[i] = _cell(feature, spec.default)
            continue
        try:
            value = spec.codes[text] if spec.codes is not None else (text if feature.kind is FeatureKind.CATEGORY else float(text) * spec.scale)
            cells[i] = _cell(feature, value)
            bad[i] = cells[i] == -1.0 and feature.kind is FeatureKind.CATEGORY
        except (KeyError, ValueError):
            bad[i] = True
    cells[bad] = np.nan
    return cells[inverse.reshape(-1)], bad[inverse.reshape(-1)], code


def _sentinels(spec: FeatureMap, column: np.ndarray) -> np.ndarray:
    """Rows whose raw value means "not reported" (``FeatureMap.missing``)."""
    if not spec.missing:
        return np.zeros(len(column), dtype=bool)
    if column.dtype.kind in "US":
        return np.isin(np.char.strip(column.astype(str)), [str(s) for s in spec.missing])
    numbers = [float(s) for s in spec.missing if not isinstance(s, str)]
    return np.isin(column.astype(np.float64), numbers)


def feature_matrix(
    mapping: RequestMapping, schema: FeatureSchema, columns: Mapping[str, np.ndarray], rows: int, today: date
) -> tuple[np.ndarray, RowViolations]:
    """Decoded columns -> the model's float64 matrix, with the rows whose legacy values are unreadable.

    Numeric columns are real values (float64); text columns are numpy ``U`` arrays.
    """
    matrix = np.full((rows, len(schema.features)), np.nan)
    bad: RowViolations = {}
    for spec in mapping.features:
        j = schema.index(spec.feature)
        feature = schema.features[j]
        if spec.source is None:
            matrix[:, j] = _cell(feature, spec.default)
            continue
        column = columns[spec.source]
        missing = _sentinels(spec, column)
        invalid = np.zeros(rows, dtype=bool)
        code, message = ViolationCode.WRONG_TYPE, "unreadable value"
        if spec.type == "date":
            matrix[:, j], invalid = _ages(column, today, spec.age or "years")
            message = "not a date (YYYYMMDD)"
        elif column.dtype.kind in "US":
            matrix[:, j], invalid, code = _text_column(spec, feature, column)
            message = "unknown or unreadable value"
        elif spec.codes is not None:
            as_text = np.char.mod("%d", column.astype(np.int64)) if column.dtype.kind in "iu" else column.astype(str)
            matrix[:, j], invalid, code = _text_column(spec, feature, as_text)
            message = "unknown code"
        else:
            matrix[:, j] = column.astype(np.float64) * spec.scale
        matrix[missing, j] = np.nan
        _flag(bad, invalid & ~missing, spec.source, code, message)
    return matrix, bad


def response_columns(
    mapping: ResponseMapping, result: BatchResult, references: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """A scored batch -> one array per response field (rows of ``result``; rejected rows included).

    Text fields come out as numpy text arrays, not object arrays: the record encoder takes them as
    they are (16% less gateway CPU per record in bench/files_bench.py).
    """
    out: dict[str, np.ndarray] = {}
    rows = result.rows
    band_index = np.minimum(result.decisions, len(result.band_names))  # REJECTED -> the "" slot
    codes = np.array([*result.reason_codes, ""], dtype=str)
    for spec in mapping.result:
        match spec.source:
            case "probability":
                p = np.nan_to_num(result.probabilities)
                out[spec.target] = p if spec.decimals is None else np.round(p, spec.decimals)
            case "score":
                low, high = spec.score_range
                p = np.nan_to_num(result.probabilities)
                p = 1.0 - p if spec.invert else p
                out[spec.target] = np.rint(low + p * (high - low)).astype(np.int64)
            case "decision":
                table = spec.codes or {}
                # Map each band once, then index: no Python work per row.
                out[spec.target] = np.array([*(table.get(b, b) for b in result.band_names), ""], dtype=str)[band_index]
            case "reason_codes" | "reason_features":
                names = codes if spec.source == "reason_codes" else np.array([*result.feature_names, ""], dtype=str)
                for n in range(1, spec.count + 1):
                    if n <= result.reason_features.shape[1]:
                        out[spec.target.format(n=n)] = names[result.reason_features[:, n - 1]]  # -1 picks ""
                    else:
                        out[spec.target.format(n=n)] = np.full(rows, spec.pad or "")
            case "model":
                out[spec.target] = np.full(rows, result.model)
            case "version":
                out[spec.target] = np.full(rows, result.version)
            case "model_version":
                out[spec.target] = np.full(rows, f"{result.model}:{result.version}")
            case "reference":
                out[spec.target] = references if references is not None else np.full(rows, "")
            case "fallback":
                out[spec.target] = np.full(rows, fallback_code(spec, result.fallback))
            case _:
                out[spec.target] = np.full(rows, spec.value or "")
    return out
