"""The conformance corpus: real public WSDLs of many origins (tests/data/wsdl/README.md), each
loaded and compiled, served byte for byte with its imported documents, and called by a real zeep
client that gets what the core gives, in a request and a response that validate against the
contract's schemas. Cases the engine does not serve yet are strict xfails listed in
corpus_support.EXPECTED_FAILURES."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import zeep
from lxml import etree
from soap_support import ChannelThread, http_request
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

from corpus_support import (
    Case, CorpusServers, assert_answer, body_children, expected_answer, load_cases, param, params,
)
from scoregate.adapters.soap import ContractError, SoapChannel
from scoregate.core.client import ScoringClient

CASES = load_cases()
SERVED = [case for case in CASES if not case.refused]


@pytest.fixture(scope="module")
def corpus_servers(shared_core) -> Iterator[CorpusServers]:
    servers = CorpusServers(shared_core.client_settings())
    yield servers
    servers.stop()


@pytest.fixture(scope="module")
def core(shared_core) -> Iterator[ScoringClient]:
    with ScoringClient(shared_core.client_settings()) as client:
        yield client


def test_corpus_has_the_promised_breadth() -> None:
    assert len(CASES) >= 20
    assert len({case.name.split("-")[0] for case in CASES}) >= 6  # origins: wcf, cxf, jaxws, axis2, php, delphi, ...


@pytest.mark.parametrize("case", params("loads", CASES))
def test_contract_loads_and_its_schemas_compile(case: Case) -> None:
    if case.refused:
        with pytest.raises(ContractError, match=case.refused):
            SoapChannel(case.config())
        return
    channel = SoapChannel(case.config())  # zeep loads it, lxml compiles its schemas, the mapping fits
    assert case.spec["operation"] in channel.contract.names
    assert channel.contract.validator is not None


@pytest.mark.parametrize("case", params("served", SERVED))
def test_contract_is_served_byte_for_byte_with_every_imported_document(case: Case, corpus_servers) -> None:
    server = corpus_servers(case)
    wsdl_url = f"{server.url}?wsdl"
    documents = {name: case.folder / file for name, file in case.spec.get("documents", {}).items()}
    by_query = {path: name for name, path in documents.items()}
    for file in case.documents():
        if file == case.wsdl:
            url = wsdl_url
        elif file in by_query:
            url = f"{server.url}?xsd={by_query[file]}"
        else:  # where a client resolves the relative reference of the document that imports it
            url = urljoin(wsdl_url, Path(os.path.relpath(file, case.wsdl.parent)).as_posix())
        reply = http_request(url, method="GET")
        assert (reply.status, reply.body) == (200, file.read_bytes()), f"{file.name} at {url}"


def _call(case: Case, url: str, binding: str, history: HistoryPlugin) -> Any:
    client = zeep.Client(f"{url}?{case.spec.get('wsdl_query', 'wsdl')}", plugins=[history],
                         transport=Transport(timeout=10, operation_timeout=10))
    operation = getattr(client.create_service(binding, url), case.spec["operation"])
    args = _typed(client, case.spec["args"])
    return operation(*args) if isinstance(args, list) else operation(**args)


def _typed(client: zeep.Client, value: Any) -> Any:
    """``args`` with each table naming a ``_type`` made a value of that XSD type (sent with xsi:type)."""
    if isinstance(value, list):
        return [_typed(client, item) for item in value]
    if not isinstance(value, dict):
        return value
    fields = {key: _typed(client, item) for key, item in value.items() if key != "_type"}
    return client.get_type(value["_type"])(**fields) if "_type" in value else fields


def _assert_valid(server: ChannelThread, element: etree._Element) -> None:
    validator = server.channel.contract.validator
    assert validator.validate(element), f"{etree.QName(element).localname}: {validator.error_log.last_error}"


@pytest.mark.parametrize("case", params("round_trip", SERVED))
def test_a_zeep_client_call_round_trips_as_the_core_scores(case: Case, corpus_servers, core) -> None:
    server = corpus_servers(case)
    expected = expected_answer(case, core)
    operation = next(op for op in server.channel.contract.operations if op.name == case.spec["operation"])
    for binding in case.spec["bindings"]:
        history = HistoryPlugin()
        _call(case, server.url, binding, history)  # zeep parses the answer: it raises on a fault or a misfit

        (request,) = body_children(history.last_sent["envelope"])
        (response,) = body_children(history.last_received["envelope"])
        assert_answer(response, expected, binding)
        _assert_valid(server, request)
        if operation.zeep.style == "rpc":
            # An rpc response is declared by its WSDL message, not by a schema element; its wrapper
            # is named after the operation (WS-I Basic Profile R2729).
            assert etree.QName(response).localname == f"{operation.name}Response"
        else:
            _assert_valid(server, response)


def _case(name: str) -> Case:
    return next(case for case in CASES if case.name == name)


@pytest.mark.parametrize(
    ("case", "operation", "args"),
    [param("loads", _case("cxf-add-numbers-soap12"), "addNumbers2", {"number1": 1, "number2": 2}),
     # Same body element as the scored sayHi: only the SOAPAction sends it elsewhere.
     param("loads", _case("cxf-soap-action"), "sayHi2", ["x"])],
)
def test_an_unmapped_operation_gets_a_client_fault(case: Case, operation: str, args: Any, corpus_servers) -> None:
    server = corpus_servers(case)
    client = zeep.Client(f"{server.url}?wsdl", transport=Transport(timeout=10, operation_timeout=10))
    call = getattr(client.create_service(case.spec["bindings"][0], server.url), operation)
    with pytest.raises(Fault) as caught:
        call(*args) if isinstance(args, list) else call(**args)
    assert caught.value.code in ("soap:Client", "soap:Sender")
    assert f"operation {operation} is not served" in caught.value.message
