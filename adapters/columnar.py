"""The declarative mapping (``mapping.py``) applied to whole columns, for batch channels.

A file of a million records must not become a million dicts: the fixed-width engine hands over
numpy columns, this module turns them into the model's float64 matrix (and back into response
columns) with one numpy operation per field. Text columns go through ``np.unique`` so that code
tables and number parsing run once per distinct value, not once per record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import numpy as np

from scoregate.adapters.mapping import (
    BOOLEAN_TEXT, HEADER_PREFIX, FeatureMap, RequestMapping, ResponseMapping, fallback_code, occurrences,
)
from scoregate.core.contract import BatchResult, FeatureKind, FeatureSchema, FeatureSpec
from scoregate.core.encoder import category_cell
from scoregate.core.errors import FieldViolation, ViolationCode

#: row -> that row's violations (only rows that have some)
RowViolations = dict[int, list[FieldViolation]]


def _cell(feature: FeatureSpec, value: object) -> float:
    """A canonical value as its matrix cell (a category becomes the index of its code)."""
    if value is None:
        return np.nan
    if feature.kind is FeatureKind.CATEGORY:
        cell = category_cell(feature, str(value))  # the core's rule, on the value as text
        return -1.0 if cell is None else cell
    return float(value)


def _flag(bad: RowViolations, rows: np.ndarray, path: str, code: ViolationCode, message: str) -> None:
    for row in np.flatnonzero(rows):
        bad.setdefault(int(row), []).append(FieldViolation(field=path, code=code, message=message))


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _date_numbers(column: np.ndarray, date_format: str | None) -> tuple[np.ndarray, np.ndarray]:
    """A date column (YYYYMMDD numbers, or text: ISO, YYYYMMDD or ``date_format``) -> (YYYYMMDD int64,
    valid mask). Text is parsed once per distinct value; calendar validity is checked later."""
    if column.dtype.kind not in "US":
        numbers = np.nan_to_num(column.astype(np.float64), nan=-1).astype(np.int64)
        return numbers, numbers >= 0
    uniques, inverse = np.unique(np.char.strip(column.astype(str)), return_inverse=True)
    parsed = np.full(len(uniques), -1, dtype=np.int64)
    for i, text in enumerate(uniques):
        try:
            parsed[i] = int(datetime.strptime(text, date_format).strftime("%Y%m%d")) if date_format else int(text.replace("-", ""))
        except ValueError:
            continue
    numbers = parsed[inverse.reshape(-1)]
    return numbers, numbers >= 0


def _calendar(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """YYYYMMDD -> (year, month, day, valid): a real calendar day (no 31 February, 29 February
    only in leap years), as strptime decides for a single request."""
    year, month, day = values // 10000, values // 100 % 100, values % 100
    in_range = (month >= 1) & (month <= 12) & (year > 1800) & (year <= 9999)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS_IN_MONTH[np.where(in_range, month, 0)] + ((month == 2) & leap)
    return year, month, day, in_range & (day >= 1) & (day <= last)


def _day_number(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of calendar dates (numpy's month arithmetic knows month lengths)."""
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64) + day - 1


def _ages(born: np.ndarray, at: np.ndarray, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """Whole years, months or days from each ``born`` to ``at`` (YYYYMMDD int64, validated by the
    caller); NaN and flagged where ``born`` is not a calendar date."""
    year, month, day, valid = _calendar(born)
    at_year, at_month, at_day = at // 10000, at // 100 % 100, at % 100
    if unit == "days":
        safe = np.where(valid, born, 19700101)
        ages = _day_number(at_year, at_month, at_day) - _day_number(safe // 10000, safe // 100 % 100, safe % 100)
    else:
        months = (at_year - year) * 12 + at_month - month - (at_day < day)
        ages = months // 12 if unit == "years" else months
    return np.where(valid, ages, np.nan).astype(np.float64), ~valid


def _numbers(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A field read by an expression -> (float64, unreadable mask); blank text is missing."""
    if column.dtype.kind not in "US":
        return column.astype(np.float64), np.zeros(len(column), dtype=bool)
    uniques, inverse = np.unique(np.char.strip(column.astype(str)), return_inverse=True)
    values = np.full(len(uniques), np.nan)
    bad = np.zeros(len(uniques), dtype=bool)
    for i, text in enumerate(uniques):
        if text:
            try:
                values[i] = float(text)
            except ValueError:
                bad[i] = True
    return values[inverse.reshape(-1)], bad[inverse.reshape(-1)]


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
            if spec.codes is not None:
                value = spec.codes[text]
            elif spec.type == "boolean":  # Y/N, yes/no, 1/0 ... as a single request reads them
                value = BOOLEAN_TEXT[text.lower()]
            else:
                value = text if feature.kind is FeatureKind.CATEGORY else float(text) * spec.scale
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


def _derived(spec: FeatureMap, columns: Mapping[str, np.ndarray], rows: int, bad: RowViolations) -> np.ndarray:
    """An expr feature over whole columns: the same evaluator as a single request."""
    assert spec.expression is not None
    env: dict[str, np.ndarray] = {}
    for path in spec.expression.fields:
        keys = occurrences(path, columns) if "*" in path else [path]
        parts = []
        for key in keys:
            values, unreadable = _numbers(columns[key])
            _flag(bad, unreadable, key, ViolationCode.WRONG_TYPE, "must be a number (read by an expression)")
            parts.append(values)
        env[path] = np.column_stack(parts) if parts else np.empty((rows, 0))
    out = spec.expression.evaluate(env)
    if spec.default is not None:
        out[np.isnan(out)] = float(spec.default)
    return out


def _as_of(spec: FeatureMap, columns: Mapping[str, np.ndarray], header: Mapping[str, np.ndarray] | None,
           rows: int, today: date, bad: RowViolations) -> tuple[np.ndarray, np.ndarray]:
    """The date each row's age is measured to, as YYYYMMDD, and the rows where it is not a date."""
    if spec.as_of is None:
        return np.full(rows, today.year * 10000 + today.month * 100 + today.day, dtype=np.int64), np.zeros(rows, bool)
    if spec.as_of.startswith(HEADER_PREFIX):
        name = spec.as_of[len(HEADER_PREFIX):]
        if header is None or name not in header:
            raise KeyError(f"{spec.feature}: as_of {spec.as_of} needs a header record with field {name}")
        column = np.repeat(np.asarray(header[name])[:1], rows)
    else:
        column = columns[spec.as_of]
    numbers, readable = _date_numbers(column, spec.date_format)
    *_, valid = _calendar(numbers)
    valid &= readable
    _flag(bad, ~valid, spec.as_of, ViolationCode.WRONG_TYPE, "not a date (the as_of date)")
    return numbers, ~valid


def feature_matrix(
    mapping: RequestMapping, schema: FeatureSchema, columns: Mapping[str, np.ndarray], rows: int, today: date,
    header: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, RowViolations]:
    """Decoded columns -> the model's float64 matrix, with the rows whose legacy values are unreadable.

    Numeric columns are real values (float64); text columns are numpy ``U`` arrays. ``header``: the
    file's header record (one value per field), for ages ``as_of = "header:FIELD"``.
    """
    matrix = np.full((rows, len(schema.features)), np.nan)
    bad: RowViolations = {}
    for spec in mapping.features:
        j = schema.index(spec.feature)
        feature = schema.features[j]
        if spec.expression is not None:
            matrix[:, j] = _derived(spec, columns, rows, bad)
            continue
        if spec.source is None:
            matrix[:, j] = _cell(feature, spec.default)
            continue
        column = columns[spec.source]
        missing = _sentinels(spec, column)
        invalid = np.zeros(rows, dtype=bool)
        code, message = ViolationCode.WRONG_TYPE, "unreadable value"
        if spec.type == "date":
            at, at_invalid = _as_of(spec, columns, header, rows, today, bad)
            born, readable = _date_numbers(column, spec.date_format)
            matrix[:, j], invalid = _ages(np.where(readable, born, 0), np.where(at_invalid, 19700101, at), spec.age or "years")
            matrix[at_invalid, j] = np.nan
            if column.dtype.kind in "US":  # a blank text date is absent, as over SOAP: the default
                blank = np.char.strip(column.astype(str)) == ""
                matrix[blank, j] = _cell(feature, spec.default)
                invalid &= ~blank
            message = "not a calendar date"
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
    mapping: ResponseMapping, result: BatchResult, references: np.ndarray | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """A scored batch -> one array per response field (rows of ``result``; rejected rows included).

    ``inputs``: the request columns of the same rows, for ``input`` fields copied as they came.

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
            case "input":
                out[spec.target] = (inputs or {})[spec.field or ""]
            case _:
                out[spec.target] = np.full(rows, spec.value or "")
    return out
