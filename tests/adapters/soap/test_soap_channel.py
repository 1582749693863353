"""SoapChannel's lifecycle: port 0, health, and stop(grace) finishing what is in flight."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from soap_support import DEMO_CONFIG, ChannelThread, assess_envelope, born_years_ago, post_soap11

from scoregate.adapters.soap import ContractError, SoapChannel, SoapChannelConfig
from scoregate.core.settings import ClientSettings


def test_port_zero_is_resolved_and_health_follows_the_lifecycle(shared_core) -> None:
    server = ChannelThread(SoapChannelConfig.load(DEMO_CONFIG, port=0), shared_core.client_settings())
    assert server.channel.health().ready is False
    assert server.channel.health().detail == "not started"
    server.start()
    try:
        assert server.channel.port != 0
        assert server.channel.health().ready
        assert post_soap11(server.url, assess_envelope(born_years_ago(41)).encode()).status == 200
    finally:
        server.stop()
    assert server.channel.health().ready is False
    with pytest.raises(OSError):
        post_soap11(server.url, assess_envelope(born_years_ago(41)).encode())


def test_stop_lets_an_in_flight_request_get_its_answer() -> None:
    with socket.socket() as silent:  # a hung core keeps the request in flight for the whole timeout
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        config = SoapChannelConfig.load(DEMO_CONFIG, port=0, limits={"request_timeout_s": 1.5})
        server = ChannelThread(config, ClientSettings(target=f"127.0.0.1:{silent.getsockname()[1]}")).start()
        replies = []
        caller = threading.Thread(target=lambda: replies.append(post_soap11(server.url, assess_envelope(born_years_ago(41)).encode())))
        caller.start()
        time.sleep(0.3)
        started = time.monotonic()
        server.stop(grace=5)
        caller.join(5)
    assert time.monotonic() - started < 3
    assert len(replies) == 1 and replies[0].status == 500  # answered (a Server fault), not cut off
    assert b"soap:Server" in replies[0].body


def test_a_missing_wsdl_fails_in_the_constructor(tmp_path) -> None:
    config = SoapChannelConfig.load(DEMO_CONFIG).model_copy(update={"wsdl": tmp_path / "gone.wsdl"})
    with pytest.raises(ContractError, match="gone.wsdl"):
        SoapChannel(config)


def test_answers_given_while_stopping_close_their_connection(channel_factory, soap_config, shared_core) -> None:
    server = channel_factory(soap_config, shared_core.client_settings())
    envelope = assess_envelope(born_years_ago(41)).encode()
    assert "close" not in post_soap11(server.url, envelope).headers.get("connection", "")
    # stop() first stops accepting, then lets uvicorn drain; between the two, answers tell the
    # caller not to send its next request on this connection (the keep-alive race at shutdown).
    server.channel.app.accepting = False
    reply = post_soap11(server.url, envelope)
    assert reply.status == 200 and reply.headers.get("connection") == "close"
