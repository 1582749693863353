"""Client certificates on the SOAP endpoint: a zeep client over real mutual TLS, with an allowed
certificate, with none, and with one the allow-list does not name; the caller's name in the logs."""

from __future__ import annotations

import logging

import pytest
import requests
import zeep
from soap_support import BINDING11, DEMO_CONFIG, ChannelThread, born_years_ago, legacy_application
from tls_support import TestPki
from zeep.exceptions import Fault
from zeep.transports import Transport

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.core.logcontext import ContextFilter


@pytest.fixture
def mtls_server(shared_core, tmp_path):  # noqa: ANN201
    pki = TestPki(tmp_path)
    server_cert = pki.server()
    config = SoapChannelConfig.load(
        DEMO_CONFIG, port=0, tls_cert_file=str(server_cert.cert_file), tls_key_file=str(server_cert.key_file),
        tls_client_ca_file=str(pki.ca_file),
        client_certificates=[{"subject": "CN=los-gateway", "caller": "loan-origination"}],
    )
    server = ChannelThread(config, shared_core.client_settings()).start()
    yield server, pki
    server.stop()


def _session(pki: TestPki, cert=None) -> requests.Session:  # noqa: ANN001
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment overrides verify
    session.verify = str(pki.ca_file)
    if cert is not None:
        session.cert = (str(cert.cert_file), str(cert.key_file))
    return session


def _assess(server: ChannelThread, session: requests.Session):  # noqa: ANN202
    client = zeep.Client(f"{server.url}?wsdl", transport=Transport(session=session))
    return client.create_service(BINDING11, server.url).AssessCreditApplication(Application=legacy_application(born_years_ago(41)))


def test_an_allowed_certificate_is_answered_and_its_caller_named_in_the_logs(mtls_server, caplog) -> None:
    server, pki = mtls_server
    caplog.set_level(logging.DEBUG, logger="scoregate.adapters.soap")
    caplog.handler.addFilter(ContextFilter())
    assert _assess(server, _session(pki, pki.issue("los-gateway"))).ApplicationNo == "LN20110342"
    assert {r.caller for r in caplog.records if r.name.startswith("scoregate.adapters.soap.app")} == {"loan-origination"}


def test_a_client_without_a_certificate_cannot_connect(mtls_server) -> None:
    server, pki = mtls_server
    # TLS 1.3: the server refuses after the client's side of the handshake is done, so the client
    # sees the connection closed (or an SSL alert), never an HTTP answer.
    with pytest.raises(requests.exceptions.ConnectionError):
        _session(pki).get(f"{server.url}?wsdl", timeout=10)


def test_a_certificate_not_on_the_allow_list_gets_a_client_fault(mtls_server) -> None:
    server, pki = mtls_server
    stranger = _session(pki, pki.issue("someone-else"))
    wsdl = stranger.get(f"{server.url}?wsdl", timeout=10)  # the contract is public to anyone the CA signed
    assert wsdl.status_code == 200
    with pytest.raises(Fault, match="client certificate is not allowed"):
        _assess(server, stranger)
