"""AMQP over TLS end to end: a throwaway RabbitMQ node that serves only TLS and requires client
certificates, the channel connecting with its CA and certificate (``tls`` in the channel file), a
producer over TLS getting its reply; and the same channel without a certificate refused."""

from __future__ import annotations

import ssl
from pathlib import Path

import pika
import pytest
from amqp_support import Producer, json_queue, json_request, wait_for
from tls_broker import TlsBroker

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.connection import connection_parameters
from scoregate.adapters.amqp.consumer import Responder
from scoregate.core.client import ScoringClient

CLIENT = {"breaker_reset_s": 0.3, "timeout_s": 3.0}  # as the other AMQP tests' clients


@pytest.fixture(scope="module")
def broker(tmp_path_factory) -> TlsBroker:  # noqa: ANN201
    node = TlsBroker(tmp_path_factory.mktemp("tls-broker")).start()
    yield node
    node.stop()


def _config(broker: TlsBroker, folder: Path, **tls) -> AmqpChannelConfig:  # noqa: ANN003
    password = folder / "broker.password"
    password.write_text("guest\n")
    return AmqpChannelConfig.model_validate({
        "url": f"amqps://guest:not-this-one@localhost:{broker.port}/%2F",
        "password_file": str(password),  # the URL's password is replaced by the file's
        "tls": {"ca_file": str(broker.pki.ca_file), **tls},
        "connection_name": "tls-test", "queues": [json_queue("tls.requests")], "dead_letter": {"exchange": None, "queue": None},
        "reconnect_initial_s": 0.2, "reconnect_max_s": 1.0,
    })


def test_requests_over_tls_with_client_certificates_are_answered(broker, shared_core, tmp_path) -> None:
    gateway_cert = broker.pki.issue("amqp-gateway")
    config = _config(broker, tmp_path, cert_file=str(gateway_cert.cert_file), key_file=str(gateway_cert.key_file))
    with ScoringClient(shared_core.client_settings(**CLIENT)) as scoring:
        responder = Responder(config, scoring)
        responder.start()
        try:
            assert responder.wait_ready(30), responder.health().detail
            producer_cert = broker.pki.issue("legacy-producer")
            producer = Producer("tls.replies", params=_producer_params(broker, producer_cert))
            try:
                correlation_id = producer.send("tls.requests", json_request("TLS-1"))
                (reply,) = producer.wait(1, timeout=30)
                assert reply.properties.correlation_id == correlation_id
                assert reply.headers["x-scoregate-status"] == "ok"
                assert reply.json()["application_id"] == "TLS-1" and 0 <= reply.json()["result"]["score"] <= 1000
            finally:
                producer.close()
        finally:
            responder.stop(2.0)


def test_a_channel_without_a_client_certificate_is_refused_and_says_so(broker, shared_core, tmp_path) -> None:
    config = _config(broker, tmp_path)
    with ScoringClient(shared_core.client_settings(**CLIENT)) as scoring:
        responder = Responder(config, scoring)
        responder.start()
        try:
            # Refused in the TLS handshake, again at each reconnect; health names the reason once one is known.
            assert wait_for(lambda: "certificate" in responder.health().detail.lower(), timeout=30), responder.health().detail
            assert not responder.health().ready
        finally:
            responder.stop(2.0)


def test_connection_parameters_carry_the_ca_the_certificate_and_the_password(broker, tmp_path) -> None:
    cert = broker.pki.issue("amqp-gateway")
    params = connection_parameters(_config(broker, tmp_path, cert_file=str(cert.cert_file), key_file=str(cert.key_file)))
    assert params.credentials.password == "guest" and params.ssl_options.server_hostname == "localhost"
    connection = pika.BlockingConnection(params)  # the real handshake, the client certificate accepted
    connection.close()


def _producer_params(broker: TlsBroker, cert) -> pika.URLParameters:  # noqa: ANN001
    context = ssl.create_default_context(cafile=str(broker.pki.ca_file))
    context.load_cert_chain(str(cert.cert_file), str(cert.key_file))
    params = pika.URLParameters(f"amqps://guest:guest@localhost:{broker.port}/%2F")
    params.ssl_options = pika.SSLOptions(context, "localhost")
    return params
