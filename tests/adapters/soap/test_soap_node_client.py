"""A second real SOAP client, not written here: node-soap (tests/clients/node/client.js) calls the
demo service and corpus services over HTTP, in SOAP 1.1 and 1.2, with and without a WS-Security
UsernameToken, and gets what the core gives."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from soap_support import DEMO_CONFIG, ChannelThread, born_years_ago, expected_features, legacy_application

from corpus_support import CorpusServers, Case, assert_answer, body_children, expected_answer, load_cases, param
from scoregate.adapters.soap import SoapChannelConfig
from scoregate.adapters.soap.contract import ServiceContract
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest

CLIENT_DIR = Path(__file__).resolve().parents[2] / "clients" / "node"
NS = "http://risk.northwind-bank.example/LoanRisk/2011/03"
DECISIONS = {"APPROVE": "A", "REVIEW": "R", "DECLINE": "D"}
CREDENTIALS = {"username": "los", "password": "s3cret-los"}
# Every corpus service is called with node-soap as well, except where node-soap 1.13 itself cannot
# make the call: strict xfails, so that a node-soap that can makes the suite say so.
NODE_SOAP_CANNOT = {
    "cxf-dynamic-complex": "it qualifies elements declared form=\"unqualified\" (the fault is pinned below)",
    "cxf-person": "the contract has no wsdl:service, and node-soap calls a service's port",
    "cxf-xsd-include": "it writes an attribute with an undeclared prefix (not well-formed XML, refused)",
    "jaxws-shapes": "it sends no xsi:type for an element of an abstract type (refused by the XSD)",
    "zeep-soap": "it reads element ref=\"tns:country\" as the complexType of that name and drops country/name",
    "zeep-soap-header": "it sends the declared header part in the Body",
}


@pytest.fixture(scope="module")
def node_client() -> Path:
    """client.js with its locked dependencies installed (scripts/test.sh runs `npm ci` first)."""
    assert shutil.which("node"), "Node.js is required for the node-soap client tests"
    if not (CLIENT_DIR / "node_modules" / "soap").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT_DIR, check=True, capture_output=True, timeout=300)
    return CLIENT_DIR / "client.js"


def call(client: Path, server: ChannelThread, service: str, port: str, operation: str, args: Any, *,
         soap12: bool = False, username: str | None = None, password: str | None = None, digest: bool = False,
         wsdl_query: str = "wsdl") -> dict:
    """One node-soap call in a Node.js process: {result, request, response} or {error, status, response}."""
    command = ["node", str(client), "--wsdl", f"{server.url}?{wsdl_query}", "--endpoint", server.url, "--service", service,
               "--port", port, "--operation", operation, "--args", json.dumps(args, default=lambda v: v.isoformat())]
    command += ["--soap12"] if soap12 else []
    if username is not None:
        command += ["--username", username, "--password", password or ""] + (["--digest"] if digest else [])
    done = subprocess.run(command, cwd=client.parent, capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 3), done.stderr  # 3: the call got an error answer, printed as JSON
    return json.loads(done.stdout)


def _response_element(answer: dict) -> etree._Element:
    (element,) = body_children(etree.fromstring(answer["response"].encode()))
    return element


def _application(born) -> dict:  # noqa: ANN001
    return json.loads(json.dumps(legacy_application(born), default=lambda v: v.isoformat()))


@pytest.fixture(scope="module")
def secure_server(shared_core) -> Iterator[ChannelThread]:
    security = {"credentials": [CREDENTIALS]}
    server = ChannelThread(SoapChannelConfig.load(DEMO_CONFIG, port=0, security=security), shared_core.client_settings())
    yield server.start()
    server.stop()


@pytest.mark.parametrize(("port", "soap12"), [("LoanRiskServiceSoap", False), ("LoanRiskServiceSoap12", True)],
                         ids=["soap11", "soap12"])
def test_node_soap_scores_the_demo_service_as_the_core_does(node_client, soap_server, shared_core, port, soap12) -> None:
    born = born_years_ago(41)
    answer = call(node_client, soap_server, "LoanRiskService", port, "AssessCreditApplication",
                  {"Application": _application(born)}, soap12=soap12)

    assert "error" not in answer, answer
    envelope = etree.fromstring(answer["request"].encode())
    assert etree.QName(envelope).namespace == ("http://www.w3.org/2003/05/soap-envelope" if soap12 else
                                               "http://schemas.xmlsoap.org/soap/envelope/")
    with ScoringClient(shared_core.client_settings()) as core:
        direct = core.score(ScoreRequest(request_id="d", model="credit-risk", features=expected_features(born), reason_count=4))
    result = answer["result"]["AssessCreditApplicationResult"]  # as node-soap parsed it
    assert result["ApplicationNo"] == "LN20110342"
    assert result["Decision"]["DecisionCode"] == DECISIONS[direct.decision]
    assert int(result["Decision"]["RiskScore"]) == round((1 - direct.probability) * 999)
    assert Decimal(str(result["Decision"]["ProbabilityOfDefault"])) == Decimal(str(round(direct.probability, 4)))
    assert result["ReasonCodes"]["ReasonCode"] == [r.code for r in direct.reasons]
    assert result["ScorecardId"] == f"credit-risk:{direct.version}"


@pytest.mark.parametrize(("port", "soap12", "digest"),
                         [("LoanRiskServiceSoap", False, False), ("LoanRiskServiceSoap12", True, True)],
                         ids=["text-soap11", "digest-soap12"])
def test_node_soap_username_token_is_accepted(node_client, secure_server, port, soap12, digest) -> None:
    answer = call(node_client, secure_server, "LoanRiskService", port, "AssessCreditApplication",
                  {"Application": _application(born_years_ago(35))}, soap12=soap12, digest=digest, **CREDENTIALS)
    assert "error" not in answer, answer
    assert b"UsernameToken" in answer["request"].encode()
    assert answer["result"]["AssessCreditApplicationResult"]["ApplicationNo"] == "LN20110342"


@pytest.mark.parametrize("digest", [False, True], ids=["text", "digest"])
def test_node_soap_wrong_password_gets_a_failed_authentication_fault(node_client, secure_server, digest) -> None:
    answer = call(node_client, secure_server, "LoanRiskService", "LoanRiskServiceSoap", "AssessCreditApplication",
                  {"Application": _application(born_years_ago(35))}, digest=digest, username="los", password="wrong")
    assert answer["status"] == 500
    fault = etree.fromstring(answer["response"].encode()).find(".//faultcode")
    assert fault is not None and fault.text == "wsse:FailedAuthentication"


@pytest.fixture(scope="module")
def corpus_servers(shared_core) -> Iterator[CorpusServers]:
    servers = CorpusServers(shared_core.client_settings())
    yield servers
    servers.stop()


def _ports(server: ChannelThread, binding: str) -> tuple[str, str, bool]:
    """(service, port, SOAP 1.2?) of the WSDL port that uses ``binding``."""
    for service in server.channel.contract.document.services.values():
        for port in service.ports.values():
            if str(port.binding.name) == binding:
                return service.name, port.name, type(port.binding).__name__ == "Soap12Binding"
    raise AssertionError(f"no port uses {binding}")


def _node_param(case: Case) -> Any:
    if case.name in NODE_SOAP_CANNOT:
        mark = pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"node-soap: {NODE_SOAP_CANNOT[case.name]}")
        return pytest.param(case, id=case.name, marks=[mark])
    return param("round_trip", case)


NODE_CASES = [_node_param(case) for case in load_cases() if not case.refused]


@pytest.mark.parametrize("case", NODE_CASES)
def test_node_soap_calls_corpus_services_as_the_core_scores(node_client, corpus_servers, shared_core, case: Case) -> None:
    server = corpus_servers(case)
    with ScoringClient(shared_core.client_settings()) as core:
        expected = expected_answer(case, core)
    for binding in case.spec["bindings"]:
        service, port, soap12 = _ports(server, binding)
        answer = call(node_client, server, service, port, case.spec["operation"], case.spec["args"], soap12=soap12,
                      wsdl_query=case.spec.get("wsdl_query", "wsdl"))
        assert "error" not in answer, answer
        assert_answer(_response_element(answer), expected, f"{service}.{port}")


def test_node_soap_calls_enough_services_of_both_versions() -> None:
    called = [p.values[0] for p in NODE_CASES if not p.marks]
    bindings = [ServiceContract.of(case.config()).document.bindings[b] for case in called for b in case.spec["bindings"]]
    assert len(called) >= 10 and {type(b).__name__ for b in bindings} == {"Soap11Binding", "Soap12Binding"}


BROKER = Path(__file__).parent / "contracts" / "broker"


def test_node_soap_calls_a_wcf_contract_from_its_single_wsdl(node_client, shared_core) -> None:
    """The WCF-style broker contract (?wsdl imports ?xsd=xsd0..2) read from ?singleWsdl alone: node-soap
    fetches nothing else (its request would fail on a missing type) and gets the core's decision."""
    server = ChannelThread(SoapChannelConfig.load(BROKER / "broker.json", port=0), shared_core.client_settings()).start()
    try:
        assert set(server.channel.contract.served) >= {"?xsd=xsd0", "?xsd=xsd1"}
        service, port, soap12 = _ports(server, "{http://tempuri.org/}BasicHttpBinding_IScoreBroker")
        request = {"AgeYears": 35, "Amount": "12000", "BrokerRef": "BRK-1", "MonthlyIncome": "4000", "Housing": "Owner",
                   "Purpose": "Vehicle", "RatePercent": "8.5", "TermMonths": 48, "YearsAtAddress": 6,
                   "CreditFile": {"OpenAccounts": 5}}
        answer = call(node_client, server, service, port, "GetCreditDecision", {"request": request}, soap12=soap12,
                      wsdl_query="singleWsdl")
        assert "error" not in answer, answer["request"]
        assert answer["result"]["GetCreditDecisionResult"]["Decision"] in ("Accept", "Refer", "Decline")
    finally:
        server.stop()


def test_node_soap_request_the_schema_refuses_gets_a_client_fault_naming_the_field(node_client, corpus_servers) -> None:
    # node-soap 1.13 puts AgentNumber, declared form="unqualified" in the BizTalk contract, in the
    # wrapper's namespace: the XSD check refuses it, and the caller is told which field is wrong.
    case = next(case for case in load_cases() if case.name == "cxf-dynamic-complex")
    server = corpus_servers(case)
    service, port, _ = _ports(server, case.spec["bindings"][0])
    answer = call(node_client, server, service, port, case.spec["operation"], case.spec["args"])
    assert answer["status"] == 500
    body = _response_element(answer)
    assert (body.findtext("faultcode"), body.findtext("faultstring")) == ("soap:Client", "invalid input: part/AgentNumber: MISSING")
