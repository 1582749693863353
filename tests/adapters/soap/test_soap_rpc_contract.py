"""A third shape: rpc/literal (Axis 1.4 style, typed parts with unqualified accessors, no declared
fault), served by configuration alone and XSD-checked through declarations written from its messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import zeep
from lxml import etree
from soap_support import SOAP11, ChannelThread, post_soap11
from zeep.exceptions import Fault

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest

CONTRACT = Path(__file__).parent / "contracts" / "rpc"
NS = "urn:brokerlink:quickscore"
DEFAULTS = {
    "loan_purpose": "OTHER", "residence_years": 3, "number_of_dependants": 0, "interest_rate": 9.9, "has_cosigner": 0,
    "open_accounts": 4, "delinquencies_2y": 0, "inquiries_6m": 0, "bankruptcies": 0,
}


@pytest.fixture(scope="module")
def rpc_server(shared_core):
    server = ChannelThread(SoapChannelConfig.load(CONTRACT / "quickscore.json", port=0), shared_core.client_settings()).start()
    yield server
    server.stop()


def test_rpc_literal_call_scores_as_the_core_does(rpc_server, shared_core) -> None:
    client = zeep.Client(f"{rpc_server.url}?wsdl")
    service = client.create_service(f"{{{NS}}}QuickScoreSoapBinding", rpc_server.url)
    answer = service.quickScore(applicant={"age": 33, "income": "41000.50", "tenure": "RNT"}, amount="7000", termMonths=24)

    features = {"age": 33, "annual_income": 41000.5, "home_ownership": "RENT", "loan_amount": 7000.0,
                "loan_term_months": 24, **DEFAULTS}
    with ScoringClient(shared_core.client_settings()) as core:
        direct = core.score(ScoreRequest(request_id="d", model="credit-risk", features=features))
    assert (answer.band, answer.points) == (direct.decision, round((1 - direct.probability) * 100))


def test_rpc_body_is_checked_against_the_xsd(rpc_server) -> None:
    client = zeep.Client(f"{rpc_server.url}?wsdl")
    service = client.create_service(f"{{{NS}}}QuickScoreSoapBinding", rpc_server.url)
    with pytest.raises(Fault) as caught:
        service.quickScore(applicant={"age": 33, "income": "41000.50", "tenure": "CARAVAN"}, amount="7000", termMonths=24)
    assert caught.value.code == "soap:Client"
    assert "applicant/tenure: UNKNOWN_CATEGORY" in caught.value.message
    assert caught.value.detail is None  # the WSDL declares no fault: nothing is invented


def test_rpc_part_missing_in_a_hand_written_envelope(rpc_server) -> None:
    body = (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><q:quickScore xmlns:q="{NS}"><applicant><age>33</age>'
            "<income>41000</income><tenure>OWN</tenure></applicant><termMonths>24</termMonths></q:quickScore></s:Body></s:Envelope>")
    reply = post_soap11(rpc_server.url, body.encode(), action='""')
    fault = etree.fromstring(reply.body).find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert (reply.status, fault.findtext("faultcode")) == (500, "soap:Client")
    assert "amount: MISSING" in fault.findtext("faultstring")
