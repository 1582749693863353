"""The codec and fault writer without HTTP: paths, dispatch, and the fault documents themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from soap_support import NS, SOAP11, SOAP12, assess_envelope, born_years_ago, demo_file

from scoregate.adapters.codecs.base import EnvelopeFormat, MessageFormat, create_format, format_class
from scoregate.adapters.soap.codec import SoapCodec
from scoregate.adapters.soap.contract import ServiceContract, SoapVersion
from scoregate.adapters.soap.faults import FaultCode, SoapFault, from_envelope_fault, render
from scoregate.adapters.soap.paths import nest


@pytest.fixture(scope="module")
def codec() -> SoapCodec:
    return SoapCodec(ServiceContract(demo_file("LoanRiskService.wsdl")), max_bytes=65536)


def test_the_soap_body_is_the_registered_two_step_message_format() -> None:
    assert format_class("soap") is SoapCodec  # the SOAP app builds its codec from this entry
    codec = format_class("soap")(ServiceContract(demo_file("LoanRiskService.wsdl")), max_bytes=65536)
    assert isinstance(codec, EnvelopeFormat) and not isinstance(codec, MessageFormat)
    for env in (SOAP11, SOAP12):
        opened = codec.open(assess_envelope(born_years_ago(41), env=env).encode())
        assert codec.read(opened)["Application/Applicant/Employment/GrossAnnualIncome"] == 58000
        answer = codec.encode(opened, {"AssessCreditApplicationResult/ApplicationNo": "LN1",
                                       "AssessCreditApplicationResult/Decision/DecisionCode": "A",
                                       "AssessCreditApplicationResult/Decision/RiskScore": 750,
                                       "AssessCreditApplicationResult/Decision/ProbabilityOfDefault": 0.25,
                                       "AssessCreditApplicationResult/ReasonCodes/ReasonCode": ["R01"],
                                       "AssessCreditApplicationResult/ScorecardId": "1"})
        assert b"ApplicationNo>LN1<" in answer and b"ProbabilityOfDefault>0.25<" in answer
        assert env.encode() in answer  # answered in the request's own SOAP version
    with pytest.raises(ValueError, match="only its own channel uses it"):
        create_format("soap")  # a queue cannot configure it


def test_nest_builds_lists_for_indexes_and_repeated_values() -> None:
    assert nest({"R/Codes/Code": ["R01", "R02"], "R/Slot[2]/X": "b", "R/Slot[1]/X": "a", "R/Name": "n"}) == {
        "R": {"Codes": {"Code": ["R01", "R02"]}, "Slot": [{"X": "a"}, {"X": "b"}], "Name": "n"}
    }


def test_nest_keeps_attributes_beside_an_elements_text_in_either_order() -> None:
    assert nest({"Score/@scale": 1000, "Score": 742, "@decision": "A", "Item[2]": "b", "Item[2]/@n": 2}) == {
        "Score": {"@scale": 1000, "$": 742}, "@decision": "A", "Item": [{}, {"$": "b", "@n": 2}]
    }
    assert nest({"Score": 742, "Score/@scale": 1000}) == {"Score": {"$": 742, "@scale": 1000}}
    with pytest.raises(ValueError, match="an attribute ends a path"):
        nest({"Loan/@amount/x": 1})


def test_read_gives_the_mapping_typed_values(codec) -> None:
    born = born_years_ago(41)
    values = codec.read(codec.open(assess_envelope(born).encode()))
    assert values["Application/Applicant/DateOfBirth"] == born
    assert str(values["Application/Applicant/Employment/GrossAnnualIncome"]) == "58000.00"
    assert values["Application/Applicant/Addresses/Address[1]/YearsAtAddress"] == 4
    assert values["Application/Bureau/MonthsSinceLastDelinq"] is None


def test_dispatch_is_by_body_element_and_version(codec) -> None:
    env11 = codec.open(assess_envelope(born_years_ago(41)).encode(), soapaction=None)
    env12 = codec.open(assess_envelope(born_years_ago(41), env=SOAP12).encode())
    assert (env11.operation.name, env11.version) == ("AssessCreditApplication", SoapVersion.SOAP11)
    assert (env12.operation.name, env12.version) == ("AssessCreditApplication", SoapVersion.SOAP12)


def test_soap12_envelope_faults_carry_the_version_of_the_request(codec) -> None:
    body = assess_envelope(born_years_ago(41), env=SOAP12).replace("<soap:Body>", "<soap:Body><extra/>").encode()
    with pytest.raises(SoapFault) as caught:
        codec.open(body)
    response = from_envelope_fault(SoapVersion.SOAP11, caught.value)
    assert (response.status, response.content_type) == (400, "application/soap+xml; charset=utf-8")


def test_version_mismatch_in_soap12_lists_the_supported_envelopes() -> None:
    response = render(SoapVersion.SOAP12, FaultCode.VERSION_MISMATCH, "not a SOAP envelope")
    root = etree.fromstring(response.body)
    supported = root.findall(f"{{{SOAP12}}}Header/{{{SOAP12}}}Upgrade/{{{SOAP12}}}SupportedEnvelope")
    assert sorted(el.nsmap[el.get("qname").split(":")[0]] for el in supported) == sorted([SOAP11, SOAP12])
    assert response.status == 500


def test_soap11_fault_shape_is_what_ws_i_clients_parse() -> None:
    detail = etree.Element(f"{{{NS}}}RiskServiceFault")
    response = render(SoapVersion.SOAP11, FaultCode.CLIENT, "bad & <wrong>", detail=detail, subcode=f"{{{NS}}}RiskServiceFault")
    fault = etree.fromstring(response.body).find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert [child.tag for child in fault] == ["faultcode", "faultstring", "detail"]
    assert fault.findtext("faultstring") == "bad & <wrong>"
    assert (response.status, response.content_type) == (500, "text/xml; charset=utf-8")


@pytest.mark.parametrize(
    ("soapaction", "content_type", "expected"),
    [
        ('"urn:example:rating/commercial"', "text/xml", "RateCommercial"),
        ("urn:example:rating/consumer", "text/xml", "RateConsumer"),
        (None, 'application/soap+xml; action="urn:example:rating/commercial"', "RateCommercial"),
        (None, "text/xml", "RateConsumer"),  # no action at all: the first operation declared
    ],
    ids=["quoted", "unquoted", "soap12-action-param", "none"],
)
def test_the_action_breaks_a_tie_between_operations_sharing_a_body_element(soapaction, content_type, expected) -> None:
    codec = SoapCodec(ServiceContract(Path(__file__).parent / "contracts" / "bare" / "Rating.wsdl"), max_bytes=65536)
    env = SOAP12 if content_type.startswith("application/soap+xml") else SOAP11
    body = f'<e:Envelope xmlns:e="{env}"><e:Body><Application xmlns="urn:example:rating"><Id>1</Id></Application></e:Body></e:Envelope>'
    assert codec.open(body.encode(), content_type, soapaction).operation.name == expected


def test_output_actions_come_from_the_wsdl_or_the_ws_addressing_default() -> None:
    contracts = Path(__file__).parent / "contracts"
    broker = ServiceContract(contracts / "broker" / "ScoreBroker.wsdl")
    rpc = ServiceContract(contracts / "rpc" / "QuickScore.wsdl")
    assert {op.output_action for op in broker.operations} == {"http://tempuri.org/IScoreBroker/GetCreditDecisionResponse"}
    assert rpc.operations[0].output_action == "urn:brokerlink:quickscore:QuickScorePort:quickScoreResponse"
