"""The columnar mapping gives what the per-message mapping gives, for whole columns."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from scoregate.adapters.columnar import feature_matrix, response_columns
from scoregate.adapters.mapping import FeatureMap, RequestMapping, ResponseMapping, ResultField
from scoregate.core.contract import REJECTED, BatchResult, FeatureKind, FeatureSchema, FeatureSpec
from scoregate.core.errors import ViolationCode

SCHEMA = FeatureSchema(
    features=(
        FeatureSpec(name="age", kind=FeatureKind.INTEGER, minimum=18, maximum=100, reason_code="R01"),
        FeatureSpec(name="income", kind=FeatureKind.NUMBER, minimum=0, reason_code="R02"),
        FeatureSpec(name="home", kind=FeatureKind.CATEGORY, codes=("RENT", "OWN", "MORTGAGE"), reason_code="R03"),
        FeatureSpec(name="purpose", kind=FeatureKind.CATEGORY, codes=("CAR", "OTHER"), reason_code="R04"),
        FeatureSpec(name="cosigner", kind=FeatureKind.INTEGER, minimum=0, maximum=1, reason_code="R05"),
    )
)
MAPPING = RequestMapping(
    model="m",
    features=(
        FeatureMap(feature="age", source="BIRTH-DATE", type="date", age="years"),
        FeatureMap(feature="income", source="INCOME", scale=0.01),
        FeatureMap(feature="home", source="HOME", codes={"R": "RENT", "O": "OWN", "M": "MORTGAGE"}),
        FeatureMap(feature="purpose", source="PURPOSE", type="text", default="OTHER"),
        FeatureMap(feature="cosigner", default=0),
    ),
)
TODAY = date(2026, 11, 25)


def test_columns_become_the_model_matrix() -> None:
    columns = {
        "BIRTH-DATE": np.array([19851126, 19900101, 19901301]),
        "INCOME": np.array([5_800_000.0, 100.0, 0.0]),
        "HOME": np.array(["M", "R ", "X"]),
        "PURPOSE": np.array(["CAR", "", "BOAT"]),
    }
    matrix, bad = feature_matrix(MAPPING, SCHEMA, columns, 3, TODAY)
    np.testing.assert_array_equal(matrix[0], [40, 58_000, 2, 0, 0])
    np.testing.assert_array_equal(matrix[1], [36, 1, 0, 1, 0])  # blank purpose takes the default
    assert sorted(bad) == [2]
    assert {(v.field, v.code) for v in bad[2]} == {
        ("BIRTH-DATE", ViolationCode.WRONG_TYPE), ("HOME", ViolationCode.UNKNOWN_CATEGORY), ("PURPOSE", ViolationCode.UNKNOWN_CATEGORY),
    }


def test_results_become_response_columns() -> None:
    result = BatchResult(
        model="m", version="3",
        probabilities=np.array([0.1, np.nan, 0.9]),
        decisions=np.array([0, REJECTED, 1], dtype=np.uint8),
        band_names=("APPROVE", "DECLINE"),
        reason_features=np.array([[1, -1], [-1, -1], [2, 0]], dtype=np.int32),
        reason_contributions=np.zeros((3, 2)),
        feature_names=SCHEMA.names,
        reason_codes=tuple(f.reason_code for f in SCHEMA.features),
    )
    mapping = ResponseMapping(
        result=(
            ResultField(target="SCORE", source="score", score_range=(0, 999), invert=True),
            ResultField(target="DECISION", source="decision", codes={"APPROVE": "A", "DECLINE": "D"}),
            ResultField(target="REASON({n})", source="reason_codes", numbered=True, count=3, pad=""),
            ResultField(target="MODEL", source="model_version"),
            ResultField(target="REF", source="reference"),
        )
    )
    out = response_columns(mapping, result, np.array(["A1", "A2", "A3"]))
    assert out["SCORE"].tolist() == [899, 999, 100]
    assert out["DECISION"].tolist() == ["A", "", "D"]
    assert [out[f"REASON({n})"].tolist() for n in (1, 2, 3)] == [["R02", "", "R03"], ["", "", "R01"], ["", "", ""]]
    assert out["MODEL"].tolist() == ["m:3"] * 3 and out["REF"].tolist() == ["A1", "A2", "A3"]


def test_sentinel_values_mean_missing_in_columns_and_messages() -> None:
    mapping = RequestMapping(
        model="m",
        features=(
            FeatureMap(feature="income", source="INCOME", missing=(-1,)),
            FeatureMap(feature="home", source="HOME", codes={"R": "RENT"}, missing=("?",)),
        ),
    )
    columns = {"INCOME": np.array([-1.0, 5.0]), "HOME": np.array(["?", "R"])}
    matrix, bad = feature_matrix(mapping, SCHEMA, columns, 2, TODAY)
    assert bad == {}
    assert np.isnan(matrix[0, [1, 2]]).all() and matrix[1, 1] == 5.0 and matrix[1, 2] == 0
    request = mapping.decode({"INCOME": "-1", "HOME": "?"}, request_id="r", channel="files")
    assert request.features == {"income": None, "home": None}


def test_yes_no_text_reads_as_a_boolean_in_columns_as_in_one_request() -> None:
    mapping = RequestMapping(model="m", features=(FeatureMap(feature="cosigner", source="COSIGNER", type="boolean"),))
    columns = {"COSIGNER": np.array(["Y", "n", "yes", "0", "?"])}
    matrix, bad = feature_matrix(mapping, SCHEMA, columns, 5, TODAY)
    assert matrix[:4, 4].tolist() == [1, 0, 1, 0]
    assert list(bad) == [4]
    singles = [mapping.decode({"COSIGNER": v}, request_id="r", channel="files").features["cosigner"] for v in ("Y", "n", "yes", "0")]
    assert singles == [1, 0, 1, 0]


def test_dates_are_calendar_dates_in_columns_as_in_one_request() -> None:
    """31 February, 29 February of a common year, month 13: violations in both paths alike."""
    from scoregate.core.errors import InvalidInput

    born = np.array([19800231, 20230229, 20240229, 19901301, 19991231, 0])
    matrix, bad = feature_matrix(MAPPING, SCHEMA, {
        "BIRTH-DATE": born, "INCOME": np.zeros(6), "HOME": np.array(["R"] * 6), "PURPOSE": np.array([""] * 6),
    }, 6, TODAY)
    assert sorted(bad) == [0, 1, 3, 5]
    assert all(v[0].field == "BIRTH-DATE" and v[0].code is ViolationCode.WRONG_TYPE for v in bad.values())
    assert matrix[2, 0] == 2 and matrix[4, 0] == 26
    for row, value in enumerate(born):
        values = {"BIRTH-DATE": int(value), "INCOME": 0, "HOME": "R"}
        if row in bad:
            with pytest.raises(InvalidInput):
                MAPPING.decode(values, request_id="r", channel="t", today=TODAY)
        else:
            assert MAPPING.decode(values, request_id="r", channel="t", today=TODAY).features["age"] == matrix[row, 0]


def test_ages_and_durations_as_of_a_record_or_header_date() -> None:
    schema = FeatureSchema(features=(
        FeatureSpec(name="age", kind=FeatureKind.INTEGER), FeatureSpec(name="tenure", kind=FeatureKind.INTEGER),
        FeatureSpec(name="days", kind=FeatureKind.INTEGER),
    ))
    mapping = RequestMapping(model="m", features=(
        FeatureMap(feature="age", source="BORN", type="date", age="years", as_of="header:RUN-DATE"),
        FeatureMap(feature="tenure", source="OPENED", type="date", age="months", as_of="APPLIED"),
        FeatureMap(feature="days", source="OPENED", type="date", age="days", as_of="APPLIED"),
    ))
    columns = {
        "BORN": np.array([19800301, 19800229, 19800302]),
        "OPENED": np.array(["2024-01-31", "2023-02-28", "2024-02-29"]),
        "APPLIED": np.array([20240229, 20240228, 20240230]),  # the last is no date
    }
    matrix, bad = feature_matrix(mapping, schema, columns, 3, TODAY, header={"RUN-DATE": np.array([20000301])})
    assert matrix[:, 0].tolist() == [20, 20, 19]  # measured to the header's run date, not to today
    assert matrix[:2, 1].tolist() == [0, 12] and matrix[:2, 2].tolist() == [29, 365]
    assert np.isnan(matrix[2, 1:]).all() and [v.field for v in bad[2]] == ["APPLIED", "APPLIED"]
    # One request reads the same from its own fields.
    one = RequestMapping(model="m", features=mapping.features[1:])
    features = one.decode({"OPENED": "2023-02-28", "APPLIED": "20240228"}, request_id="r", channel="t").features
    assert features == {"tenure": 12, "days": 365}


def test_input_fields_are_copied_into_the_response() -> None:
    mapping = ResponseMapping(result=(
        ResultField(target="RD-BRANCH", source="input", field="LD-BRANCH"),
        ResultField(target="RD-DECISION", source="decision"),
    ))
    result = BatchResult(
        model="m", version="1", probabilities=np.array([0.1, 0.9]), decisions=np.array([0, 1], np.uint8),
        band_names=("APPROVE", "DECLINE"), reason_features=np.full((2, 0), -1, np.int32),
        reason_contributions=np.zeros((2, 0)), feature_names=SCHEMA.names, reason_codes=("R01",) * 5,
    )
    out = response_columns(mapping, result, inputs={"LD-BRANCH": np.array(["0042", "0077"])})
    assert out["RD-BRANCH"].tolist() == ["0042", "0077"]
    from scoregate.core.contract import ScoreResult

    one = ScoreResult(request_id="r", model="m", version="1", probability=0.1, decision="APPROVE")
    assert mapping.encode_result(one, inputs={"LD-BRANCH": "0042"})["RD-BRANCH"] == "0042"
    with pytest.raises(ValueError, match="'field' names the request field"):
        ResultField(target="X", source="input")
