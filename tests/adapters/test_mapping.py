"""The declarative mapping shared by every channel: pure, table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from scoregate.adapters.mapping import FeatureMap, RequestMapping, ResponseMapping, ResultField, ErrorField, rename_violations
from scoregate.core.contract import ReasonCode, ScoreResult
from scoregate.core.errors import CoreUnavailable, ErrorKind, FieldViolation, InvalidInput, ViolationCode

TODAY = date(2026, 11, 25)

MAPPING = RequestMapping(
    model="credit-risk",
    reason_count=3,
    reference="Application/Number",
    features=(
        FeatureMap(feature="age", source="Applicant/BirthDate", type="date", age="years"),
        FeatureMap(feature="annual_income", source="Applicant/IncomeCents", scale=0.01),
        FeatureMap(feature="loan_term_months", source="Loan/TermMonths", type="integer"),
        FeatureMap(feature="home_ownership", source="Applicant/Housing", codes={"R": "RENT", "O": "OWN", "M": "MORTGAGE"}),
        FeatureMap(feature="has_cosigner", source="Loan/CoSigner", type="boolean", default=0),
        FeatureMap(feature="savings_balance", source="Applicant/Savings"),
        FeatureMap(feature="bankruptcies", default=0),
    ),
)

VALUES = {
    "Application/Number": " APP-001 ",
    "Applicant/BirthDate": "19851126",
    "Applicant/IncomeCents": "5800000",
    "Loan/TermMonths": "36",
    "Applicant/Housing": "M",
    "Loan/CoSigner": "Y",
    "Applicant/Savings": "",
}


def test_decode_reads_types_scales_codes_dates_and_defaults() -> None:
    request = MAPPING.decode(VALUES, request_id="r1", channel="soap", today=TODAY)
    assert request.features == {
        "age": 40,  # the 41st birthday is tomorrow
        "annual_income": 58000.0,
        "loan_term_months": 36,
        "home_ownership": "MORTGAGE",
        "has_cosigner": 1,
        "savings_balance": None,  # blank means missing
        "bankruptcies": 0,
    }
    assert (request.caller.reference, request.caller.channel, request.reason_count) == ("APP-001", "soap", 3)


@pytest.mark.parametrize(
    ("path", "raw", "code"),
    [
        ("Applicant/IncomeCents", "lots", ViolationCode.WRONG_TYPE),
        ("Loan/TermMonths", "36.5", ViolationCode.WRONG_TYPE),
        ("Applicant/Housing", "X", ViolationCode.UNKNOWN_CATEGORY),
        ("Applicant/BirthDate", "31/12/1980", ViolationCode.WRONG_TYPE),
        ("Loan/CoSigner", "maybe", ViolationCode.WRONG_TYPE),
    ],
)
def test_unreadable_values_are_reported_by_legacy_path(path, raw, code) -> None:
    with pytest.raises(InvalidInput) as caught:
        MAPPING.decode({**VALUES, path: raw}, request_id="r", channel="amqp", today=TODAY)
    assert [(v.field, v.code) for v in caught.value.violations] == [(path, code)]


def test_core_violations_are_renamed_to_the_callers_fields() -> None:
    error = InvalidInput([FieldViolation(field="annual_income", code=ViolationCode.OUT_OF_RANGE, message="too big")])
    assert rename_violations(error, MAPPING).violations[0].field == "Applicant/IncomeCents"


def test_core_violations_of_coded_and_sentinel_features_speak_the_callers_codes() -> None:
    mapping = RequestMapping(model="m", features=(
        FeatureMap(feature="open_accounts", source="Accounts", type="text", codes={"NONE": 0, "FEW": 3, "MANY": 40}),
        FeatureMap(feature="inquiries_6m", source="Inquiries", missing=(-1,)),
    ))
    error = InvalidInput([
        FieldViolation(field="open_accounts", code=ViolationCode.OUT_OF_RANGE, message="must be between 0 and 30"),
        FieldViolation(field="inquiries_6m", code=ViolationCode.MISSING, message="is required"),
    ])
    assert [(v.field, v.message) for v in rename_violations(error, mapping).violations] == [
        ("Accounts", "gives a value outside 0..30: use one of NONE, FEW"),
        ("Inquiries", "is required (here -1 means not reported)"),
    ]


def test_a_date_feature_needs_an_age_unit() -> None:
    with pytest.raises(ValueError, match="age"):
        FeatureMap(feature="age", source="x", type="date")


RESPONSE = ResponseMapping(
    result=(
        ResultField(target="Risk/Score", source="score", score_range=(300, 850), invert=True),
        ResultField(target="Risk/Decision", source="decision", codes={"APPROVE": "A", "REVIEW": "R", "DECLINE": "D"}),
        ResultField(target="Risk/Reason{n}", source="reason_codes", numbered=True, count=4, pad=""),
        ResultField(target="Risk/Reasons", source="reason_codes", count=2),
        ResultField(target="Risk/ModelVersion", source="model_version"),
        ResultField(target="Application/Number", source="reference"),
        ResultField(target="Risk/PD", source="probability", decimals=4),
    ),
    error=(
        ErrorField(target="Error/Code", source="code", codes={ErrorKind.INVALID_INPUT: "E10"}),
        ErrorField(target="Error/Text", source="message"),
        ErrorField(target="Error/Fields", source="violations"),
    ),
)

RESULT = ScoreResult(
    request_id="r1", model="credit-risk", version="2", probability=0.12345, decision="REVIEW",
    reasons=(ReasonCode(feature="debt_to_income", code="R12", contribution=0.4), ReasonCode(feature="inquiries_6m", code="R18", contribution=0.1)),
)


def test_encode_result() -> None:
    assert RESPONSE.encode_result(RESULT, reference="APP-001") == {
        "Risk/Score": 782,  # 300 + (1 - 0.12345) * 550
        "Risk/Decision": "R",
        "Risk/Reason1": "R12", "Risk/Reason2": "R18", "Risk/Reason3": "", "Risk/Reason4": "",
        "Risk/Reasons": ["R12", "R18"],
        "Risk/ModelVersion": "credit-risk:2",
        "Application/Number": "APP-001",
        "Risk/PD": 0.1235,
    }


def test_encode_error_uses_the_code_table_then_the_kind_name() -> None:
    invalid = InvalidInput([FieldViolation(field="Loan/TermMonths", code=ViolationCode.WRONG_TYPE, message="must be a whole number")])
    encoded = RESPONSE.encode_error(invalid)
    assert encoded["Error/Code"] == "E10"
    assert encoded["Error/Fields"] == ["Loan/TermMonths: WRONG_TYPE: must be a whole number"]
    assert RESPONSE.encode_error(CoreUnavailable("down"))["Error/Code"] == "CORE_UNAVAILABLE"


def test_a_fallback_result_is_marked_where_the_format_has_a_field_for_it() -> None:
    import numpy as np

    from scoregate.adapters.columnar import response_columns
    from scoregate.core.contract import BatchResult

    mapping = ResponseMapping(result=(
        ResultField(target="Risk/Fallback", source="fallback"),
        ResultField(target="Risk/Source", source="fallback", codes={"true": "BACKUP", "false": "PRIMARY"}),
    ))
    assert mapping.encode_result(RESULT) == {"Risk/Fallback": "N", "Risk/Source": "PRIMARY"}
    assert mapping.encode_result(RESULT.model_copy(update={"fallback": True})) == {"Risk/Fallback": "Y", "Risk/Source": "BACKUP"}
    batch = BatchResult(
        model="credit-risk", version="1-fallback", probabilities=np.array([0.1, 0.2]), decisions=np.array([0, 0], dtype=np.uint8),
        band_names=("APPROVE",), reason_features=np.zeros((2, 0), dtype=np.int32), reason_contributions=np.zeros((2, 0)),
        feature_names=(), reason_codes=(), fallback=True,
    )
    columns = response_columns(mapping, batch)  # the file channel's columnar path
    assert columns["Risk/Fallback"].tolist() == ["Y", "Y"] and columns["Risk/Source"].tolist() == ["BACKUP", "BACKUP"]
