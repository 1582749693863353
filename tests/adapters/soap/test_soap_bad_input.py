"""Bad input over real HTTP: each gets the right fault and status, nothing internal leaks, and the
server keeps serving."""

from __future__ import annotations

import time

import pytest
from lxml import etree
from soap_support import NS, SOAP11, SOAP12, assess_envelope, born_years_ago, http_request, post_soap11, post_soap12

BORN = born_years_ago(41)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>&lol9;</x></soap:Body></soap:Envelope>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&x;</soap:Body></soap:Envelope>"""


def fault11(body: bytes) -> tuple[str, str, etree._Element | None]:
    fault = etree.fromstring(body).find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    return fault.findtext("faultcode"), fault.findtext("faultstring"), fault.find("detail")


def validation_errors(detail: etree._Element) -> list[tuple[str, str]]:
    errors = detail.findall(f"{{{NS}}}RiskServiceFault/{{{NS}}}ValidationErrors/{{{NS}}}ValidationError")
    return [(e.findtext(f"{{{NS}}}FieldName"), e.findtext(f"{{{NS}}}ErrorCode")) for e in errors]


def assert_still_serving(url: str) -> None:
    reply = post_soap11(url, assess_envelope(BORN).encode())
    assert reply.status == 200, reply.body


def assert_nothing_leaks(body: bytes) -> None:
    for marker in (b"Traceback", b'File "', b"grpc", b"StatusCode", b"<html", b"scoregate."):
        assert marker not in body, body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>", "not well-formed"),
        (b"", "not well-formed"),
        (BILLION_LAUGHS, "DOCTYPE"),
        (EXTERNAL_ENTITY, "DOCTYPE"),
    ],
    ids=["truncated", "empty", "billion-laughs", "external-entity"],
)
def test_unparseable_bodies_are_client_faults(soap_server, body, reason) -> None:
    started = time.monotonic()
    reply = post_soap11(soap_server.url, body)
    assert time.monotonic() - started < 2
    assert reply.status == 500
    code, text, _ = fault11(reply.body)
    assert code == "soap:Client"
    assert reason in text
    assert_nothing_leaks(reply.body)
    assert_still_serving(soap_server.url)


def test_malformed_soap12_is_a_sender_fault_400(soap_server) -> None:
    reply = post_soap12(soap_server.url, b"<not-closed>")
    assert reply.status == 400
    assert etree.fromstring(reply.body).findtext(f".//{{{SOAP12}}}Code/{{{SOAP12}}}Value") == "soap:Sender"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_oversized_body_is_refused_before_parsing(soap_server, soap_config, declared) -> None:
    padding = "<!--" + "x" * soap_config.limits.max_body_bytes + "-->"
    body = assess_envelope(BORN).replace("<soap:Body>", f"<soap:Body>{padding}").encode()
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if not declared:
        headers["Transfer-Encoding"] = "chunked"
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    reply = http_request(soap_server.url, body=body, headers=headers)
    assert reply.status == 500
    code, text, _ = fault11(reply.body)
    assert (code, "larger than" in text) == ("soap:Client", True)
    assert_still_serving(soap_server.url)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<order><id>1</id></order>", "soap:VersionMismatch"),
        (b"<e:Envelope xmlns:e='http://example.com/not-soap'><e:Body/></e:Envelope>", "soap:VersionMismatch"),
        (f"<soap:Envelope xmlns:soap='{SOAP11}'><soap:Header/></soap:Envelope>".encode(), "soap:Client"),
        (f"<soap:Envelope xmlns:soap='{SOAP11}'><soap:Body/></soap:Envelope>".encode(), "soap:Client"),
    ],
    ids=["not-an-envelope", "foreign-envelope", "no-body", "empty-body"],
)
def test_envelope_problems(soap_server, body, code) -> None:
    reply = post_soap11(soap_server.url, body)
    assert reply.status == 500
    assert fault11(reply.body)[0] == code


def test_unknown_operation_is_a_client_fault(soap_server) -> None:
    body = assess_envelope(BORN).replace("AssessCreditApplication", "CancelCreditApplication").encode()
    reply = post_soap11(soap_server.url, body)
    assert reply.status == 500
    code, text, _ = fault11(reply.body)
    assert code == "soap:Client"
    assert "CancelCreditApplication" in text


def test_multipart_is_refused(soap_server) -> None:
    reply = post_soap11(soap_server.url, assess_envelope(BORN).encode(), content_type='multipart/related; type="application/xop+xml"')
    assert (reply.status, fault11(reply.body)[0]) == (500, "soap:Client")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"Bankruptcies": None}, [("Application/Bureau/Bankruptcies", "MISSING")]),
        ({"DateOfBirth": None}, [("Application/Applicant/DateOfBirth", "MISSING")]),
        ({"OpenTradelines": "seven"}, [("Application/Bureau/OpenTradelines", "WRONG_TYPE")]),
        ({"DateOfBirth": "03/02/1980"}, [("Application/Applicant/DateOfBirth", "WRONG_TYPE")]),
        ({"ResidentialStatus": "Z"}, [("Application/Applicant/ResidentialStatus", "UNKNOWN_CATEGORY")]),
        ({"GrossAnnualIncome": "58000.123"}, [("Application/Applicant/Employment/GrossAnnualIncome", "OUT_OF_RANGE")]),
        ({"ApplicationNo": "12-34"}, [("Application/ApplicationNo", "WRONG_TYPE")]),
        (
            {"CoSignerInd": "Yes", "TermMonths": "3 years"},
            [("Application/Loan/TermMonths", "WRONG_TYPE"), ("Application/Loan/CoSignerInd", "UNKNOWN_CATEGORY")],
        ),
        # Valid for the XSD; the model's schema rejects them, reported by the caller's element paths.
        ({"DateOfBirth": born_years_ago(12).isoformat()}, [("Application/Applicant/DateOfBirth", "OUT_OF_RANGE")]),
        ({"NumberOfDependants": "20"}, [("Application/Applicant/NumberOfDependants", "OUT_OF_RANGE")]),
        ({"AmountRequested": "-5.00"}, [("Application/Loan/AmountRequested", "OUT_OF_RANGE")]),
    ],
    ids=["missing", "missing-first", "wrong-type", "bad-date", "bad-enum", "fraction-digits", "pattern", "two-at-once",
         "age-12", "too-many-dependants", "negative-amount"],
)
def test_invalid_fields_are_client_faults_with_the_declared_detail(soap_server, change, expected) -> None:
    reply = post_soap11(soap_server.url, assess_envelope(BORN, **change).encode())
    assert reply.status == 500, reply.body
    code, _, detail = fault11(reply.body)
    assert code == "soap:Client"
    assert detail.findtext(f"{{{NS}}}RiskServiceFault/{{{NS}}}ErrorCode") == "E100"
    assert sorted(validation_errors(detail)) == sorted(expected)
    assert_nothing_leaks(reply.body)


def test_invalid_field_soap12_is_sender_400_with_subcode_and_detail(soap_server) -> None:
    reply = post_soap12(soap_server.url, assess_envelope(BORN, env=SOAP12, ResidentialStatus="Z").encode())
    assert reply.status == 400
    fault = etree.fromstring(reply.body).find(f"{{{SOAP12}}}Body/{{{SOAP12}}}Fault")
    assert fault.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value") == "soap:Sender"
    subcode = fault.find(f"{{{SOAP12}}}Code/{{{SOAP12}}}Subcode/{{{SOAP12}}}Value")
    prefix, local = subcode.text.split(":")
    assert (subcode.nsmap[prefix], local) == (NS, "RiskServiceFault")
    assert fault.find(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text").get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert validation_errors(fault.find(f"{{{SOAP12}}}Detail")) == [("Application/Applicant/ResidentialStatus", "UNKNOWN_CATEGORY")]


def test_other_paths_and_methods_never_answer_html(soap_server) -> None:
    base = soap_server.url.rsplit("/", 1)[0]
    wrong_post = post_soap11(f"{base}/Other.asmx", assess_envelope(BORN).encode())
    assert wrong_post.status == 404 and fault11(wrong_post.body)[0] == "soap:Client"
    for method, url in (("GET", f"{base}/nothing"), ("PUT", soap_server.url), ("DELETE", soap_server.url)):
        reply = http_request(url, method=method)
        assert reply.status in (404, 405)
        assert reply.headers["content-type"].startswith("text/plain")
    assert_still_serving(soap_server.url)


# ------------------------------------------------ hostile input in attributes, choices and xs:any
LOAN_TYPES = "http://loans.example.org/types"
GOOD_LOAN = (f'<t:ScoreLoan xmlns:t="{LOAN_TYPES}" reference="R"><t:Applicant monthlyIncome="3000" born="{BORN.isoformat()}"/>'
             '<t:Loan amount="5000" months="12" purpose="HOME"/></t:ScoreLoan>')
MANY_ATTRIBUTES = " ".join(f'a{i}="{i}"' for i in range(5000))
HOSTILE_LOANS = {
    "huge-number": GOOD_LOAN.replace('amount="5000"', f'amount="{"9" * 200_000}"'),
    "many-attributes": GOOD_LOAN.replace("<t:Loan ", f"<t:Loan {MANY_ATTRIBUTES} "),
    "undefined-entity": GOOD_LOAN.replace('purpose="HOME"', 'purpose="&boat;"'),
    "duplicate-attribute": GOOD_LOAN.replace('months="12"', 'months="12" months="13"'),
    "attribute-as-element": GOOD_LOAN.replace('<t:Loan amount="5000"', "<t:Loan><t:amount>5000</t:amount></t:Loan><t:Loan amount=\"5000\""),
    "missing-required": GOOD_LOAN.replace(' reference="R"', ""),
}


@pytest.mark.parametrize("body", HOSTILE_LOANS.values(), ids=HOSTILE_LOANS.keys())
def test_hostile_attributes_get_a_soap12_fault_and_the_server_keeps_serving(attributes_server, body) -> None:
    envelope = f'<s:Envelope xmlns:s="{SOAP12}"><s:Body>{body}</s:Body></s:Envelope>'.encode()
    reply = post_soap12(attributes_server.url, envelope, content_type="application/soap+xml; charset=utf-8")
    assert reply.status == 400, reply.body
    assert etree.fromstring(reply.body).findtext(f".//{{{SOAP12}}}Code/{{{SOAP12}}}Value") == "soap:Sender"
    assert len(reply.body) < 20_000  # the fault does not echo the hostile input back
    assert_nothing_leaks(reply.body)
    good = f'<s:Envelope xmlns:s="{SOAP12}"><s:Body>{GOOD_LOAN}</s:Body></s:Envelope>'.encode()
    assert post_soap12(attributes_server.url, good, content_type="application/soap+xml").status == 200


PERSON = f"<p:Person><p:Name>A</p:Name><p:Born>{BORN.isoformat()}</p:Born><p:Income><m:Amount>1</m:Amount></p:Income></p:Person>"
COMPANY = "<p:Company><p:Registration>X</p:Registration><p:Turnover>1</p:Turnover></p:Company>"
DEEP = "<x>" * 5000 + "</x>" * 5000
def apply_body(applicant: str, extra: str, term: str = "12") -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><Apply xmlns="urn:apply" xmlns:p="urn:party" xmlns:m="urn:money">'
            f"<Applicant>{applicant}</Applicant><Amount>1000</Amount><Term>{term}</Term>{extra}</Apply></s:Body></s:Envelope>").encode()


@pytest.mark.parametrize(
    ("applicant", "extra", "term"),
    [(PERSON + COMPANY, "", "12"), ("", "", "12"), (PERSON, '<m:Collateral value="1"/>', "12"),
     (PERSON, f"<Extensions>{DEEP}</Extensions>", "12"), (PERSON, "", "CLOSED")],
    ids=["both-branches", "no-branch", "abstract-head", "deep-any", "outside-the-union"],
)
def test_hostile_choices_get_a_soap11_fault_and_the_server_keeps_serving(inline_server, applicant, extra, term) -> None:
    reply = post_soap11(inline_server.url, apply_body(applicant, extra, term), action='"urn:apply#Apply"')
    assert reply.status == 500, reply.body
    code, _, _ = fault11(reply.body)
    assert code == "soap:Client"
    assert_nothing_leaks(reply.body)
    assert post_soap11(inline_server.url, apply_body(PERSON, ""), action='"urn:apply#Apply"').status == 200
