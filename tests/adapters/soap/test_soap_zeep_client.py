"""A real zeep Client, built from the served ?wsdl, calls every operation over HTTP in SOAP 1.1 and 1.2
and gets what the core gives for the same canonical features."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import zeep
from zeep.exceptions import Fault
from zeep.transports import Transport

from soap_support import BINDING11, BINDING12, NS, born_years_ago, expected_features, legacy_application
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest, ScoreResult

DECISIONS = {"APPROVE": "A", "REVIEW": "R", "DECLINE": "D"}
OUTCOMES = {"APPROVE": "GO", "REVIEW": "REFER", "DECLINE": "STOP"}


@pytest.fixture(scope="module")
def zeep_client(soap_server) -> zeep.Client:
    return zeep.Client(f"{soap_server.url}?wsdl", transport=Transport(timeout=10, operation_timeout=10))


@pytest.fixture(scope="module")
def core_client(shared_core) -> ScoringClient:
    with ScoringClient(shared_core.client_settings()) as client:
        yield client


def core_says(client: ScoringClient, features: dict, reason_count: int) -> ScoreResult:
    return client.score(ScoreRequest(request_id="direct", model="credit-risk", features=features, reason_count=reason_count))


@pytest.mark.parametrize("binding", [BINDING11, BINDING12], ids=["soap11", "soap12"])
def test_assess_credit_application_scores_as_the_core_does(zeep_client, soap_server, core_client, binding) -> None:
    born = born_years_ago(41)
    service = zeep_client.create_service(binding, soap_server.url)

    answer = service.AssessCreditApplication(Application=legacy_application(born))

    direct = core_says(core_client, expected_features(born), reason_count=4)
    assert answer.ApplicationNo == "LN20110342"
    assert answer.Decision.DecisionCode == DECISIONS[direct.decision]
    assert answer.Decision.RiskScore == round((1 - direct.probability) * 999)
    assert answer.Decision.ProbabilityOfDefault == Decimal(str(round(direct.probability, 4)))
    assert answer.ReasonCodes.ReasonCode == [r.code for r in direct.reasons]
    assert len(direct.reasons) == 4
    assert answer.ScorecardId == f"credit-risk:{direct.version}"


@pytest.mark.parametrize("binding", [BINDING11, BINDING12], ids=["soap11", "soap12"])
def test_pre_screen_fills_numbered_reasons_and_defaults_the_rest(zeep_client, soap_server, core_client, binding) -> None:
    born = born_years_ago(29)
    service = zeep_client.create_service(binding, soap_server.url)

    answer = service.PreScreenApplicant(Request={
        "ReferenceNo": "Q-1001", "BirthDate": born, "AnnualIncome": Decimal("31000"), "ResidentialStatus": "R",
        "AmountRequested": Decimal("9000"), "TermMonths": 48, "PurposeCode": "01",
    })

    features = {
        "age": 29, "annual_income": 31000.0, "home_ownership": "RENT", "loan_amount": 9000.0, "loan_term_months": 48,
        "loan_purpose": "DEBT_CONSOLIDATION", "residence_years": 3, "number_of_dependants": 0, "interest_rate": 9.9,
        "has_cosigner": 0, "open_accounts": 4, "delinquencies_2y": 0, "inquiries_6m": 0, "bankruptcies": 0,
    }
    direct = core_says(core_client, features, reason_count=3)
    assert answer.ReferenceNo == "Q-1001"
    assert answer.Outcome == OUTCOMES[direct.decision]
    assert answer.Score == round(300 + (1 - direct.probability) * 550)
    assert [answer.Reason1, answer.Reason2, answer.Reason3] == [r.code for r in direct.reasons]


def test_declared_soap_header_is_accepted(zeep_client, soap_server) -> None:
    service = zeep_client.create_service(BINDING11, soap_server.url)
    header = zeep_client.get_element(f"{{{NS}}}ServiceContext")(SourceSystem="LOS", UserId="u123", TransactionId="t-1")
    answer = service.AssessCreditApplication(Application=legacy_application(born_years_ago(41)), _soapheaders=[header])
    assert answer.Decision.DecisionCode in DECISIONS.values()


@pytest.mark.parametrize(
    ("binding", "code"), [(BINDING11, "soap:Client"), (BINDING12, "soap:Sender")], ids=["soap11", "soap12"]
)
def test_a_value_the_model_rejects_is_a_client_fault_naming_the_callers_field(zeep_client, soap_server, binding, code) -> None:
    application = legacy_application(born_years_ago(12))  # valid for the XSD, too young for the model
    service = zeep_client.create_service(binding, soap_server.url)

    with pytest.raises(Fault) as caught:
        service.AssessCreditApplication(Application=application)

    fault = caught.value
    assert fault.code == code
    detail = fault.detail.find(f"{{{NS}}}RiskServiceFault")
    assert detail.findtext(f"{{{NS}}}ErrorCode") == "E100"
    errors = detail.findall(f"{{{NS}}}ValidationErrors/{{{NS}}}ValidationError")
    assert [(e.findtext(f"{{{NS}}}FieldName"), e.findtext(f"{{{NS}}}ErrorCode")) for e in errors] == [
        ("Application/Applicant/DateOfBirth", "OUT_OF_RANGE")
    ]
    if binding == BINDING12:
        assert [str(s) for s in fault.subcodes] == [f"{{{NS}}}RiskServiceFault"]


def test_mapping_rejects_a_date_it_cannot_age(zeep_client, soap_server) -> None:
    # A birth date in the future passes the XSD, and the model's age range rejects it by the caller's name.
    application = legacy_application(date(date.today().year + 1, 1, 1))
    service = zeep_client.create_service(BINDING11, soap_server.url)
    with pytest.raises(Fault) as caught:
        service.AssessCreditApplication(Application=application)
    assert "Application/Applicant/DateOfBirth" in caught.value.message
