"""The SOAP benchmark's workload and its two baselines, shared by the servers and the CPU measurement.

- ``envelope()``: the prepared AssessCreditApplication request (SOAP 1.1, the demo contract).
- ``HandWritten``: what a developer would write by hand for this one WSDL with lxml: a reused
  hardened parser, fixed element paths, the mapping's transforms inlined, the canonical request
  built, the response built with lxml. No XSD check, no generic code: the lower bound for
  "parse, map, serialize" to which the adapter's CPU is compared.
- ``Adapter``: the adapter's own pure path (codec + mapping), exactly what ``SoapApp`` runs
  around the scoring call.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from scoregate.adapters.soap import ServiceContract, SoapChannelConfig, SoapCodec
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.contract import ReasonCode, ScoreRequest, ScoreResult

CONFIG = DEFAULTS_DIR / "soap" / "loan-risk.toml"
NS = "http://risk.northwind-bank.example/LoanRisk/2011/03"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"
OPERATION = "AssessCreditApplication"
#: A result of the demo model's shape, for measuring the pure path without a core.
RESULT = ScoreResult(
    request_id="bench", model="credit-risk", version="1", probability=0.1234, decision="APPROVE",
    reasons=tuple(ReasonCode(feature="f", code=f"R0{i}", contribution=0.1) for i in range(1, 5)),
)


def envelope() -> bytes:
    born = date(date.today().year - 42, 12, 31)
    values = {
        "ApplicationNo": "LN20110342", "BranchCode": "0417", "CustomerId": "C-88213", "DateOfBirth": born.isoformat(),
        "ResidentialStatus": "M", "NumberOfDependants": "2", "EmployerName": "Contoso Ltd", "YearsEmployed": "6.5",
        "GrossAnnualIncome": "58000.00", "ProductCode": "PL36", "PurposeCode": "04", "AmountRequested": "15000.00",
        "TermMonths": "36", "OfferedRateBps": "790", "CoSignerInd": "N", "DebtToIncomeRatio": "0.31",
        "RevolvingUtilPct": "42", "OpenTradelines": "7", "CreditHistoryYears": "12.0", "Delinquencies24M": "0",
        "Inquiries6M": "1", "Bankruptcies": "0", "SavingsBalance": "4200.00",
    }
    e = {k: f"<r:{k}>{v}</r:{k}>" for k, v in values.items()}
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ENV}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>'
        f'<r:AssessCreditApplication xmlns:r="{NS}"><r:Application>{e["ApplicationNo"]}{e["BranchCode"]}<r:Applicant>'
        f'{e["CustomerId"]}{e["DateOfBirth"]}{e["ResidentialStatus"]}{e["NumberOfDependants"]}<r:Employment>'
        f'{e["EmployerName"]}{e["YearsEmployed"]}{e["GrossAnnualIncome"]}</r:Employment><r:Addresses><r:Address>'
        "<r:AddressType>CURR</r:AddressType><r:PostCode>EC1A 1BB</r:PostCode><r:YearsAtAddress>4</r:YearsAtAddress>"
        "</r:Address><r:Address><r:AddressType>PREV</r:AddressType><r:PostCode>N1 9GU</r:PostCode>"
        f'<r:YearsAtAddress>7</r:YearsAtAddress></r:Address></r:Addresses>{e["SavingsBalance"]}</r:Applicant><r:Loan>'
        f'{e["ProductCode"]}{e["PurposeCode"]}{e["AmountRequested"]}{e["TermMonths"]}{e["OfferedRateBps"]}'
        f'{e["CoSignerInd"]}</r:Loan><r:Bureau>{e["DebtToIncomeRatio"]}{e["RevolvingUtilPct"]}{e["OpenTradelines"]}'
        f'{e["CreditHistoryYears"]}{e["Delinquencies24M"]}<r:MonthsSinceLastDelinq xsi:nil="true"/>{e["Inquiries6M"]}'
        f'{e["Bankruptcies"]}</r:Bureau></r:Application></r:AssessCreditApplication></soap:Body></soap:Envelope>'
    ).encode()


def _q(path: str) -> str:
    return "/".join(f"{{{NS}}}{part}" for part in path.split("/"))


class HandWritten:
    """The hand-written lxml handler for AssessCreditApplication (the CPU baseline)."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, load_dtd=False)
        mapping = SoapChannelConfig.load(CONFIG).operations[OPERATION].request
        self.features = [(f, _q(f.source.replace("[1]", ""))) for f in mapping.features]
        self.reference = _q("Application/ApplicationNo")

    def decode(self, data: bytes) -> tuple[ScoreRequest, str]:
        root = etree.fromstring(data, self.parser)
        if root.getroottree().docinfo.doctype:
            raise ValueError("DOCTYPE refused")
        body = root.find(f"{{{ENV}}}Body")[0]
        today, features = date.today(), {}
        for spec, path in self.features:
            text = body.findtext(path)
            if text is None or not text.strip():
                features[spec.feature] = None
            elif spec.type == "date":
                born = date.fromisoformat(text)
                features[spec.feature] = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            elif spec.codes is not None:
                features[spec.feature] = spec.codes[text]
            elif spec.type == "boolean":
                features[spec.feature] = 1 if text == "Y" else 0
            elif spec.type == "integer":
                features[spec.feature] = int(text)
            else:
                features[spec.feature] = float(text) * spec.scale
        reference = body.findtext(self.reference)
        return ScoreRequest(request_id="bench", model="credit-risk", features=features, reason_count=4), reference

    def encode(self, result: ScoreResult, reference: str) -> bytes:
        env = etree.Element(f"{{{ENV}}}Envelope", nsmap={"soap": ENV})
        wrapper = etree.SubElement(etree.SubElement(env, f"{{{ENV}}}Body"), _q("AssessCreditApplicationResponse"), nsmap={"r": NS})
        out = etree.SubElement(wrapper, _q("AssessCreditApplicationResult"))
        etree.SubElement(out, _q("ApplicationNo")).text = reference
        decision = etree.SubElement(out, _q("Decision"))
        etree.SubElement(decision, _q("DecisionCode")).text = {"APPROVE": "A", "REVIEW": "R"}.get(result.decision, "D")
        etree.SubElement(decision, _q("RiskScore")).text = str(round((1 - result.probability) * 999))
        etree.SubElement(decision, _q("ProbabilityOfDefault")).text = f"{round(result.probability, 4):f}"
        reasons = etree.SubElement(out, _q("ReasonCodes"))
        for reason in result.reasons:
            etree.SubElement(reasons, _q("ReasonCode")).text = reason.code
        etree.SubElement(out, _q("ScorecardId")).text = f"{result.model}:{result.version}"
        return etree.tostring(env, xml_declaration=True, encoding="utf-8")


class Adapter:
    """The adapter's pure path around the scoring call, as SoapApp runs it."""

    def __init__(self) -> None:
        config = SoapChannelConfig.load(CONFIG)
        self.codec = SoapCodec(ServiceContract(config.wsdl), config.limits.max_body_bytes)
        self.mapping = config.operations[OPERATION]

    def decode(self, data: bytes):  # noqa: ANN201
        envelope = self.codec.open(data, "text/xml; charset=utf-8", None)
        request = self.mapping.request.decode(self.codec.read(envelope), request_id="bench", channel="soap")
        return request, envelope

    def encode(self, result: ScoreResult, request: ScoreRequest, envelope) -> bytes:  # noqa: ANN001
        out = self.mapping.response.encode_result(result, reference=request.caller.reference)
        return self.codec.encode(envelope, out)
