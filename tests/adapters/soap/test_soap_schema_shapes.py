"""Schema shapes a bank's WSDL may carry, each served by configuration and called by a real zeep client.

attributes12: a SOAP 1.2-only service whose inline schema has no targetNamespace and only imports an
external XSD (which includes a chameleon schema and imports a code list that includes another, two
folders away); the loan travels in attributes, an attribute group sits on the wrapper, the score
comes back as simple content with an attribute, reasons and faulty fields as repeated strings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zeep
from lxml import etree
from soap_support import (
    ATTRIBUTES, DATA, SOAP11, SOAP12, ChannelThread, age_today, born_years_ago, http_request, post_soap11, post_soap12,
)
from zeep.exceptions import Fault

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest

TYPES = "http://loans.example.org/types"
BORN = born_years_ago(38)
DEFAULTS = {
    "residence_years": 3, "number_of_dependants": 0, "interest_rate": 9.5, "has_cosigner": 0, "open_accounts": 4,
    "delinquencies_2y": 0, "inquiries_6m": 0, "bankruptcies": 0,
}
LOAN = {
    "Applicant": {"monthlyIncome": "4000.00", "born": BORN, "housing": "RENT"},
    "Loan": {"amount": "12000.00", "months": 36, "purpose": "CAR"},
    "reference": "APP-77", "channel": "branch",
}


@pytest.fixture(scope="module")
def attributes_service(attributes_server):
    client = zeep.Client(f"{attributes_server.url}?wsdl")  # fetches types/loan.xsd and the rest from us
    return client.create_service("{http://loans.example.org/wsdl}LoanScoreSoap12", attributes_server.url)


def test_attributes_and_simple_content_score_as_the_core_does(attributes_service, shared_core) -> None:
    answer = attributes_service.ScoreLoan(**LOAN)

    features = {
        "age": age_today(BORN), "annual_income": 48000.0, "home_ownership": "RENT", "loan_amount": 12000.0,
        "loan_term_months": 36, "loan_purpose": "CAR", **DEFAULTS,
    }
    with ScoringClient(shared_core.client_settings()) as core:
        direct = core.score(ScoreRequest(request_id="d", model="credit-risk", features=features, reason_count=3))
    assert answer.decision == direct.decision
    assert answer.reference == "APP-77"
    assert answer.Score._value_1 == round(1000 * (1 - direct.probability))
    assert answer.Score.scale == 1000
    assert answer.Reason == [r.code for r in direct.reasons]


def test_an_absent_optional_attribute_takes_the_default(attributes_service) -> None:
    answer = attributes_service.ScoreLoan(**{**LOAN, "Applicant": {"monthlyIncome": "4000.00", "born": BORN}})
    assert answer.decision in ("APPROVE", "REVIEW", "DECLINE")


def test_a_bad_attribute_is_a_fault_naming_it_with_one_field_element_each(attributes_service) -> None:
    with pytest.raises(Fault) as caught:
        # zeep checks neither enumerations nor facets on the way out: the server's XSD check must.
        attributes_service.ScoreLoan(**{**LOAN, "Loan": {"amount": "-5", "months": 36, "purpose": "BOAT"}})
    fault = caught.value
    assert fault.code == "soap:Sender"
    detail = fault.detail.find(f"{{{TYPES}}}LoanFault")
    assert detail.findtext(f"{{{TYPES}}}Code") == "invalid_input"
    fields = sorted(f.text.split(":")[0] for f in detail.findall(f"{{{TYPES}}}Field"))
    assert fields == ["Loan/@amount", "Loan/@purpose"]


def test_a_value_out_of_the_models_range_is_told_in_the_callers_field_and_units(attributes_service) -> None:
    born = born_years_ago(16)
    with pytest.raises(Fault) as caught:
        attributes_service.ScoreLoan(**{**LOAN, "Applicant": {"monthlyIncome": "450000.00", "born": born}})
    detail = caught.value.detail.find(f"{{{TYPES}}}LoanFault")
    assert sorted(f.text for f in detail.findall(f"{{{TYPES}}}Field")) == [
        # The model's annual_income is 0..5,000,000 a year; this caller sends a monthly income.
        "Applicant/@born: OUT_OF_RANGE: must give an age between 18 and 100 years",
        "Applicant/@monthlyIncome: OUT_OF_RANGE: must be between 0 and 416666.67",
    ]


@pytest.mark.parametrize(
    "route", ["?wsdl", "types/loan.xsd", "types/common.xsd", "codes/purpose.xsd", "codes/housing.xsd"]
)
def test_every_document_is_served_byte_for_byte(attributes_server, route) -> None:
    base = attributes_server.url.rsplit("/", 1)[0]
    url = f"{attributes_server.url}{route}" if route.startswith("?") else f"{base}/{route}"
    file = ATTRIBUTES / ("LoanScore.wsdl" if route == "?wsdl" else route)
    reply = http_request(url, method="GET")
    assert (reply.status, reply.body) == (200, file.read_bytes())


# ---------------------------------------------------------------- inline-many
APPLY_DEFAULTS = {
    "home_ownership": "RENT", "loan_purpose": "OTHER", "residence_years": 3, "number_of_dependants": 0,
    "interest_rate": 9.5, "has_cosigner": 0, "open_accounts": 4, "delinquencies_2y": 0, "inquiries_6m": 0, "bankruptcies": 0,
}


def direct_score(shared_core, features: dict, reasons: int):
    with ScoringClient(shared_core.client_settings()) as core:
        return core.score(ScoreRequest(request_id="d", model="credit-risk", features=features, reason_count=reasons))


def apply_envelope(applicant: str, term: str = "48", extra: str = "") -> bytes:
    return (
        f'<s:Envelope xmlns:s="{SOAP11}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><s:Body>'
        f'<Apply xmlns="urn:apply" xmlns:p="urn:party" xmlns:m="urn:money"><Applicant>{applicant}</Applicant>'
        f"<Amount>9000</Amount><Term>{term}</Term><Tags>web returning</Tags>{extra}</Apply></s:Body></s:Envelope>"
    ).encode()


PERSON = (f'<p:Person><p:Name xsi:nil="true"/><p:Born>{BORN.isoformat()}</p:Born>'
          "<p:Income><m:Amount>52000</m:Amount></p:Income></p:Person>")
COMPANY = "<p:Company><p:Registration>GB-0042</p:Registration><p:Turnover>2500000</p:Turnover></p:Company>"


def test_a_choice_branch_nillable_and_another_namespaces_amount_are_read(inline_server, shared_core) -> None:
    client = zeep.Client(f"{inline_server.url}?wsdl")
    service = client.create_service("{urn:apply:wsdl}ApplySoap", inline_server.url)
    person = {"Name": None, "Born": BORN, "Income": {"Amount": "52000"}}
    answer = service.Apply(Applicant={"Person": person}, Amount="9000", Term="48")

    features = {"age": age_today(BORN), "annual_income": 52000.0, "loan_amount": 9000.0, "loan_term_months": 48,
                "savings_balance": None, **APPLY_DEFAULTS}
    direct = direct_score(shared_core, features, 2)
    assert (answer.Decision, answer.Score) == (direct.decision, round(direct.probability * 999))
    assert answer.Reasons.Reason == [r.feature for r in direct.reasons]


def test_the_other_branch_a_substitution_member_and_any_content_are_read(inline_server, shared_core) -> None:
    # zeep cannot parse a substitution group member: the request is posted as a .NET client would send it.
    extra = '<m:House value="180000"/><Extensions><x:Trace xmlns:x="urn:trace">t-1</x:Trace></Extensions>'
    reply = post_soap11(inline_server.url, apply_envelope(COMPANY, extra=extra), action='"urn:apply#Apply"')
    assert reply.status == 200, reply.body
    features = {"age": 45, "annual_income": 30000.0, "loan_amount": 9000.0, "loan_term_months": 48,
                "savings_balance": 180000.0, **APPLY_DEFAULTS}
    direct = direct_score(shared_core, features, 2)
    assert f"<Decision>{direct.decision}</Decision>".encode() in reply.body.replace(b"ns0:", b"")


def test_a_union_member_that_means_missing_is_refused_in_the_callers_words(inline_server) -> None:
    reply = post_soap11(inline_server.url, apply_envelope(PERSON, term="OPEN"), action='"urn:apply#Apply"')
    assert reply.status == 500
    assert b"<faultcode>soap:Client</faultcode>" in reply.body
    assert b"Term: MISSING" in reply.body  # the caller's element, not the model's loan_term_months


# ---------------------------------------------------------------- wsdl-import, ?singleWsdl
IMPORTING = DATA / "wsdl-import"
COMMON_URL = "http://schemas.example.org/common/v1/common.xsd"
QUOTE_DEFAULTS = {**APPLY_DEFAULTS, "home_ownership": "RENT", "loan_purpose": "OTHER"}


class PublicSchemaHost(zeep.Transport):
    """Stands in for the schema owner's web server, which the client fetches the absolute URL from."""

    def load(self, url: str) -> bytes:
        return (IMPORTING / "common" / "common.xsd").read_bytes() if url == COMMON_URL else super().load(url)


@pytest.fixture(scope="module")
def importing_server(shared_core):
    server = ChannelThread(SoapChannelConfig.load(IMPORTING / "quote.toml", port=0), shared_core.client_settings()).start()
    yield server
    server.stop()


@pytest.mark.parametrize("port", ["QuoteSoap11", "QuoteSoap12"])
def test_an_imported_wsdl_with_an_included_and_an_absolutely_located_schema(importing_server, shared_core, port) -> None:
    client = zeep.Client(f"{importing_server.url}?wsdl", transport=PublicSchemaHost())
    service = client.create_service(f"{{urn:quote:svc}}{port}", importing_server.url)
    answer = service.Quote(Amount="8000", Months=24, AnnualIncome="41000", Age=33)

    features = {"age": 33, "annual_income": 41000.0, "loan_amount": 8000.0, "loan_term_months": 24, **QUOTE_DEFAULTS}
    direct = direct_score(shared_core, features, 0)
    assert answer.Decision == direct.decision
    assert float(answer.Probability) == pytest.approx(direct.probability, abs=1e-6)


def test_the_imported_documents_are_served_and_the_other_hosts_schema_is_not(importing_server) -> None:
    base = importing_server.url.rsplit("/", 1)[0]
    for route in ("abstract/Interface.wsdl", "abstract/parts/request.xsd"):
        assert http_request(f"{base}/{route}", method="GET").body == (IMPORTING / route).read_bytes()
    assert http_request(f"{base}/abstract/common/common.xsd", method="GET").status == 404
    # Its target namespaces differ, so it has no single-document form, and the answer says why.
    single = http_request(f"{importing_server.url}?singleWsdl", method="GET")
    assert (single.status, single.body) == (404, b"no ?singleWsdl: the imported WSDL Interface.wsdl has another target"
                                                 b" namespace (urn:quote:iface) than the main one, and one WSDL document has one\n")


def test_single_wsdl_is_the_whole_wcf_contract_in_one_document(shared_core) -> None:
    broker = Path(__file__).parent / "contracts" / "broker"
    server = ChannelThread(SoapChannelConfig.load(broker / "broker.json", port=0), shared_core.client_settings()).start()
    try:
        reply = http_request(f"{server.url}?singleWsdl", method="GET")
        assert reply.status == 200
        assert b"schemaLocation" not in reply.body and b"xsd:import" in reply.body
        # One namespace per prefix in the whole document (xsd0 and xsd2 both say q1, for two namespaces).
        bound = {(p, u) for el in etree.fromstring(reply.body).iter() for p, u in el.nsmap.items() if p}
        assert len(bound) == len({p for p, _ in bound})
        assert len(re.findall(rb"<xs:schema [^>]*targetNamespace=", reply.body)) == 3  # one per namespace
        # A client that reads only this one document (no ?xsd= fetches) calls the service.
        client = zeep.Client(f"{server.url}?singleWsdl", transport=NoOtherDocuments(f"{server.url}?singleWsdl"))
        service = client.create_service("{http://tempuri.org/}BasicHttpBinding_IScoreBroker", server.url)
        request = {"AgeYears": 35, "Amount": "12000", "BrokerRef": "BRK-1", "MonthlyIncome": "4000", "Housing": "Owner",
                   "Purpose": "Vehicle", "RatePercent": "8.5", "TermMonths": 48, "YearsAtAddress": 6,
                   "CreditFile": {"OpenAccounts": 5}}
        assert service.GetCreditDecision(request=request).Decision in ("Accept", "Refer", "Decline")
    finally:
        server.stop()


class NoOtherDocuments(zeep.Transport):
    """A client transport that fetches one URL and refuses every other: proves nothing else is needed."""

    def __init__(self, only: str) -> None:
        super().__init__()
        self.only = only

    def load(self, url: str) -> bytes:
        if url != self.only:
            raise AssertionError(f"the single WSDL still refers to {url}")
        return super().load(url)
