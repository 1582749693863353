"""The UsernameToken nonce cache shared by replicas (``[state] redis``): two real SOAP servers, each
with its own Redis connection as two gateway processes would have, and a real client (zeep)."""

from __future__ import annotations

import zeep
from lxml import etree
from soap_support import BINDING11, DEMO_CONFIG, SOAP11, ChannelThread, born_years_ago, legacy_application, post_soap11
from zeep.wsse.username import UsernameToken

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.adapters.state.redis_client import RedisStore

SECURITY = {"credentials": [{"username": "los", "password": "s3cret-los"}]}


def _fault_code(body: bytes) -> str | None:
    return etree.fromstring(body).findtext(f".//{{{SOAP11}}}Fault/faultcode")


def test_a_nonce_used_at_one_replica_is_refused_at_the_other(shared_core, redis_server, redis_prefix) -> None:
    config = SoapChannelConfig.load(DEMO_CONFIG, port=0, security=SECURITY)
    stores = [RedisStore(redis_server, redis_prefix) for _ in range(2)]
    one, other = (ChannelThread(config, shared_core.client_settings(), redis=store).start() for store in stores)
    alone = ChannelThread(config, shared_core.client_settings()).start()  # a replica without [state] redis
    try:
        client = zeep.Client(f"{one.url}?wsdl", wsse=UsernameToken("los", "s3cret-los", use_digest=True))
        service = client.create_service(BINDING11, one.url)
        application = legacy_application(born_years_ago(41))
        assert service.AssessCreditApplication(Application=application).ApplicationNo == "LN20110342"
        # A token captured on the wire: accepted once, at the first replica it reaches...
        captured = etree.tostring(client.create_message(service, "AssessCreditApplication", Application=application))
        assert post_soap11(one.url, captured).status == 200
        # ...refused at the other, which never saw it itself.
        replay = post_soap11(other.url, captured)
        assert (replay.status, _fault_code(replay.body)) == (500, "wsse:FailedAuthentication")
        # A replica keeping its nonces to itself accepts it: what the shared cache closes.
        assert post_soap11(alone.url, captured).status == 200
        # Fresh tokens still pass at the other replica.
        fresh = zeep.Client(f"{other.url}?wsdl", wsse=UsernameToken("los", "s3cret-los", use_digest=True))
        assert fresh.create_service(BINDING11, other.url).AssessCreditApplication(Application=application).ApplicationNo
        assert other.channel.health().ready and other.channel.health().detail == ""
    finally:
        for server in (one, other, alone):
            server.stop()
        for store in stores:
            store.close()


def test_nonces_are_checked_locally_while_redis_is_down(shared_core, throwaway_redis) -> None:
    """A Redis of the test's own, killed mid-run and started again: answers go on, degraded and counted."""
    import time

    config = SoapChannelConfig.load(DEMO_CONFIG, port=0, security=SECURITY)
    store = RedisStore(throwaway_redis.url, "t:", timeout_s=0.2, retry_s=0.3)
    server = ChannelThread(config, shared_core.client_settings(), redis=store).start()
    client = zeep.Client(f"{server.url}?wsdl", wsse=UsernameToken("los", "s3cret-los", use_digest=True))
    service = client.create_service(BINDING11, server.url)
    application = legacy_application(born_years_ago(41))

    def fallbacks() -> float:
        labels = {"channel": "soap", "event": "nonce_cache_fallbacks"}
        return server.channel.metrics.registry.get_sample_value("scoregate_channel_events_total", labels) or 0.0

    try:
        throwaway_redis.stop()
        captured = etree.tostring(client.create_message(service, "AssessCreditApplication", Application=application))
        started = time.monotonic()
        assert post_soap11(server.url, captured).status == 200  # answered, the nonce checked here alone
        assert time.monotonic() - started < 2
        replay = post_soap11(server.url, captured)
        assert (replay.status, _fault_code(replay.body)) == (500, "wsse:FailedAuthentication")
        assert fallbacks() >= 1
        health = server.channel.health()
        assert health.ready and health.detail.startswith("nonce cache is process-local: Redis at 127.0.0.1:")

        throwaway_redis.start()
        deadline = time.monotonic() + 10
        while server.channel.health().detail and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.channel.health().detail == ""
        # The nonce seen during the outage stays refused here once Redis is back (it holds none of it).
        assert post_soap11(server.url, captured).status == 500
        assert service.AssessCreditApplication(Application=application).ApplicationNo == "LN20110342"
    finally:
        server.stop()
        store.close()
