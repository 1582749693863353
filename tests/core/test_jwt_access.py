"""JWT bearer tokens on the core: verified with the identity provider's public key from the access
file, the ``sub`` claim as the caller, a claim listing its models. Real gRPC calls to a real core;
keys made per test with cryptography, tokens signed with PyJWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from load_support import wait_until

from scoregate.core.accessfile import AccessFileError, read_access_file
from scoregate.core.auth import hash_token
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.errors import AccessDenied, Unauthenticated
from scoregate.core.logcontext import ContextFilter

MODEL = "credit-risk"
ISSUER, AUDIENCE = "https://idp.bank.example", "scoregate-core"


class Idp:
    """An identity provider: an EC key pair, its public key in a file the access file names."""

    def __init__(self, directory: Path) -> None:
        self.key_file = directory / "idp.pem"
        self.rotate()

    def rotate(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        pem = self.private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.key_file.write_bytes(pem)
        stamp = time.time() + 2  # a new modification time on coarse file systems too
        os.utime(self.key_file, (stamp, stamp))

    def token(self, subject: str = "risk-tool@bank", key=None, **claims) -> str:  # noqa: ANN001
        now = int(time.time())
        payload = {"sub": subject, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300, **claims}
        return jwt.encode({k: v for k, v in payload.items() if v is not None}, key or self.private, algorithm="ES256")


@pytest.fixture
def idp(tmp_path: Path) -> Idp:
    return Idp(tmp_path)


@pytest.fixture
def core(core_factory, models_dir, tmp_path, idp):  # noqa: ANN001, ANN201
    access = tmp_path / "access.toml"
    access.write_text(
        f'[[token]]\nname = "ops"\nsha256 = "{hash_token("plain-token")}"\n\n'
        f'[jwt]\npublic_key_file = "idp.pem"\nalgorithms = ["ES256"]\nissuer = "{ISSUER}"\naudience = "{AUDIENCE}"\n'
        'models_claim = "scoregate_models"\n'
    )
    return core_factory(models_dir=models_dir, access_file=access, poll_interval_s=0.1)


def _client(core, token: str) -> ScoringClient:  # noqa: ANN001
    return ScoringClient(core.client_settings(token=token, timeout_s=3, retry_attempts=1))


def _request() -> ScoreRequest:
    from scoregate.app.demo import DEMO_APPLICANT

    return ScoreRequest(request_id="r-1", model=MODEL, features=dict(DEMO_APPLICANT))


def test_a_jwt_is_a_caller_named_by_its_subject_and_limited_to_its_models(core, idp, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO, logger="scoregate.core.auth")
    caplog.handler.addFilter(ContextFilter())  # as the process's log handler has it
    with _client(core, idp.token("risk-tool@bank", scoregate_models=[MODEL])) as client:
        assert client.score(_request()).model == MODEL
        assert {m.model for m in client.list_models()} == {MODEL}
        with pytest.raises(AccessDenied, match="may not use model 'fraud'"):
            client.describe("fraud")
    lines = [r for r in caplog.records if r.name == "scoregate.core.auth" and "authenticated by jwt" in r.getMessage()]
    assert [r.caller for r in lines] == ["risk-tool@bank"]
    registry = core.server.metrics.registry
    assert registry.get_sample_value("scoregate_core_calls_total", {"caller": "jwt", "outcome": "allowed"}) == 2
    # Without the models claim: every model; the hashed tokens of the same file still work.
    with _client(core, idp.token("batch@bank")) as client:
        assert client.score(_request()).model == MODEL
        assert client.describe(MODEL).name == MODEL
    with _client(core, "plain-token") as client:
        assert client.score(_request()).model == MODEL


def _forged_hs256(idp: Idp) -> str:
    """The classic attack: HMAC-signed with the public key as the secret, hoping the verifier takes it."""
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    body = b64(json.dumps({"sub": "mallory", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 300}).encode())
    signature = b64(hmac.new(idp.key_file.read_bytes(), head + b"." + body, hashlib.sha256).digest())
    return (head + b"." + body + b"." + signature).decode()


@pytest.mark.parametrize(("make", "reason"), [
    (lambda idp: idp.token(exp=int(time.time()) - 120), "has expired"),
    (lambda idp: idp.token(aud="another-service"), "(?i)audience"),
    (lambda idp: idp.token(iss="https://evil.example"), "(?i)issuer"),
    (lambda idp: idp.token(key=ec.generate_private_key(ec.SECP256R1())), "Signature verification failed"),
    (lambda idp: idp.token(sub=None), 'missing the "sub" claim'),
    (lambda idp: jwt.encode({"sub": "mallory", "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 300}, None,
                            algorithm="none"), "alg value is not allowed"),
    (_forged_hs256, "alg value is not allowed"),
    (lambda idp: idp.token(scoregate_models="credit-risk"), "not a list of model names"),
], ids=["expired", "audience", "issuer", "other-key", "no-subject", "alg-none", "hs256-with-public-key", "models-not-a-list"])
def test_bad_jwts_are_refused_saying_why(core, idp, make, reason) -> None:  # noqa: ANN001
    with _client(core, make(idp)) as client, pytest.raises(Unauthenticated, match=reason):
        client.score(_request())


def test_a_rotated_signing_key_is_taken_without_a_restart(core, idp) -> None:  # noqa: ANN001
    old_token = idp.token()
    with _client(core, old_token) as client:
        assert client.score(_request()).model == MODEL
    idp.rotate()
    new_token = idp.token()
    with _client(core, new_token) as client:
        wait_until(lambda: _answered(client))
    with _client(core, old_token) as client, pytest.raises(Unauthenticated, match="Signature verification failed"):
        client.score(_request())


def _answered(client: ScoringClient) -> bool:
    try:
        return client.score(_request()).model == MODEL
    except Unauthenticated:
        return False


def test_a_jwt_section_that_does_not_load_is_one_line(tmp_path: Path) -> None:
    access = tmp_path / "access.toml"
    access.write_text('[jwt]\npublic_key_file = "missing.pem"\nalgorithms = ["RS256"]\n')
    with pytest.raises(AccessFileError, match=r"jwt.public_key_file: cannot read .*missing.pem"):
        read_access_file(access)
    (tmp_path / "bad.pem").write_text("not a key\n")
    access.write_text('[jwt]\npublic_key_file = "bad.pem"\nalgorithms = ["RS256"]\n')
    with pytest.raises(AccessFileError, match="the JWT public key does not load"):
        read_access_file(access)
    access.write_text('[jwt]\npublic_key_file = "bad.pem"\nalgorithms = ["HS256"]\n')
    with pytest.raises(AccessFileError, match=r"jwt.algorithms.0"):
        read_access_file(access)
