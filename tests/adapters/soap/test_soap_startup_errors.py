"""A contract that cannot be served stops `config check`, `gateway serve` and `up` before anything
listens: one line per problem naming the file, the operation and the path, exit code 2, no traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.adapters.soap.preflight import preflight

ATTRIBUTES = Path(__file__).parent / "data" / "attributes12"
SCOREGATE = [str(Path(sys.executable).with_name("scoregate"))]
ENCODED = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:enc" targetNamespace="urn:enc">
  <message name="In"><part name="amount" type="xsd:decimal"/></message>
  <message name="Out"><part name="score" type="xsd:int"/></message>
  <portType name="P"><operation name="Score"><input message="tns:In"/><output message="tns:Out"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Score"><soap:operation soapAction="urn:enc#Score"/>
      <input><soap:body use="encoded" namespace="urn:enc" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
      <output><soap:body use="encoded" namespace="urn:enc" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
    </operation></binding>
  <service name="S"><port name="P" binding="tns:B"><soap:address location="http://x/"/></port></service>
</definitions>
"""


def contract_copy(tmp_path: Path) -> Path:
    """The attributes12 contract and a gateway file naming it, in a folder the test may break."""
    shutil.copytree(ATTRIBUTES, tmp_path / "soap")
    (tmp_path / "gateway.toml").write_text(
        '[client]\ntarget = "127.0.0.1:1"\n[health]\nport = 0\n[channels.soap]\nconfig = "soap/loan-score.toml"\n'
    )
    return tmp_path / "soap"


def replace_in(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))


BREAKS = {
    "mapping": (
        "loan-score.toml", '"Loan/@amount"', '"Loan/amount"',
        "LoanScore.wsdl: operation ScoreLoan, request feature loan_amount: 'Loan/amount' is not in the input message"
        " (did you mean 'Loan/@amount'?)",
    ),
    "schema": (
        "codes/purpose.xsd", 'base="xs:string"', 'base="xs:strang"',
        "LoanScore.wsdl: the WSDL's schemas do not compile: codes/purpose.xsd, line 5: simple type 'Purpose'",
    ),
    "xml": ("types/loan.xsd", "</xs:schema>", "</xs:schma>",
            "LoanScore.wsdl: the WSDL's schemas do not compile: types/loan.xsd, line 49: Opening and ending tag mismatch"),
}


@pytest.mark.parametrize("broken", BREAKS, ids=list(BREAKS))
def test_config_check_and_gateway_serve_say_it_in_one_line(tmp_path, broken) -> None:
    file, old, new, expected = BREAKS[broken]
    replace_in(contract_copy(tmp_path) / file, old, new)
    for command in (["config", "check", "gateway.toml"], ["gateway", "serve", "--config", "gateway.toml"]):
        done = subprocess.run([*SCOREGATE, *command], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        lines = done.stderr.strip().splitlines()
        assert (done.returncode, len(lines)) == (2, 1), done.stderr
        assert expected in lines[0]
        assert "Traceback" not in done.stderr


def test_up_stops_the_same_way(tmp_path) -> None:
    replace_in(contract_copy(tmp_path) / "loan-score.toml", '"Loan/@months"', '"Loan[2]/@months"')
    done = subprocess.run([*SCOREGATE, "up", "--config", "gateway.toml", "--workdir", "work"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert any(line.startswith("Error: ") and line.endswith(
        "loan-score.toml: LoanScore.wsdl: operation ScoreLoan, request feature loan_term_months: 'Loan[2]/@months': Loan"
        " occurs once in the input message, so it takes no [index]") for line in done.stderr.splitlines()), done.stderr


def test_preflight_is_a_list_of_lines_and_refuses_soap_encoding(tmp_path) -> None:
    folder = contract_copy(tmp_path)
    config = SoapChannelConfig.load(folder / "loan-score.toml")
    assert preflight(config) == []
    (folder / "Encoded.wsdl").write_text(ENCODED)
    assert preflight(config.model_copy(update={"wsdl": folder / "Encoded.wsdl"})) == [
        'Encoded.wsdl: operation Score uses SOAP encoding (use="encoded"), which is not supported: only literal bodies'
        " (document/literal or rpc/literal) are served"
    ]


def test_a_one_way_operation_needs_no_mapping_and_cannot_have_one(tmp_path) -> None:
    folder = contract_copy(tmp_path)
    replace_in(folder / "LoanScore.wsdl", "  </wsdl:portType>",
               '    <wsdl:operation name="Notify"><wsdl:input message="tns:ScoreLoanIn"/></wsdl:operation>\n  </wsdl:portType>')
    replace_in(folder / "LoanScore.wsdl", "  </wsdl:binding>",
               '    <wsdl:operation name="Notify"><soap12:operation soapAction="urn:notify"/>'
               '<wsdl:input><soap12:body use="literal"/></wsdl:input></wsdl:operation>\n  </wsdl:binding>')
    config = SoapChannelConfig.load(folder / "loan-score.toml")
    assert preflight(config) == []
    data = config.model_dump(mode="json")
    data["operations"]["Notify"] = data["operations"]["ScoreLoan"]
    assert preflight(SoapChannelConfig.model_validate(data)) == [
        "LoanScore.wsdl: operation Notify is one-way (no output message), so it cannot answer with a score:"
        " remove it from 'operations'"
    ]


def test_a_bare_value_body_is_mapped_by_its_own_name() -> None:
    """document/literal bare, the part a simple-typed element: the path is the element's name."""
    wsdl = Path(__file__).parent / "contracts" / "bare-value" / "BareValue.wsdl"

    def config(source: str, target: str) -> SoapChannelConfig:
        operation = {"request": {"model": "credit-risk", "features": [{"feature": "loan_amount", "source": source}]},
                     "response": {"result": [{"target": target, "source": "decision"}]}}
        return SoapChannelConfig(wsdl=wsdl, path="/bare", operations={"DecideAmount": operation}, unmapped_operations="fault")

    assert preflight(config("LoanAmount", "Decision")) == []
    assert preflight(config("Amount", "Decision/text")) == [
        "BareValue.wsdl: operation DecideAmount, request feature loan_amount: 'Amount' is not in the input message"
        " (did you mean 'LoanAmount'?)",
        "BareValue.wsdl: operation DecideAmount, response decision: 'Decision/text' is not in the output message"
        " (did you mean 'Decision'?)",
    ]


def test_an_abstract_output_element_needs_its_written_type_named() -> None:
    """JAX-WS polymorphism: the response element is of the abstract type Shape; ``types`` names the
    derived type it is written as (then that type's own elements are targets)."""
    wsdl = Path(__file__).parents[2] / "data" / "wsdl" / "jaxws-shapes" / "wsdl" / "shapes.wsdl"

    def config(types: dict, target: str = "response/radius") -> SoapChannelConfig:
        operation = {"request": {"model": "credit-risk", "features": [{"feature": "interest_rate", "source": "request/xAxis"}]},
                     "response": {"result": [{"target": "response/xAxis", "source": "probability"},
                                             {"target": "response/yAxis", "source": "constant", "value": "0"},
                                             {"target": target, "source": "constant", "value": "1"}]},
                     "types": types}
        return SoapChannelConfig(wsdl=wsdl, path="/shapes", operations={"draw": operation}, unmapped_operations="fault")

    assert preflight(config({"response": "Circle"})) == []
    assert preflight(config({"response": "{http://shape.test.org}Circle"})) == []
    assert preflight(config({}, target="response/xAxis")) == [
        "shapes.wsdl: operation draw: the response mapping does not fill the output message: response is of the"
        " abstract type Shape: choose the type it is written as in 'types'"]
    assert preflight(config({"response": "Circel"})) == [
        "shapes.wsdl: operation draw, types 'response': 'Circel' is not one type derived from Shape (Circle, Square,"
        " ThreeDSquare)"]
    assert preflight(config({"response": "Square"})) == [
        "shapes.wsdl: operation draw, response constant: 'response/radius' is not in the output message"
        " (did you mean 'response/yAxis'?)"]
