"""What a strict client notices: the SOAP version, the Content-Type and the SOAP action, each
checked and answered with a fault of the caller's own version, over real HTTP."""

from __future__ import annotations

import pytest
from lxml import etree
from soap_support import (
    ACTION, SOAP11, SOAP12, assess_envelope, born_years_ago, http_request, post_soap11, post_soap12,
)

BORN = born_years_ago(41)
TYPES = "http://loans.example.org/types"
SCORE_LOAN = (f'<t:ScoreLoan xmlns:t="{TYPES}" reference="R"><t:Applicant monthlyIncome="3000" born="{BORN.isoformat()}"/>'
              '<t:Loan amount="5000" months="12" purpose="HOME"/></t:ScoreLoan>')


def envelope(env: str, body: str) -> bytes:
    return f'<s:Envelope xmlns:s="{env}"><s:Body>{body}</s:Body></s:Envelope>'.encode()


def supported_envelopes(reply_body: bytes) -> list[str]:
    root = etree.fromstring(reply_body)
    found = root.findall(f"*/{{{SOAP12}}}Upgrade/{{{SOAP12}}}SupportedEnvelope")
    return [etree.QName(_resolve(e, e.get("qname"))).namespace for e in found]


def _resolve(element: etree._Element, value: str) -> str:
    prefix, _, local = value.rpartition(":")
    return f"{{{element.nsmap[prefix or None]}}}{local}"


def test_soap11_to_a_soap12_only_endpoint_gets_a_soap11_version_mismatch_naming_only_12(attributes_server) -> None:
    reply = post_soap11(attributes_server.url, envelope(SOAP11, SCORE_LOAN), action='"http://loans.example.org/ScoreLoan"')
    assert (reply.status, reply.headers["content-type"]) == (500, "text/xml; charset=utf-8")
    root = etree.fromstring(reply.body)
    assert root.tag == f"{{{SOAP11}}}Envelope"  # a 1.1 client can read it
    assert root.findtext(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault/faultcode") == "soap:VersionMismatch"
    assert supported_envelopes(reply.body) == [SOAP12]
    assert post_soap12(attributes_server.url, envelope(SOAP12, SCORE_LOAN), "application/soap+xml").status == 200


def test_a_version_mismatch_lists_what_the_endpoint_serves(soap_server, inline_server) -> None:
    not_soap = b"<Envelope><Body/></Envelope>"
    assert supported_envelopes(post_soap11(soap_server.url, not_soap).body) == [SOAP12, SOAP11]
    soap12 = post_soap12(inline_server.url, envelope(SOAP12, "<x/>"), "application/soap+xml")
    assert etree.fromstring(soap12.body).tag == f"{{{SOAP12}}}Envelope"
    assert supported_envelopes(soap12.body) == [SOAP11]


@pytest.mark.parametrize(
    ("version", "content_type"),
    [
        (SOAP11, "application/soap+xml; charset=utf-8"),
        (SOAP12, "text/xml; charset=utf-8"),
        (SOAP11, "application/json"),
        (SOAP11, ""),
    ],
    ids=["11-as-12", "12-as-11", "json", "none"],
)
def test_a_content_type_that_does_not_fit_the_version_is_415_and_a_fault_of_that_version(soap_server, version, content_type) -> None:
    body = assess_envelope(BORN, env=version).encode()
    reply = http_request(soap_server.url, body=body, headers={"Content-Type": content_type} if content_type else {})
    assert reply.status == 415
    root = etree.fromstring(reply.body)
    assert root.tag == f"{{{version}}}Envelope"
    assert b"is sent as" in reply.body
    assert post_soap11(soap_server.url, assess_envelope(BORN).encode()).status == 200


def test_a_channel_may_tolerate_a_wrong_content_type(channel_factory, soap_config, shared_core) -> None:
    config = soap_config.model_copy(update={"tolerate": soap_config.tolerate.model_copy(update={"content_type": True})})
    server = channel_factory(config, shared_core.client_settings())
    reply = post_soap12(server.url, assess_envelope(BORN, env=SOAP12).encode(), content_type="text/xml; charset=utf-8")
    assert reply.status == 200, reply.body


def test_a_soap_action_of_another_operation_is_refused(soap_server) -> None:
    wrong = '"http://risk.northwind-bank.example/LoanRisk/2011/03/PreScreenApplicant"'
    reply = post_soap11(soap_server.url, assess_envelope(BORN).encode(), action=wrong)
    assert reply.status == 500
    assert b"<faultcode>soap:Client</faultcode>" in reply.body
    assert b"is not that of operation AssessCreditApplication" in reply.body
    soap12 = post_soap12(soap_server.url, assess_envelope(BORN, env=SOAP12).encode(),
                         content_type='application/soap+xml; action="urn:other"')
    assert soap12.status == 400
    assert post_soap11(soap_server.url, assess_envelope(BORN).encode(), action=f'"{ACTION}"').status == 200


def test_a_channel_may_dispatch_by_body_element_alone(channel_factory, soap_config, shared_core) -> None:
    config = soap_config.model_copy(update={"tolerate": soap_config.tolerate.model_copy(update={"soap_action": True})})
    server = channel_factory(config, shared_core.client_settings())
    reply = post_soap11(server.url, assess_envelope(BORN).encode(), action='"http://wrong.example/Action"')
    assert reply.status == 200, reply.body
