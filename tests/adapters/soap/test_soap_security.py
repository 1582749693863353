"""WS-Security UsernameToken: zeep's PasswordText and PasswordDigest tokens over HTTP, a WSS4J-style
hand-built token, and the failures (wrong password, replay, stale, missing, text refused)."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime, timedelta

import pytest
import zeep
from lxml import etree
from soap_support import (
    BINDING11, BINDING12, DEMO_CONFIG, SOAP11, ChannelThread, assess_envelope, born_years_ago, legacy_application, post_soap11,
)
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

from scoregate.adapters.soap import SoapChannel, SoapChannelConfig
from scoregate.adapters.soap.config import SecurityConfig
from scoregate.adapters.soap.faults import SoapFault
from scoregate.adapters.soap.security import PASSWORD_DIGEST, PASSWORD_TEXT, WSSE, WSU, ReplayCache, UsernameTokenPolicy

PASSWORD_ENV = "SCOREGATE_TEST_BROKER_PASSWORD"
SECURITY = {
    "credentials": [
        {"username": "los", "password": "s3cret-los"},
        {"username": "broker", "password_env": PASSWORD_ENV},
    ]
}


@pytest.fixture(scope="module")
def secure_server(shared_core):
    config = SoapChannelConfig.load(DEMO_CONFIG, port=0, security=SECURITY)
    with pytest.raises(ValueError, match=f"{PASSWORD_ENV} .* is not set"):
        SoapChannel(config)  # fails before anything listens
    os.environ[PASSWORD_ENV] = "from-the-environment"
    try:
        server = ChannelThread(config, shared_core.client_settings())
    finally:
        del os.environ[PASSWORD_ENV]  # read once, at construction
    server.start()
    yield server
    server.stop()


def call(server, binding: str, wsse) -> object:  # noqa: ANN001
    client = zeep.Client(f"{server.url}?wsdl", wsse=wsse)
    return client.create_service(binding, server.url).AssessCreditApplication(Application=legacy_application(born_years_ago(41)))


@pytest.mark.parametrize(
    ("binding", "token"),
    [
        (BINDING11, UsernameToken("los", "s3cret-los")),
        (BINDING12, UsernameToken("los", "s3cret-los", use_digest=True)),
        (BINDING11, UsernameToken("broker", "from-the-environment", use_digest=True)),
    ],
    ids=["text-soap11", "digest-soap12", "digest-password-from-env"],
)
def test_zeep_tokens_are_accepted(secure_server, binding, token) -> None:
    assert call(secure_server, binding, token).ApplicationNo == "LN20110342"


@pytest.mark.parametrize(
    ("binding", "token", "code"),
    [
        (BINDING11, UsernameToken("los", "wrong"), "wsse:FailedAuthentication"),
        (BINDING11, UsernameToken("mallory", "s3cret-los", use_digest=True), "wsse:FailedAuthentication"),
        (BINDING12, UsernameToken("los", "wrong", use_digest=True), "soap:Sender"),
        (BINDING11, None, "wsse:InvalidSecurity"),
    ],
    ids=["wrong-text", "unknown-user-digest", "wrong-digest-soap12", "no-token"],
)
def test_bad_tokens_are_client_faults_that_say_nothing_more(secure_server, binding, token, code) -> None:
    with pytest.raises(Fault) as caught:
        call(secure_server, binding, token)
    assert caught.value.code == code
    assert caught.value.message == "The security token could not be authenticated or authorized"
    assert call(secure_server, BINDING11, UsernameToken("los", "s3cret-los")).ApplicationNo  # still serving


def test_a_replayed_digest_is_refused(secure_server) -> None:
    client = zeep.Client(f"{secure_server.url}?wsdl", wsse=UsernameToken("los", "s3cret-los", use_digest=True))
    service = client.create_service(BINDING11, secure_server.url)
    envelope = client.create_message(service, "AssessCreditApplication", Application=legacy_application(born_years_ago(41)))
    captured = etree.tostring(envelope)
    assert post_soap11(secure_server.url, captured).status == 200
    replay = post_soap11(secure_server.url, captured)
    assert replay.status == 500
    assert etree.fromstring(replay.body).findtext(f".//{{{SOAP11}}}Fault/faultcode") == "wsse:FailedAuthentication"


def wss4j_header(password: str, created: datetime, nonce: bytes = b"0123456789abcdef", digest: bool = True) -> str:
    """A token as WSS4J (CXF) and WCF write it: Security mustUnderstand=1, Nonce with EncodingType."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    value = base64.b64encode(hashlib.sha1(nonce + stamp.encode() + password.encode()).digest()).decode() if digest else password
    return (
        f'<wsse:Security soap:mustUnderstand="1" xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">'
        f'<wsse:UsernameToken wsu:Id="UsernameToken-1"><wsse:Username>los</wsse:Username>'
        f'<wsse:Password Type="{PASSWORD_DIGEST if digest else PASSWORD_TEXT}">{value}</wsse:Password>'
        f'<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">'
        f"{base64.b64encode(nonce).decode()}</wsse:Nonce><wsu:Created>{stamp}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    )


def test_wss4j_style_token_over_http(secure_server) -> None:
    header = wss4j_header("s3cret-los", datetime.now(UTC), nonce=os.urandom(16))
    reply = post_soap11(secure_server.url, assess_envelope(born_years_ago(41), header=header).encode())
    assert reply.status == 200, reply.body


def test_security_header_without_security_configured_is_not_understood(soap_server) -> None:
    header = wss4j_header("x", datetime.now(UTC))
    reply = post_soap11(soap_server.url, assess_envelope(born_years_ago(41), header=header).encode())
    assert etree.fromstring(reply.body).findtext(f".//{{{SOAP11}}}Fault/faultcode") == "soap:MustUnderstand"


def _header(xml: str) -> etree._Element:
    return etree.fromstring(f'<soap:Header xmlns:soap="{SOAP11}">{xml}</soap:Header>')


def test_policy_freshness_window_and_text_switch() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    config = SecurityConfig.model_validate({**SECURITY, "credentials": SECURITY["credentials"][:1], "max_skew_s": 300})
    policy = UsernameTokenPolicy(config, clock=now.timestamp)
    assert policy.check(_header(wss4j_header("s3cret-los", now - timedelta(seconds=299), nonce=b"a" * 16))) == "los"
    for stale in (now - timedelta(seconds=301), now + timedelta(seconds=301)):
        with pytest.raises(SoapFault):
            policy.check(_header(wss4j_header("s3cret-los", stale, nonce=b"b" * 16)))
    strict = UsernameTokenPolicy(config.model_copy(update={"allow_password_text": False}), clock=now.timestamp)
    with pytest.raises(SoapFault):
        strict.check(_header(wss4j_header("s3cret-los", now, digest=False)))


def test_replay_cache_forgets_after_its_window_and_stays_bounded() -> None:
    clock = [0.0]
    cache = ReplayCache(ttl_s=10, max_entries=100, clock=lambda: clock[0])
    assert cache.first_use(b"n1") and not cache.first_use(b"n1")
    clock[0] = 11
    assert cache.first_use(b"n1")
    for i in range(500):
        cache.first_use(str(i).encode())
    assert len(cache._seen) == 100


def test_a_nonce_store_shared_by_two_servers_refuses_a_replay_on_the_other(shared_core, tmp_path) -> None:
    # Two channels with one nonce_store stand for two worker processes of a host: what one
    # accepted, the other refuses; each keeps working for fresh tokens.
    security = {**SECURITY, "credentials": SECURITY["credentials"][:1], "nonce_store": str(tmp_path / "nonces.sqlite")}
    config = SoapChannelConfig.load(DEMO_CONFIG, port=0, security=security)
    first, second = (ChannelThread(config, shared_core.client_settings()).start() for _ in range(2))
    try:
        client = zeep.Client(f"{first.url}?wsdl", wsse=UsernameToken("los", "s3cret-los", use_digest=True))
        service = client.create_service(BINDING11, first.url)
        captured = etree.tostring(
            client.create_message(service, "AssessCreditApplication", Application=legacy_application(born_years_ago(41)))
        )
        assert post_soap11(first.url, captured).status == 200
        replay = post_soap11(second.url, captured)
        assert replay.status == 500
        assert etree.fromstring(replay.body).findtext(f".//{{{SOAP11}}}Fault/faultcode") == "wsse:FailedAuthentication"
        fresh = etree.tostring(
            client.create_message(service, "AssessCreditApplication", Application=legacy_application(born_years_ago(41)))
        )
        assert post_soap11(second.url, fresh).status == 200
    finally:
        first.stop()
        second.stop()


def test_the_shared_store_accepts_a_nonce_again_only_after_its_window(tmp_path) -> None:
    from scoregate.adapters.soap.nonces import SharedReplayCache

    clock = [1_000.0]
    one = SharedReplayCache(tmp_path / "n.sqlite", ttl_s=10, clock=lambda: clock[0])
    other = SharedReplayCache(tmp_path / "n.sqlite", ttl_s=10, clock=lambda: clock[0])
    assert one.first_use(b"n1") and not other.first_use(b"n1") and not one.first_use(b"n1")
    clock[0] += 11
    assert other.first_use(b"n1") and not one.first_use(b"n1")
    one.close()
    other.close()
