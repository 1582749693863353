"""The compiled plans give exactly what zeep's generic parse and serialize give (the fallback path)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from soap_support import SOAP12, assess_envelope, born_years_ago, demo_file
from zeep.helpers import serialize_object
from zeep.xsd.context import XmlParserContext
from zeep.xsd.types import builtins

from scoregate.adapters.soap import plan
from scoregate.adapters.soap.codec import _PARSE_SETTINGS, SoapCodec
from scoregate.adapters.soap.contract import ServiceContract
from scoregate.adapters.soap.paths import fixed_point, nest
from scoregate.adapters.soap.values import flatten, to_zeep

BORN = born_years_ago(41)
BROKER = Path(__file__).parent / "contracts" / "broker" / "ScoreBroker.wsdl"


@pytest.fixture(scope="module")
def codec() -> SoapCodec:
    return SoapCodec(ServiceContract(demo_file("LoanRiskService.wsdl")), max_bytes=65536)


def zeep_read(codec: SoapCodec, body: bytes) -> dict:
    envelope = codec.open(body)
    value = envelope.operation.zeep.input.body.parse(
        envelope.body, codec.contract.document.types, context=XmlParserContext(_PARSE_SETTINGS)
    )
    return flatten(serialize_object(value, dict), envelope.operation.zeep.input.body.type)


def leaves(xml: bytes) -> list[tuple[str, str | None]]:
    """Every element as (clark path, text): prefixes aside, two documents alike compare equal."""
    root = etree.fromstring(xml)
    return [("/".join(str(a.tag) for a in reversed(list(el.iterancestors()))) + "/" + el.tag, (el.text or "").strip() or None)
            for el in root.iter() if isinstance(el.tag, str)]


@pytest.mark.parametrize(
    "body",
    [
        assess_envelope(BORN),
        assess_envelope(BORN, env=SOAP12, prefix=None),
        assess_envelope(BORN, SavingsBalance=None, DebtToIncomeRatio=None, YearsEmployed=""),
        assess_envelope(BORN).replace("</ns1:Address></ns1:Addresses>", "</ns1:Address><ns1:Address><ns1:AddressType>PREV"
                                      "</ns1:AddressType><ns1:PostCode>N1</ns1:PostCode><ns1:YearsAtAddress>9"
                                      "</ns1:YearsAtAddress></ns1:Address></ns1:Addresses>"),
    ],
    ids=["full", "soap12-default-ns", "absent-and-empty", "repeated"],
)
def test_read_plan_equals_zeeps_parse(codec, body) -> None:
    if "<ns1:YearsEmployed></ns1:YearsEmployed>" in body:
        body = body.replace("<ns1:YearsEmployed></ns1:YearsEmployed>", "")  # an empty decimal is not valid XSD
    envelope = codec.open(body.encode())
    assert envelope.operation.read_plan is not None
    assert codec.read(envelope) == zeep_read(codec, body.encode())


def test_xsi_type_on_a_structure_falls_back_to_zeep(codec) -> None:
    body = assess_envelope(BORN).replace("<ns1:Applicant>", '<ns1:Applicant xsi:type="ns1:Applicant">').encode()
    envelope = codec.open(body)
    with pytest.raises(plan.Unsupported):
        plan.read(envelope.body, envelope.operation.read_plan)
    assert codec.read(envelope) == zeep_read(codec, body)


@pytest.mark.parametrize("wsdl", [demo_file("LoanRiskService.wsdl"), BROKER], ids=["demo", "broker"])
def test_write_plan_equals_zeeps_serialize(wsdl) -> None:
    contract = ServiceContract(wsdl)
    values = {
        "AssessCreditApplication": {
            "AssessCreditApplicationResult/ApplicationNo": "LN1", "AssessCreditApplicationResult/Decision/DecisionCode": "R",
            "AssessCreditApplicationResult/Decision/RiskScore": 512, "AssessCreditApplicationResult/Decision/ProbabilityOfDefault": 3.2e-05,
            "AssessCreditApplicationResult/ReasonCodes/ReasonCode": ["R01", "R07"], "AssessCreditApplicationResult/ScorecardId": "m:1",
        },
        "PreScreenApplicant": {
            "PreScreenApplicantResult/ReferenceNo": "Q", "PreScreenApplicantResult/Outcome": "GO", "PreScreenApplicantResult/Score": 700,
            "PreScreenApplicantResult/Reason1": "R02",
        },
        "GetCreditDecision": {
            "GetCreditDecisionResult/Decision": "Refer", "GetCreditDecisionResult/Probability": 0.25,
            "GetCreditDecisionResult/Reasons/string": ["age", "loan_amount"], "GetCreditDecisionResult/Score": 26,
            "GetCreditDecisionResult/ModelVersion": None,
        },
    }
    for operation in contract.operations:
        nested = fixed_point(nest(values[operation.name]))
        root = etree.Element(f"{{{operation.version.value}}}Envelope")
        plan.write(etree.SubElement(root, f"{{{operation.version.value}}}Body"), operation.write_plan, nested)
        by_zeep = operation.zeep.output.serialize(**to_zeep(nested)).content
        assert leaves(etree.tostring(root)) == leaves(etree.tostring(by_zeep)), operation.name


def test_write_plan_refuses_what_zeep_would() -> None:
    operation = ServiceContract(demo_file("LoanRiskService.wsdl")).operations[0]
    holder = etree.Element("holder")
    with pytest.raises(ValueError, match="missing required element ApplicationNo"):
        plan.write(holder, operation.write_plan, {"AssessCreditApplicationResult": {"Decision": {"RiskScore": 1}}})
    with pytest.raises(ValueError, match="no element or attribute Colour"):
        plan.write(holder, operation.write_plan, {"AssessCreditApplicationResult": {"Colour": "red"}})
    assert Decimal("0.000032") == fixed_point(3.2e-05)


CONVERSIONS = [
    (builtins.String, ["abc", " a  b ", "\n x\t", ""]),
    (builtins.Integer, ["42", " 42 ", "-7", "+3", "1_000", "4.0", "x", ""]),
    (builtins.Int, ["2147483647", "\t7\n", "seven"]),
    (builtins.Decimal, ["58000.00", " 1.5\n", "\t-0.31 ", "1e3", "-0", "1 000", "abc", ""]),
    (builtins.Date, ["1980-01-15", " 1980-01-15 ", "1980-02-30", "1980-01-15Z", "1980-01-15+02:00", "19800115",
                     "-0044-03-15", "\u0661\u0669\u0668\u0660-01-15", "1980-1-5", ""]),
]


def _outcome(convert, text: str) -> tuple:
    try:
        value = convert(text)
    except Exception as exc:  # noqa: BLE001 (the exception type is what is compared)
        return ("raises", type(exc))
    return (type(value), value)


@pytest.mark.parametrize(("xsd_type", "texts"), CONVERSIONS, ids=[t.__name__ for t, _ in CONVERSIONS])
def test_fast_leaf_converters_give_what_zeep_gives(xsd_type, texts) -> None:
    simple = xsd_type()
    convert = plan._converter(simple)
    assert convert != simple.pythonvalue  # a fast one was chosen
    for text in texts:
        assert _outcome(convert, text) == _outcome(simple.pythonvalue, text), repr(text)


def test_other_leaf_types_keep_zeeps_converter() -> None:
    for xsd_type in (builtins.Boolean, builtins.Token, builtins.DateTime, builtins.Float):
        simple = xsd_type()
        assert plan._converter(simple) == simple.pythonvalue


ATTRIBUTES = Path(__file__).parent / "data" / "attributes12" / "LoanScore.wsdl"
LOAN_BODY = (
    f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><t:ScoreLoan xmlns:t="http://loans.example.org/types" reference="R-9"'
    ' channel="web"><t:Applicant monthlyIncome="4000.50" born="1980-02-03"/><t:Loan amount="12000" months="36"'
    ' purpose="CAR"/></t:ScoreLoan></s:Body></s:Envelope>'
).encode()


def test_attribute_plans_equal_zeeps_parse_and_serialize() -> None:
    codec = SoapCodec(ServiceContract(ATTRIBUTES), max_bytes=65536)
    envelope = codec.open(LOAN_BODY, "application/soap+xml")
    assert envelope.operation.read_plan is not None and envelope.operation.write_plan is not None
    values = codec.read(envelope)
    assert values == zeep_read(codec, LOAN_BODY)
    assert values["Loan/@amount"] == Decimal("12000") and values["@user"] is None

    out = {"@decision": "APPROVE", "Score": 742, "Score/@scale": 1000, "Reason": ["R01", "R02"], "@reference": "R-9"}
    nested = fixed_point(nest(out))
    root = etree.Element(f"{{{SOAP12}}}Envelope")
    plan.write(etree.SubElement(root, f"{{{SOAP12}}}Body"), envelope.operation.write_plan, nested)
    by_zeep = envelope.operation.zeep.output.serialize(**to_zeep(nested)).content
    ours, zeeps = root[0][0], by_zeep.find(f".//{{{SOAP12}}}Body")[0]
    assert [(e.tag, dict(e.attrib), e.text) for e in ours.iter()] == [(e.tag, dict(e.attrib), e.text) for e in zeeps.iter()]
    with pytest.raises(ValueError, match="missing required attribute Score/@scale"):
        plan.write(etree.Element("x"), envelope.operation.write_plan, fixed_point(nest({**out, "Score/@scale": None})))
