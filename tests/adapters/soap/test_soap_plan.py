"""The compiled plans give exactly what zeep's generic parse and serialize give (the fallback path)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from soap_support import SOAP11, SOAP12, assess_envelope, born_years_ago, demo_file
from zeep.helpers import serialize_object
from zeep.xsd.context import XmlParserContext
from zeep.xsd.types import builtins

from scoregate.adapters.soap import SoapChannelConfig, plan, plan_io
from scoregate.adapters.soap.leaves import converter
from scoregate.adapters.soap.codec import _PARSE_SETTINGS, SoapCodec
from scoregate.adapters.soap.contract import ServiceContract
from scoregate.adapters.soap.paths import fixed_point, nest
from scoregate.adapters.soap.preflight import preflight
from scoregate.adapters.soap.values import flatten, flatten_body, serialize_args, to_zeep

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


def test_xsi_type_of_the_declared_type_is_read_by_the_plan_and_another_falls_back_to_zeep(codec) -> None:
    body = assess_envelope(BORN).replace("<ns1:Applicant>", '<ns1:Applicant xsi:type="ns1:Applicant">').encode()
    envelope = codec.open(body)
    assert plan_io.read(envelope.body, envelope.operation.read_plan) == zeep_read(codec, body)
    other = envelope.body.find(".//{*}Applicant")
    other.set("{http://www.w3.org/2001/XMLSchema-instance}type", "ns1:Address")  # no type derived from Applicant
    with pytest.raises(plan.Unsupported, match="no type derived from"):
        plan_io.read(envelope.body, envelope.operation.read_plan)


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
        plan_io.write(etree.SubElement(root, f"{{{operation.version.value}}}Body"), operation.write_plan, nested)
        by_zeep = operation.zeep.output.serialize(**to_zeep(nested)).content
        assert leaves(etree.tostring(root)) == leaves(etree.tostring(by_zeep)), operation.name


def test_write_plan_refuses_what_zeep_would() -> None:
    operation = ServiceContract(demo_file("LoanRiskService.wsdl")).operations[0]
    holder = etree.Element("holder")
    with pytest.raises(ValueError, match="missing required element ApplicationNo"):
        plan_io.write(holder, operation.write_plan, {"AssessCreditApplicationResult": {"Decision": {"RiskScore": 1}}})
    with pytest.raises(ValueError, match="no element or attribute Colour"):
        plan_io.write(holder, operation.write_plan, {"AssessCreditApplicationResult": {"Colour": "red"}})
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
    convert = converter(simple)
    assert convert != simple.pythonvalue  # a fast one was chosen
    for text in texts:
        assert _outcome(convert, text) == _outcome(simple.pythonvalue, text), repr(text)


def test_other_leaf_types_keep_zeeps_converter() -> None:
    for xsd_type in (builtins.Boolean, builtins.Token, builtins.DateTime, builtins.Float):
        simple = xsd_type()
        assert converter(simple) == simple.pythonvalue


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
    plan_io.write(etree.SubElement(root, f"{{{SOAP12}}}Body"), envelope.operation.write_plan, nested)
    by_zeep = envelope.operation.zeep.output.serialize(**to_zeep(nested)).content
    ours, zeeps = root[0][0], by_zeep.find(f".//{{{SOAP12}}}Body")[0]
    assert [(e.tag, dict(e.attrib), e.text) for e in ours.iter()] == [(e.tag, dict(e.attrib), e.text) for e in zeeps.iter()]
    with pytest.raises(ValueError, match="missing required attribute Score/@scale"):
        plan_io.write(etree.Element("x"), envelope.operation.write_plan, fixed_point(nest({**out, "Score/@scale": None})))


BARE = Path(__file__).parent / "contracts" / "bare-value" / "BareValue.wsdl"
BARE_BODIES = {
    "DecideAmount": b'<LoanAmount xmlns="http://bare.example.org/types"> 15000.50 </LoanAmount>',
    "ScoreIncome": b'<Income xmlns="http://bare.example.org/types" period="month">4000.5</Income>',
}
BARE_ANSWERS = {"DecideAmount": {"Decision": "APPROVE"}, "ScoreIncome": {"Score": 742, "@decision": "REFER"}}


@pytest.mark.parametrize("name", sorted(BARE_BODIES))
def test_a_bare_value_body_is_its_own_path_in_plans_and_in_zeep(name) -> None:
    """document/literal bare with a value element as the part: read and written by its own name
    (its attributes as ``@name``), the plan and zeep's generic path alike."""
    codec = SoapCodec(ServiceContract(BARE), max_bytes=65536)
    body = f'<s:Envelope xmlns:s="{SOAP11}"><s:Body>'.encode() + BARE_BODIES[name] + b"</s:Body></s:Envelope>"
    envelope = codec.open(body, "text/xml")
    operation = envelope.operation
    assert operation.name == name and operation.read_plan is not None
    parsed = operation.zeep.input.body.parse(envelope.body, codec.contract.document.types, context=XmlParserContext(_PARSE_SETTINGS))
    by_zeep = flatten_body(serialize_object(parsed, dict), operation.zeep.input.body)
    assert codec.read(envelope) == by_zeep
    assert by_zeep == ({"LoanAmount": Decimal("15000.50")} if name == "DecideAmount" else {"Income": Decimal("4000.5"), "@period": "month"})

    nested = fixed_point(nest(BARE_ANSWERS[name]))
    root = etree.Element(f"{{{SOAP11}}}Envelope")
    plan_io.write_body(etree.SubElement(root, f"{{{SOAP11}}}Body"), operation.write_plan, nested)
    args, kwargs = serialize_args(operation.zeep.output.body, nested)
    zeeps = operation.zeep.output.serialize(*args, **kwargs).content.find(f".//{{{SOAP11}}}Body")[0]
    assert [(e.tag, dict(e.attrib), e.text) for e in root[0][0].iter()] == [(e.tag, dict(e.attrib), e.text) for e in zeeps.iter()]
    assert etree.QName(zeeps).localname in BARE_ANSWERS[name]


INLINE = Path(__file__).parent / "data" / "inline-many"
VEHICLE = ('<xs:complexType name="Vehicle"><xs:complexContent><xs:extension base="m:Collateral"><xs:sequence>'
           '<xs:element name="Year" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>'
           '<xs:element name="Vehicle" type="m:Vehicle" substitutionGroup="m:Collateral"/>')


def test_a_substitution_member_whose_type_adds_elements_is_read_by_its_heads_name(tmp_path) -> None:
    shutil.copytree(INLINE, tmp_path / "apply")
    wsdl = tmp_path / "apply" / "Apply.wsdl"
    wsdl.write_text(wsdl.read_text().replace("    </xs:schema>\n  </wsdl:types>", f"    {VEHICLE}</xs:schema>\n  </wsdl:types>"))
    config = SoapChannelConfig.load(tmp_path / "apply" / "apply.toml")
    data = config.model_dump(mode="json")
    data["operations"]["Apply"]["request"]["features"][-1] = {"feature": "open_accounts", "source": "Collateral/Year", "type": "integer"}
    assert preflight(SoapChannelConfig.model_validate(data)) == []  # a member's own element has a path

    codec = SoapCodec(ServiceContract(wsdl), max_bytes=65536)
    body = (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><Apply xmlns="urn:apply" xmlns:p="urn:party" xmlns:m="urn:money">'
            "<Applicant><p:Company><p:Registration>GB-1</p:Registration><p:Turnover>1</p:Turnover></p:Company></Applicant>"
            '<Amount>9000</Amount><Term>48</Term><m:Vehicle value="7000"><m:Year>2019</m:Year></m:Vehicle></Apply>'
            "</s:Body></s:Envelope>").encode()
    envelope = codec.open(body, "text/xml")
    values = plan_io.read_body(envelope.body, envelope.operation.read_plan)
    assert (values["Collateral/@value"], values["Collateral/Year"]) == (Decimal("7000"), 2019)


SCORES = ('<xs:element name="Scores" minOccurs="0"><xs:simpleType><xs:list itemType="xs:int"/></xs:simpleType>'
          '</xs:element>')


def test_xs_list_items_are_occurrences_first_by_its_path_every_one_in_an_expression(tmp_path) -> None:
    shutil.copytree(INLINE, tmp_path / "apply")
    wsdl = tmp_path / "apply" / "Apply.wsdl"
    wsdl.write_text(wsdl.read_text().replace('<xs:element ref="m:Collateral" minOccurs="0"/>', f'{SCORES}<xs:element ref="m:Collateral" minOccurs="0"/>'))
    data = SoapChannelConfig.load(tmp_path / "apply" / "apply.toml").model_dump(mode="json")
    features = {f["feature"]: f for f in data["operations"]["Apply"]["request"]["features"]}
    for feature in ({"feature": "home_ownership", "source": "Tags[2]", "type": "text", "codes": {"returning": "OWN", "new": "RENT"}},
                    {"feature": "open_accounts", "expr": "count(`Scores[*]` >= 0)", "type": "integer"},
                    {"feature": "delinquencies_2y", "expr": "sum(`Scores[*]`)", "type": "integer"},
                    {"feature": "inquiries_6m", "source": "Scores", "type": "integer"}):
        features[feature["feature"]] = feature
    data["operations"]["Apply"]["request"]["features"] = list(features.values())
    config = SoapChannelConfig.model_validate(data)
    assert preflight(config) == []

    codec = SoapCodec(ServiceContract(wsdl), max_bytes=65536)
    body = (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><Apply xmlns="urn:apply" xmlns:p="urn:party" xmlns:m="urn:money">'
            "<Applicant><p:Company><p:Registration>GB-1</p:Registration><p:Turnover>1</p:Turnover></p:Company></Applicant>"
            "<Amount>9000</Amount><Term>48</Term><Tags>web returning</Tags><Scores> 2 0\n1 </Scores></Apply></s:Body></s:Envelope>").encode()
    envelope = codec.open(body, "text/xml")
    values = codec.read(envelope)
    by_zeep = zeep_read(codec, body)
    assert (values.pop("Term"), by_zeep.pop("Term")) == ("48", 48)  # a union stays text in the plan (leaves.simple)
    assert values == by_zeep  # the plan flattens a list as zeep's values are flattened
    assert (values["Tags"], values["Tags[2]"], values["Scores"], values["Scores[3]"]) == ("web", "returning", 2, 1)
    request = config.operations["Apply"].request.decode({**values, "Term": "48"}, request_id="r", channel="soap")
    assert {k: request.features[k] for k in ("home_ownership", "open_accounts", "delinquencies_2y", "inquiries_6m")} == {
        "home_ownership": "OWN", "open_accounts": 3, "delinquencies_2y": 3, "inquiries_6m": 2}


def test_one_name_in_two_namespaces_under_one_parent_is_named_by_its_prefix(tmp_path) -> None:
    """Apply holds its own Amount and the money schema's m:Amount: with prefixes in 'namespaces'
    each has a path of its own (``a:Amount``, ``m:Amount``), as the mapping writes them."""
    shutil.copytree(INLINE, tmp_path / "apply")
    wsdl = tmp_path / "apply" / "Apply.wsdl"
    wsdl.write_text(wsdl.read_text().replace('<xs:element name="Amount" type="xs:decimal"/>\n            <xs:element name="Term"',
                                             '<xs:element name="Amount" type="xs:decimal"/><xs:element ref="m:Amount"/>\n'
                                             '            <xs:element name="Term"'))
    data = SoapChannelConfig.load(tmp_path / "apply" / "apply.toml").model_dump(mode="json")
    features = {f["feature"]: f for f in data["operations"]["Apply"]["request"]["features"]}
    features["annual_income"] = {"feature": "annual_income", "source": "m:Amount"}
    data["operations"]["Apply"]["request"]["features"] = list(features.values())
    unqualified = SoapChannelConfig.model_validate(data)
    assert preflight(unqualified) == [
        "Apply.wsdl: operation Apply, request feature annual_income: 'm:Amount': there are Amount elements of two namespaces"
        " there; give each namespace a prefix in 'namespaces' and write p:Amount"]
    features["loan_amount"] = {"feature": "loan_amount", "source": "a:Amount"}
    data["operations"]["Apply"]["request"]["features"] = list(features.values())
    config = SoapChannelConfig.model_validate({**data, "namespaces": {"a": "urn:apply", "m": "urn:money"}})
    assert preflight(config) == []

    codec = SoapCodec(ServiceContract.of(config), max_bytes=65536)
    body = (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><Apply xmlns="urn:apply" xmlns:p="urn:party" xmlns:m="urn:money">'
            "<Applicant><p:Company><p:Registration>GB-1</p:Registration><p:Turnover>1</p:Turnover></p:Company></Applicant>"
            "<Amount>9000</Amount><m:Amount>48000</m:Amount><Term>48</Term></Apply></s:Body></s:Envelope>").encode()
    envelope = codec.open(body, "text/xml")
    assert envelope.operation.read_plan is not None
    values = codec.read(envelope)
    assert (values["a:Amount"], values["m:Amount"]) == (Decimal("9000"), Decimal("48000"))
    request = config.operations["Apply"].request.decode(values, request_id="r", channel="soap")
    assert (request.features["loan_amount"], request.features["annual_income"]) == (9000.0, 48000.0)
