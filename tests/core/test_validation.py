"""Validation against a feature schema, without a server: single values and whole matrices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoregate.core.contract import FeatureKind, FeatureSchema, FeatureSpec
from scoregate.core.errors import ViolationCode
from scoregate.core.encoder import encode_features
from scoregate.core.validation import check_columns, validate_matrix

SCHEMA = FeatureSchema(
    features=(
        FeatureSpec(name="income", kind=FeatureKind.NUMBER, minimum=0, maximum=1e6),
        FeatureSpec(name="age", kind=FeatureKind.INTEGER, minimum=18, maximum=100),
        FeatureSpec(name="dti", kind=FeatureKind.NUMBER, minimum=0, maximum=2, nullable=True),
        FeatureSpec(name="home", kind=FeatureKind.CATEGORY, codes=("RENT", "OWN", "10")),
    )
)
GOOD = {"income": 50_000.0, "age": 30, "dti": 0.3, "home": "OWN"}


def test_a_good_request_becomes_one_row_in_schema_order() -> None:
    row, violations = encode_features(SCHEMA, GOOD)
    assert violations == []
    np.testing.assert_array_equal(row, [[50_000.0, 30.0, 0.3, 1.0]])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"dti": None}, None),
        ({"dti": math.nan}, None),  # NaN on a nullable feature means missing
        ({"age": 30.0}, None),  # a whole float is an integer
        ({"home": 10}, None),  # numeric legacy codes compare as text
        ({"age": None}, ("age", ViolationCode.MISSING)),
        ({"income": math.nan}, ("income", ViolationCode.NOT_A_NUMBER)),
        ({"income": -1.0}, ("income", ViolationCode.OUT_OF_RANGE)),
        ({"income": True}, ("income", ViolationCode.WRONG_TYPE)),
        ({"income": "5"}, ("income", ViolationCode.WRONG_TYPE)),
        ({"home": "CASTLE"}, ("home", ViolationCode.UNKNOWN_CATEGORY)),
        ({"home": 1.5}, ("home", ViolationCode.WRONG_TYPE)),
        ({"extra": 1}, ("extra", ViolationCode.UNKNOWN_FEATURE)),
    ],
)
def test_single_values(change, expected) -> None:
    _, violations = encode_features(SCHEMA, {**GOOD, **change})
    assert [(v.field, v.code) for v in violations] == ([expected] if expected else [])


def test_matrix_flags_only_the_bad_rows() -> None:
    matrix = np.array(
        [
            [50_000, 30, 0.3, 1],
            [50_000, 30.5, np.nan, 0],  # fractional integer; missing nullable is fine
            [np.inf, 30, 0.3, 3],  # infinite number, category index out of range
            [np.nan, 17, 0.3, 0.5],  # missing required, below minimum, fractional category
            [0, 100, 2, 2],  # bounds are inclusive
        ],
        dtype=np.float64,
    )
    rejects = validate_matrix(SCHEMA, matrix)
    assert sorted(rejects) == [1, 2, 3]
    assert [(v.field, v.code) for v in rejects[1]] == [("age", ViolationCode.WRONG_TYPE)]
    assert [(v.field, v.code) for v in rejects[2]] == [("income", ViolationCode.NOT_A_NUMBER), ("home", ViolationCode.UNKNOWN_CATEGORY)]
    assert {(v.field, v.code) for v in rejects[3]} == {
        ("income", ViolationCode.MISSING), ("age", ViolationCode.OUT_OF_RANGE), ("home", ViolationCode.UNKNOWN_CATEGORY),
    }


def test_batch_columns_must_be_the_schema_order() -> None:
    assert check_columns(SCHEMA, SCHEMA.names) == []
    assert [v.code for v in check_columns(SCHEMA, ("income", "age", "dti", "house"))] == [
        ViolationCode.UNKNOWN_FEATURE, ViolationCode.MISSING,
    ]
    assert [v.field for v in check_columns(SCHEMA, ("age", "income", "dti", "home"))] == ["feature_names"]
