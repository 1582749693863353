"""A second legacy contract of another shape, served by configuration alone: a WCF-style service
whose schemas live in imported XSD files (``?xsd=xsd0`` .. ``xsd2``, plus a relative xs:include),
with data-contract names, serialization arrays, an age sent as a number and monthly income."""

from __future__ import annotations

from pathlib import Path

import pytest
import zeep
from soap_support import ChannelThread, http_request
from zeep.exceptions import Fault

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest

CONTRACT = Path(__file__).parent / "contracts" / "broker"
TEMPURI = "http://tempuri.org/"
CONTRACTS_NS = "http://schemas.datacontract.org/2004/07/Broker.Contracts"
OUTCOMES = {"APPROVE": "Accept", "REVIEW": "Refer", "DECLINE": "Decline"}
REQUEST = {
    "AgeYears": 35, "Amount": "12000", "BrokerRef": "BRK-5521", "CoApplicant": False,
    "CreditFile": {"Bankruptcies": 0, "Delinquencies": 0, "Enquiries": 2, "OpenAccounts": 5},
    "Dependants": 1, "Housing": "Owner", "MonthlyIncome": "4000", "Purpose": "Vehicle", "RatePercent": "8.5",
    "TermMonths": 48, "YearsAtAddress": 6,
}
FEATURES = {
    "age": 35, "annual_income": 48000.0, "home_ownership": "OWN", "residence_years": 6, "number_of_dependants": 1,
    "loan_amount": 12000.0, "loan_term_months": 48, "loan_purpose": "CAR", "interest_rate": 8.5, "has_cosigner": 0,
    "open_accounts": 5, "delinquencies_2y": 0, "inquiries_6m": 2, "bankruptcies": 0,
}


@pytest.fixture(scope="module")
def broker_server(shared_core):
    server = ChannelThread(SoapChannelConfig.load(CONTRACT / "broker.json", port=0), shared_core.client_settings()).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def broker_client(broker_server) -> zeep.Client:
    # zeep fetches ?wsdl, then every ?xsd=... and codes.xsd from our server, as a .NET or Java tool would.
    return zeep.Client(f"{broker_server.url}?wsdl")


@pytest.mark.parametrize("binding", ["BasicHttpBinding_IScoreBroker", "WSHttpBinding_IScoreBroker"], ids=["soap11", "soap12"])
def test_wcf_style_contract_scores_as_the_core_does(broker_server, broker_client, shared_core, binding) -> None:
    service = broker_client.create_service(f"{{{TEMPURI}}}{binding}", broker_server.url)
    answer = service.GetCreditDecision(request=REQUEST)

    with ScoringClient(shared_core.client_settings()) as core:
        direct = core.score(ScoreRequest(request_id="d", model="credit-risk", features=FEATURES, reason_count=2))
    assert answer.Decision == OUTCOMES[direct.decision]
    assert answer.Score == round(1 + direct.probability * 99)
    assert answer.Probability == pytest.approx(direct.probability, abs=1e-12)
    assert answer.Reasons.string == [r.feature for r in direct.reasons]
    assert answer.ModelVersion == direct.version


@pytest.mark.parametrize(
    ("route", "file"),
    [("?xsd=xsd0", "xsd0.xsd"), ("?xsd=xsd1", "xsd1.xsd"), ("?xsd=xsd2", "xsd2.xsd"), ("?wsdl", "ScoreBroker.wsdl")],
)
def test_imported_documents_are_served_byte_for_byte(broker_server, route, file) -> None:
    reply = http_request(f"{broker_server.url}{route}", method="GET")
    assert (reply.status, reply.body) == (200, (CONTRACT / file).read_bytes())


def test_relatively_included_schema_is_served_where_a_client_resolves_it(broker_server) -> None:
    base = broker_server.url.rsplit("/", 1)[0]
    assert http_request(f"{base}/codes.xsd", method="GET").body == (CONTRACT / "codes.xsd").read_bytes()
    assert http_request(f"{base}/broker.json", method="GET").status == 404  # only the contract's own documents


def test_bad_enum_in_an_imported_schema_is_a_fault_with_the_wcf_detail(broker_server, broker_client) -> None:
    service = broker_client.create_service(f"{{{TEMPURI}}}BasicHttpBinding_IScoreBroker", broker_server.url)
    with pytest.raises(Fault) as caught:
        # zeep does not check enums on the way out either: the server's XSD check must catch it.
        service.GetCreditDecision(request={**REQUEST, "Housing": "Caravan"})
    fault = caught.value
    assert fault.code == "soap:Client"
    detail = fault.detail.find(f"{{{CONTRACTS_NS}}}BrokerFault")
    assert detail.findtext(f"{{{CONTRACTS_NS}}}Code") == "invalid_input"
    fields = [s.text for s in detail.find(f"{{{CONTRACTS_NS}}}Fields")]
    assert len(fields) == 1 and fields[0].startswith("request/Housing: UNKNOWN_CATEGORY: ")
