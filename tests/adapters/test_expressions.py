"""Derived features: the expression evaluator against plain numpy, the same value per request and per
column, and refusal at configuration load of anything that is not a field, a number or an allowed
function."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pydantic import ValidationError

from scoregate.adapters.columnar import feature_matrix
from scoregate.adapters.expressions import ExpressionError, parse_expression
from scoregate.adapters.mapping import FeatureMap, RequestMapping
from scoregate.core.contract import FeatureKind, FeatureSchema, FeatureSpec

ROWS = st.integers(min_value=1, max_value=40)
_values = st.floats(min_value=-1e6, max_value=1e6) | st.just(float("nan"))  # NaN: a missing value


def _columns(rows: int, width: int = 1):  # noqa: ANN202
    return hnp.arrays(np.float64, (rows, width), elements=_values)


def _same(got: np.ndarray, expected: np.ndarray) -> None:
    expected = np.where(np.isfinite(expected), expected, np.nan)  # not finite -> missing
    np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), rows=ROWS)
def test_arithmetic_and_conditionals_match_numpy(data, rows) -> None:
    a, b = data.draw(_columns(rows)), data.draw(_columns(rows))
    env = {"A-1": a, "b": b}
    with np.errstate(all="ignore"):
        cases = {
            "(`A-1` * 12 - b) / 2": (a * 12 - b) / 2,
            "`A-1` / b": a / b,
            "`A-1` ** 2 + abs(b)": a**2 + np.abs(b),
            "min(`A-1`, b, 5)": np.fmin(np.fmin(a, b), 5),
            "max(`A-1`, b)": np.fmax(a, b),
            "round(`A-1` / 3, 2)": np.round(a / 3, 2),
            "`A-1` if b > 0 else -b": np.where(np.isnan(b), np.nan, np.where(b > 0, a, -b)),
            "where(`A-1` >= b, 1, 0)": np.where(np.isnan(a) | np.isnan(b), np.nan, (a >= b).astype(float)),
            "not (`A-1` > 0 and b > 0)": ~((np.nan_to_num(a) > 0) & (np.nan_to_num(b) > 0)) * 1.0,
        }
    for text, expected in cases.items():
        _same(parse_expression(text).evaluate(env), expected[:, 0])


@settings(max_examples=60, deadline=None)
@given(data=st.data(), rows=ROWS, width=st.integers(min_value=1, max_value=6))
def test_table_reductions_match_numpy(data, rows, width) -> None:
    table, income = data.draw(_columns(rows, width)), data.draw(_columns(rows))
    env = {"BAL(*)": table, "INCOME": income}
    present = ~np.isnan(table)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing rows
        cases = {
            "sum(`BAL(*)`)": np.nansum(table, axis=1),
            "sum(`BAL(*)`) / INCOME": np.nansum(table, axis=1) / income[:, 0],
            "count(`BAL(*)` > 0)": ((table > 0) & present).sum(axis=1).astype(float),
            "count(`BAL(*)`)": ((table != 0) & present).sum(axis=1).astype(float),
            "max(`BAL(*)`)": np.nanmax(table, axis=1),
            "min(`BAL(*)` * 2)": np.nanmin(table * 2, axis=1),
            "mean(`BAL(*)`)": np.nanmean(table, axis=1),
        }
    for text, expected in cases.items():
        _same(parse_expression(text).evaluate(env), expected)


SCHEMA = FeatureSchema(features=(
    FeatureSpec(name="dti", kind=FeatureKind.NUMBER, nullable=True),
    FeatureSpec(name="accounts", kind=FeatureKind.INTEGER),
))
MAPPING = RequestMapping(model="m", features=(
    FeatureMap(feature="dti", expr="(sum(`BAL(*)`) + `LOAN-AMT`) / `INCOME`"),
    FeatureMap(feature="accounts", expr="count(`BAL(*)` > 0)", type="integer"),
))


@settings(max_examples=40, deadline=None)
@given(data=st.data(), rows=ROWS)
def test_one_request_gives_what_its_row_of_a_batch_gives(data, rows) -> None:
    finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
    columns = {name: data.draw(hnp.arrays(np.float64, rows, elements=finite))
               for name in ("BAL(1)", "BAL(2)", "BAL(3)", "LOAN-AMT", "INCOME")}
    matrix, bad = feature_matrix(MAPPING, SCHEMA, columns, rows, date(2026, 1, 1))
    assert bad == {}
    for row in range(rows):
        values = {name: column[row] for name, column in columns.items()}
        features = MAPPING.decode(values, request_id="r", channel="test").features
        expected = np.array([np.nan if features[n] is None else features[n] for n in SCHEMA.names], dtype=float)
        np.testing.assert_allclose(matrix[row], expected, rtol=1e-12, equal_nan=True)


def test_tables_read_from_every_message_shape() -> None:
    """SOAP's ``A[n]/B``, AMQP XML's repeated path (a list) and a JSON array of objects."""
    mapping = RequestMapping(model="m", features=(FeatureMap(feature="dti", expr="sum(`Acct[*]/Bal`) / 10"),))
    soap = {"Acct[1]/Bal": "10", "Acct[2]/Bal": 30, "Acct/Bal": "10"}
    xml = {"Acct/Bal": ["10", "30"]}
    assert mapping.decode(soap, request_id="r", channel="t").features["dti"] == 4.0
    assert mapping.decode(xml, request_id="r", channel="t").features["dti"] == 4.0
    json_mapping = RequestMapping(model="m", features=(FeatureMap(feature="dti", expr="sum(`accts[*].bal`)"),))
    assert json_mapping.decode({"accts": [{"bal": 1.5}, {"bal": 2}]}, request_id="r", channel="t").features["dti"] == 3.5


def test_an_unreadable_field_is_a_violation_naming_it() -> None:
    from scoregate.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        MAPPING.decode({"BAL(1)": "12x", "LOAN-AMT": 1, "INCOME": 2}, request_id="r", channel="t")
    assert {v.field for v in caught.value.violations} == {"BAL(1)"}  # both features read it
    _, bad = feature_matrix(MAPPING, SCHEMA, {"BAL(1)": np.array(["5", "x"]), "LOAN-AMT": np.ones(2), "INCOME": np.ones(2)},
                            2, date(2026, 1, 1))
    assert list(bad) == [1] and bad[1][0].field == "BAL(1)"


@pytest.mark.parametrize(("expr", "refused"), [
    ("income.__class__", "the attribute 'income.__class__' is not allowed"),
    ("`BAL(*)`[0]", "the subscript"),
    ("(lambda: 1)()", "calling 'lambda: 1'"),
    ("lambda: 1", "lambda is not allowed"),
    ("__import__('os').system('true')", "is not allowed"),
    ("open('/etc/passwd')", "calling 'open' is not allowed"),
    ("eval('1')", "calling 'eval' is not allowed"),
    ("'text'", "the constant 'text' is not allowed"),
    ("[x for x in y]", "ListComp"),
    ("round(income, digits=2)", "a keyword argument is not allowed"),
    ("income in (1, 2)", "'in' and 'is'"),
    ("`BAL(*)` * 2", "gives a table, not one value"),
    ("sum(a, b)", "sum takes one table"),
    ("income +", "does not parse"),
    ("__field0 + 1", "reserved"),
])
def test_refused_at_load_in_one_line(expr, refused) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(expr)
    assert refused in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(ValidationError) as loaded:  # and so is a mapping that holds it
        FeatureMap(feature="dti", expr=expr)
    assert refused in loaded.value.errors()[0]["msg"]
