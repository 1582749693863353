"""An unavailable core is a server fault within the deadline, never a client fault; answers resume
when a core is back."""

from __future__ import annotations

import socket
import time

from lxml import etree
from soap_support import DEMO_CONFIG, NS, SOAP11, SOAP12, assess_envelope, born_years_ago, http_request, post_soap11, post_soap12

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.core.settings import ClientSettings

BORN = born_years_ago(41)
TIMEOUT_S = 2.0


def _config() -> SoapChannelConfig:
    return SoapChannelConfig.load(DEMO_CONFIG, port=0, limits={"request_timeout_s": TIMEOUT_S, "max_body_bytes": 65536})


def _ready(server) -> int:  # noqa: ANN001
    return http_request(server.url.rsplit("/", 2)[0] + "/readyz", method="GET").status


def test_core_down_is_a_server_fault_then_answers_resume(core_factory, models_dir, channel_factory) -> None:
    core = core_factory(models_dir=models_dir)
    port = core.port
    server = channel_factory(_config(), core.client_settings(breaker_reset_s=0.5))
    assert post_soap11(server.url, assess_envelope(BORN).encode()).status == 200

    core.stop()
    started = time.monotonic()
    reply = post_soap11(server.url, assess_envelope(BORN).encode())
    assert time.monotonic() - started < TIMEOUT_S + 0.5
    assert reply.status == 500
    fault = etree.fromstring(reply.body).find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert fault.findtext("faultcode") == "soap:Server"
    assert fault.findtext(f"detail/{{{NS}}}RiskServiceFault/{{{NS}}}ErrorCode") == "E900"
    assert b"grpc" not in reply.body and b"127.0.0.1" not in reply.body

    reply12 = post_soap12(server.url, assess_envelope(BORN, env=SOAP12).encode())
    assert reply12.status == 500
    assert etree.fromstring(reply12.body).findtext(f".//{{{SOAP12}}}Code/{{{SOAP12}}}Value") == "soap:Receiver"
    assert _ready(server) == 503
    assert server.channel.health().detail == "scoring core unreachable"

    core_factory(models_dir=models_dir, address=f"127.0.0.1:{port}")
    deadline = time.monotonic() + 20
    while (status := post_soap11(server.url, assess_envelope(BORN).encode()).status) != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 200
    assert _ready(server) == 200
    assert server.channel.health().ready


def test_a_core_that_never_answers_is_a_server_fault_at_the_request_timeout(channel_factory) -> None:
    with socket.socket() as silent:  # accepts connections and says nothing: a hung core
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings = ClientSettings(target=f"127.0.0.1:{silent.getsockname()[1]}")
        server = channel_factory(_config(), settings)
        started = time.monotonic()
        reply = post_soap11(server.url, assess_envelope(BORN).encode())
        elapsed = time.monotonic() - started
    assert TIMEOUT_S - 0.2 < elapsed < TIMEOUT_S + 1.0
    fault = etree.fromstring(reply.body).find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert (reply.status, fault.findtext("faultcode")) == (500, "soap:Server")
    assert fault.findtext(f"detail/{{{NS}}}RiskServiceFault/{{{NS}}}ErrorCode") == "E901"


def test_a_fallback_answer_is_logged_and_counted(channel_factory, caplog) -> None:
    from scoregate.adapters.metrics import ChannelMetrics
    from scoregate.app.decisions import DecisionRecorder
    from scoregate.app.paths import DEMO_FALLBACK
    from scoregate.core.fallback import FallbackScorer
    from scoregate.core.hooks import ClientHooks
    from soap_support import ChannelThread

    with socket.socket() as closed:  # a port nobody listens on: the core is down
        closed.bind(("127.0.0.1", 0))
        settings = ClientSettings(target=f"127.0.0.1:{closed.getsockname()[1]}", retry_attempts=1)
    metrics = ChannelMetrics("soap")
    hooks = ClientHooks(fallback=FallbackScorer(DEMO_FALLBACK), observer=DecisionRecorder("soap", None, metrics))
    server = ChannelThread(_config(), settings, metrics, hooks).start()
    try:
        with caplog.at_level("WARNING", logger="scoregate.adapters.soap.app"):
            reply = post_soap11(server.url, assess_envelope(BORN).encode())
    finally:
        server.stop()
    assert reply.status == 200, reply.body
    assert b"credit-risk:1-fallback" in reply.body
    assert any("answered by the fallback model credit-risk:1-fallback" in r.getMessage() for r in caplog.records)
    assert metrics.registry.get_sample_value(
        "scoregate_channel_events_total", {"channel": "soap", "event": "fallback_scored"}
    ) == 1
