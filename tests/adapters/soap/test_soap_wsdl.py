"""The legacy documents served as they are, health endpoints, and a mapping checked against the WSDL."""

from __future__ import annotations


import shutil
from pathlib import Path

import pytest
import zeep
from soap_support import DEMO_CONFIG, demo_file, http_request, legacy_application, born_years_ago

from scoregate.adapters.soap import ContractError, SoapChannel, SoapChannelConfig
from scoregate.adapters.soap.documents import rewrite_locations

LEGACY_LOCATION = b"http://riskhost.northwind-bank.example/RiskServices/LoanRiskService.asmx"


@pytest.mark.parametrize("query", ["wsdl", "WSDL", "wsdl="])
def test_wsdl_is_served_byte_for_byte(soap_server, query) -> None:
    reply = http_request(f"{soap_server.url}?{query}", method="GET")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/xml; charset=utf-8"
    assert reply.body == demo_file("LoanRiskService.wsdl").read_bytes()


def test_public_url_rewrites_only_the_address_locations() -> None:
    original = demo_file("LoanRiskService.wsdl").read_bytes()
    rewritten = rewrite_locations(original, "https://risk.example.com/RiskServices/LoanRiskService.asmx")
    assert rewritten.count(b'location="https://risk.example.com/RiskServices/LoanRiskService.asmx"') == 2
    assert rewritten.replace(b"https://risk.example.com/", b"http://riskhost.northwind-bank.example/") == original


def test_zeep_client_uses_the_rewritten_address_as_is(free_port: int, shared_core, channel_factory) -> None:
    port = free_port
    config = SoapChannelConfig.load(
        DEMO_CONFIG, port=port, public_url=f"http://127.0.0.1:{port}/RiskServices/LoanRiskService.asmx"
    )
    server = channel_factory(config, shared_core.client_settings())
    client = zeep.Client(f"{server.url}?wsdl")  # no create_service: the WSDL's own address is ours now
    answer = client.service.AssessCreditApplication(Application=legacy_application(born_years_ago(41)))
    assert answer.ApplicationNo == "LN20110342"


def test_unknown_schema_and_bare_path_are_not_found(soap_server) -> None:
    assert http_request(f"{soap_server.url}?xsd=xsd0", method="GET").status == 404
    assert http_request(f"{soap_server.url}?xsd=../loan-risk.toml", method="GET").status == 404
    bare = http_request(soap_server.url, method="GET")
    assert (bare.status, bare.headers["content-type"]) == (404, "text/plain; charset=utf-8")


def test_health_and_readiness(soap_server) -> None:
    base = soap_server.url.rsplit("/", 2)[0]
    assert http_request(f"{base}/healthz", method="GET").status == 200
    assert http_request(f"{base}/readyz", method="GET").body == b"ready\n"
    assert soap_server.channel.health().ready


def test_a_mapping_that_does_not_fit_fails_at_start_naming_the_path() -> None:
    data = SoapChannelConfig.load(DEMO_CONFIG).model_dump(mode="json")
    request = data["operations"]["AssessCreditApplication"]["request"]
    request["features"][0]["source"] = "Application/Applicant/DateOfBrith"
    data["operations"]["AssessCreditApplication"]["faults"][0]["fault"] = "ValidationFault"
    data["operations"]["PreScreen"] = data["operations"].pop("PreScreenApplicant")
    with pytest.raises(ContractError) as caught:
        SoapChannel(SoapChannelConfig.model_validate(data))
    assert str(caught.value).splitlines() == [
        "LoanRiskService.wsdl: operation PreScreenApplicant of the WSDL has no mapping in 'operations'",
        "LoanRiskService.wsdl: operations.PreScreen: the WSDL has no such operation (did you mean 'PreScreenApplicant'?)",
        "LoanRiskService.wsdl: operation AssessCreditApplication, request feature age: 'Application/Applicant/DateOfBrith'"
        " is not in the input message (did you mean 'Application/Applicant/DateOfBirth'?)",
        "LoanRiskService.wsdl: operation AssessCreditApplication, faults: the operation declares no fault 'ValidationFault'"
        " (it declares: RiskServiceFault)",
    ]


def test_a_response_mapping_that_leaves_a_required_element_empty_fails_at_start() -> None:
    data = SoapChannelConfig.load(DEMO_CONFIG).model_dump(mode="json")
    result = data["operations"]["PreScreenApplicant"]["response"]["result"]
    data["operations"]["PreScreenApplicant"]["response"]["result"] = [r for r in result if not r["target"].endswith("/Score")]
    with pytest.raises(ContractError, match="operation PreScreenApplicant: the response mapping does not fill the output message"):
        SoapChannel(SoapChannelConfig.model_validate(data))


def test_documents_are_served_where_a_client_resolves_their_references(tmp_path, shared_core, channel_factory) -> None:
    """RFC 3986 resolution against the ?wsdl URL and then against each other: "../xsd/a.xsd" from an
    endpoint at the root climbs no higher than "/", and WCF's "Svc.svc?wsdl=wsdl0" is its own route."""
    shapes = Path(__file__).parents[2] / "data" / "wsdl" / "jaxws-shapes"
    config = SoapChannelConfig(wsdl=shapes / "wsdl" / "shapes.wsdl", path="/Shapes", port=0, operations={},
                               unmapped_operations="fault")
    server = channel_factory(config, shared_core.client_settings())
    root = server.url.removesuffix("/Shapes")
    for url, file in [(f"{root}/xsd/shape_wrappers.xsd", "xsd/shape_wrappers.xsd"), (f"{root}/xsd/shape.xsd", "xsd/shape.xsd")]:
        assert http_request(url, method="GET").body == (shapes / file).read_bytes()
    assert http_request(f"{root}/corpus/xsd/shape.xsd", method="GET").status == 404

    folder = tmp_path / "wcf"
    shutil.copytree(Path(__file__).parent / "data" / "wsdl-import", folder)
    # Served as ?wsdl=wsdl0, so its relative references resolve against the service's URL.
    shutil.move(folder / "abstract" / "parts", folder / "parts")
    service = (folder / "Service.wsdl").read_text().replace('location="abstract/Interface.wsdl"', 'location="Quote.svc?wsdl=wsdl0"')
    (folder / "Service.wsdl").write_text(service)
    config = SoapChannelConfig.load(folder / "quote.toml", port=0, path="/svc/Quote.svc",
                                    documents={"wsdl0": folder / "abstract" / "Interface.wsdl",
                                               "http://schemas.example.org/common/v1/common.xsd": folder / "common" / "common.xsd"})
    server = channel_factory(config, shared_core.client_settings())
    assert http_request(f"{server.url}?wsdl", method="GET").body == service.encode()
    assert http_request(f"{server.url}?wsdl=wsdl0", method="GET").body == (folder / "abstract" / "Interface.wsdl").read_bytes()
    # Interface.wsdl's "parts/request.xsd", against the URL it was fetched from.
    included = http_request(server.url.replace("/Quote.svc", "/parts/request.xsd"), method="GET")
    assert included.body == (folder / "parts" / "request.xsd").read_bytes()


def test_a_remote_schemas_relative_reference_resolves_beside_its_local_copy(tmp_path) -> None:
    """common.xsd is published at http://schemas.example.org/common/v1/ and includes "codes.xsd":
    a client fetches http://schemas.example.org/common/v1/codes.xsd, so the local copy of that
    is the file beside common.xsd's copy; neither is served here (clients fetch them there)."""
    folder = tmp_path / "quote"
    shutil.copytree(Path(__file__).parent / "data" / "wsdl-import", folder)
    common = folder / "common" / "common.xsd"
    common.write_text(common.read_text().replace("<xs:simpleType", '<xs:include schemaLocation="codes.xsd"/><xs:simpleType', 1))
    (folder / "common" / "codes.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:simpleType name="PurposeCode">'
        '<xs:restriction base="xs:string"/></xs:simpleType></xs:schema>')
    config = SoapChannelConfig.load(folder / "quote.toml")
    channel = SoapChannel(config)
    assert sorted(channel.contract.served) == ["abstract/Interface.wsdl", "abstract/parts/request.xsd"]


def test_a_contract_with_xs_redefine_is_refused_in_one_sentence(tmp_path) -> None:
    folder = tmp_path / "quote"
    shutil.copytree(Path(__file__).parent / "data" / "wsdl-import", folder)
    part = folder / "abstract" / "parts" / "request.xsd"
    (folder / "abstract" / "parts" / "base.xsd").write_bytes(part.read_bytes())
    text = part.read_text()
    body = text[text.index(">", text.index("<xs:schema")) + 1:text.rindex("</xs:schema>")]
    part.write_text(text.replace(body, '<xs:redefine schemaLocation="base.xsd"/>'))
    with pytest.raises(ContractError) as refused:
        SoapChannel(SoapChannelConfig.load(folder / "quote.toml"))
    assert str(refused.value) == ("Service.wsdl: a schema uses xs:redefine, which is not supported: write the redefined"
                                  " types into the schema itself")
