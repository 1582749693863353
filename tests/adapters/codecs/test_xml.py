"""The XML message format: golden bytes out, local-name paths in, hardened parsing."""

from __future__ import annotations

import pytest

from scoregate.adapters.codecs.xml import XmlFormat, XmlOptions
from scoregate.core.errors import InvalidInput, ViolationCode

REQUEST = b"""<?xml version="1.0" encoding="utf-8"?>
<lr:LoanRequest xmlns:lr="urn:example:loans" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" channel="cics">
  <!-- producers leave comments in -->
  <lr:ApplicationId>A-1</lr:ApplicationId>
  <lr:Applicant kind="person">
    <lr:Age>41</lr:Age>
    <lr:Income currency="EUR">58000</lr:Income>
    <lr:Savings xsi:nil="true"/>
    <lr:Phone></lr:Phone>
  </lr:Applicant>
  <lr:Tags><lr:Tag>a</lr:Tag><lr:Tag>b</lr:Tag></lr:Tags>
</lr:LoanRequest>"""


def malformed(payload: bytes, fmt: XmlFormat | None = None) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        (fmt or XmlFormat()).read(payload)
    (violation,) = caught.value.violations
    assert violation.code is ViolationCode.MALFORMED
    return violation.field, violation.message


def test_read_flattens_by_local_name_with_attributes_nil_and_repeats() -> None:
    assert XmlFormat(XmlOptions(request_root="LoanRequest")).read(REQUEST) == {
        "@channel": "cics",
        "ApplicationId": "A-1",
        "Applicant/@kind": "person",
        "Applicant/Age": "41",
        "Applicant/Income/@currency": "EUR",
        "Applicant/Income": "58000",
        "Applicant/Savings": None,
        "Applicant/Phone": "",
        "Tags/Tag": ["a", "b"],
    }


def test_write_result_golden() -> None:
    fmt = XmlFormat(XmlOptions(namespace="urn:example:loans"))
    values = {"ApplicationId": "A-1", "Score": 712, "Decision": "A", "Reasons/Reason": ["R02", "R12"],
              "Model/@version": "1", "Model": "credit-risk", "Probability": 0.25, "Skipped": None}
    assert fmt.write(values) == (
        b"<?xml version='1.0' encoding='utf-8'?>\n"
        b'<ScoreResponse xmlns="urn:example:loans"><ApplicationId>A-1</ApplicationId><Score>712</Score>'
        b'<Decision>A</Decision><Reasons><Reason>R02</Reason><Reason>R12</Reason></Reasons>'
        b'<Model version="1">credit-risk</Model><Probability>0.25</Probability></ScoreResponse>'
    )


def test_write_error_uses_the_error_root() -> None:
    fmt = XmlFormat(XmlOptions(error_root="Fault", encoding="iso-8859-1"))
    assert fmt.write({"Code": "INVALID_INPUT", "Message": "d\u00e9j\u00e0"}, error=True) == (
        b"<?xml version='1.0' encoding='iso-8859-1'?>\n"
        b"<Fault><Code>INVALID_INPUT</Code><Message>d\xe9j\xe0</Message></Fault>"
    )


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"<LoanRequest><Applicant>", "not well-formed"),
        (b'<!DOCTYPE x [<!ENTITY e "boom">]><LoanRequest>&e;</LoanRequest>', "DOCTYPE"),
        (b"<Other/>", "root element is 'Other', expected 'LoanRequest'"),
        (b"", "not well-formed"),
    ],
)
def test_hardened_parsing_answers_malformed(payload: bytes, fragment: str) -> None:
    _, message = malformed(payload, XmlFormat(XmlOptions(request_root="LoanRequest")))
    assert fragment in message


def test_size_limit_is_checked_before_parsing() -> None:
    _, message = malformed(b"<a>0123456789</a>", XmlFormat(XmlOptions(max_bytes=10)))
    assert "exceeds the limit of 10" in message


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [("application/xml", True), ("text/xml; charset=ISO-8859-1", True), ("application/soap+xml", True),
     ("application/json", False)],
)
def test_accepts_xml_content_types(content_type: str, accepted: bool) -> None:
    assert XmlFormat().accepts(content_type) is accepted


@pytest.mark.parametrize(
    ("paths", "error"),
    [(["A/@x/B"], "attribute can only be the last step"), (["A//B"], "empty step"), (["1bad"], "not an XML name"),
     (["Reasons/Reason", "Model/@version"], None)],
)
def test_check_targets(paths: list[str], error: str | None) -> None:
    if error is None:
        XmlFormat().check_targets(paths)
    else:
        with pytest.raises(ValueError, match=error):
            XmlFormat().check_targets(paths)
