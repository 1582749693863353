"""Prometheus metrics of the SOAP channel: every POST to the endpoint is counted once, with its
outcome and error kind, over real HTTP with a real zeep client and a real core."""

from __future__ import annotations

import socket
import time

import pytest
import zeep
from soap_support import (
    BINDING11, BINDING12, DEMO_CONFIG, SOAP11, ChannelThread, assess_envelope, born_years_ago, http_request,
    legacy_application, post_soap11,
)
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.soap import SoapChannelConfig
from scoregate.core.settings import ClientSettings

BORN = born_years_ago(41)
REQUESTS = "scoregate_channel_requests_total"
ERRORS = "scoregate_channel_errors_total"
EVENTS = "scoregate_channel_events_total"


class Meter:
    """Reads the channel's samples; ``delta()`` is what changed since the last call."""

    def __init__(self, metrics: ChannelMetrics) -> None:
        self.metrics = metrics
        self._last = self._read()

    def _read(self) -> dict[tuple, float]:
        samples = {}
        for family in self.metrics.registry.collect():
            for s in family.samples:
                if s.name.endswith("_created") or s.labels.get("channel") != "soap":
                    continue
                key = (s.name, *(v for k, v in sorted(s.labels.items()) if k not in ("channel", "le")))
                if "le" not in s.labels:
                    samples[key] = s.value
        return samples

    def delta(self) -> dict[tuple, float]:
        # A request is finished once its answer is out: the client may read it a moment before.
        deadline = time.monotonic() + 2
        while self.in_flight() and time.monotonic() < deadline:
            time.sleep(0.01)
        now = self._read()
        changed = {k: v - self._last.get(k, 0.0) for k, v in now.items() if v != self._last.get(k, 0.0)}
        self._last = now
        return changed

    def in_flight(self) -> float:
        return self.metrics.registry.get_sample_value("scoregate_channel_in_flight", {"channel": "soap"})


def scored(n: int = 1) -> dict[tuple, float]:
    return {(REQUESTS, "scored"): n, ("scoregate_channel_request_seconds_count",): n}


def error(kind: str, n: int = 1, **events: int) -> dict[tuple, float]:
    counts = {(REQUESTS, "error"): n, (ERRORS, kind): n, ("scoregate_channel_request_seconds_count",): n}
    return counts | {(EVENTS, name): count for name, count in events.items()}


def without_sums(delta: dict[tuple, float]) -> dict[tuple, float]:
    # The latency sum grows by an amount no test can know; its growth is checked separately.
    return {k: v for k, v in delta.items() if k[0] != "scoregate_channel_request_seconds_sum"}


@pytest.fixture(scope="module")
def metered(shared_core):
    metrics = ChannelMetrics("soap")
    server = ChannelThread(SoapChannelConfig.load(DEMO_CONFIG, port=0, host="127.0.0.1"), shared_core.client_settings(),
                           metrics).start()
    yield server, metrics
    server.stop()


@pytest.fixture
def meter(metered) -> Meter:
    return Meter(metered[1])


@pytest.fixture(scope="module")
def zeep_client(metered) -> zeep.Client:
    return zeep.Client(f"{metered[0].url}?wsdl", transport=Transport(timeout=10, operation_timeout=10))


@pytest.fixture
def service(metered, zeep_client):  # noqa: ANN201
    return zeep_client.create_service(BINDING11, metered[0].url)


def test_wsdl_is_an_event_and_a_scored_call_counts_once_with_its_latency(metered, meter, zeep_client) -> None:
    server, _ = metered
    assert http_request(f"{server.url}?wsdl", method="GET").status == 200
    assert http_request(f"{server.url}?wsdl", method="HEAD").status == 200
    assert meter.delta() == {(EVENTS, "wsdl_served"): 1}

    for binding in (BINDING11, BINDING12):
        answer = zeep_client.create_service(binding, server.url).AssessCreditApplication(Application=legacy_application(BORN))
        assert answer.ApplicationNo == "LN20110342"
    delta = meter.delta()
    assert delta.pop(("scoregate_channel_request_seconds_sum",)) > 0
    assert delta == scored(2)
    assert meter.in_flight() == 0


def test_schema_invalid_call_is_invalid_input(meter, service) -> None:
    application = legacy_application(BORN)
    application["Applicant"]["ResidentialStatus"] = "Z"  # not in the XSD enumeration; zeep sends it anyway
    with pytest.raises(Fault) as caught:
        service.AssessCreditApplication(Application=application)
    assert caught.value.code == "soap:Client"
    assert without_sums(meter.delta()) == error("invalid_input")


def test_canonical_invalid_call_is_invalid_input(meter, service) -> None:
    with pytest.raises(Fault) as caught:  # valid for the XSD, too young for the model
        service.AssessCreditApplication(Application=legacy_application(born_years_ago(12)))
    assert caught.value.code == "soap:Client"
    assert without_sums(meter.delta()) == error("invalid_input")


def test_protocol_errors_are_invalid_input_plus_an_event(metered, meter) -> None:
    url = metered[0].url
    assert post_soap11(url, b"<order><id>1</id></order>").status == 500
    assert without_sums(meter.delta()) == error("invalid_input", version_mismatch=1)

    header = f'<x:Trace xmlns:x="urn:trace" xmlns:soap="{SOAP11}" soap:mustUnderstand="1"/>'
    assert post_soap11(url, assess_envelope(BORN, header=header).encode()).status == 500
    assert without_sums(meter.delta()) == error("invalid_input", must_understand=1)

    padding = "<!--" + "x" * metered[0].channel.config.limits.max_body_bytes + "-->"
    assert post_soap11(url, assess_envelope(BORN).replace("<soap:Body>", f"<soap:Body>{padding}").encode()).status == 500
    assert without_sums(meter.delta()) == error("invalid_input", too_large=1)


def test_requests_elsewhere_are_not_counted(metered, meter) -> None:
    server = metered[0]
    base, root = server.url.rsplit("/", 1)[0], server.url.removesuffix(server.channel.config.path)
    assert post_soap11(f"{base}/Other.asmx", assess_envelope(BORN).encode()).status == 404
    assert http_request(root + server.channel.config.health_path, method="GET").status == 200
    assert http_request(metered[0].url, method="PUT").status == 405
    assert meter.delta() == {}


def test_failed_ws_security_is_invalid_input_plus_an_event(shared_core) -> None:
    security = {"credentials": [{"username": "los", "password": "s3cret-los"}]}
    metrics = ChannelMetrics("soap")
    server = ChannelThread(SoapChannelConfig.load(DEMO_CONFIG, port=0, security=security), shared_core.client_settings(),
                           metrics).start()
    try:
        meter = Meter(metrics)
        client = zeep.Client(f"{server.url}?wsdl", wsse=UsernameToken("los", "wrong"))
        with pytest.raises(Fault):
            client.create_service(BINDING11, server.url).AssessCreditApplication(Application=legacy_application(BORN))
        assert without_sums(meter.delta()) == error("invalid_input", auth_failed=1, wsdl_served=1)
    finally:
        server.stop()


def test_core_failures_are_errors_of_their_kind(core_factory, models_dir, tmp_path) -> None:
    config = SoapChannelConfig.load(DEMO_CONFIG, port=0, limits={"request_timeout_s": 1.0, "max_body_bytes": 65536})
    gone = core_factory(models_dir=models_dir)
    gone.stop()  # a core that was there and is gone
    with socket.socket() as silent:  # accepts connections and says nothing: a hung core
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        cases = {
            "unknown_model": core_factory(models_dir=tmp_path).client_settings(),  # a core without the model
            "core_unavailable": gone.client_settings(),
            "deadline_expired": ClientSettings(target=f"127.0.0.1:{silent.getsockname()[1]}"),
        }
        for kind, settings in cases.items():
            metrics = ChannelMetrics("soap")
            server = ChannelThread(config, settings, metrics).start()
            try:
                meter = Meter(metrics)
                service = zeep.Client(f"{server.url}?wsdl").create_service(BINDING11, server.url)
                with pytest.raises(Fault) as caught:
                    service.AssessCreditApplication(Application=legacy_application(BORN))
                assert caught.value.code == "soap:Server"
                assert without_sums(meter.delta()) == error(kind, wsdl_served=1), kind
                assert meter.in_flight() == 0
            finally:
                server.stop()
