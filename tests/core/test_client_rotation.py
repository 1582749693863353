"""A gateway's client certificate rotates without a restart: the client (blocking and grpc.aio)
and its readiness probe open new connections once the files change, and the core sees the new
subject. Real TLS on real ports, certificates made per test by trustme."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from load_support import wait_until
from tls_support import Issued, TestPki

from scoregate.core.client import AsyncScoringClient, ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.probe import CoreProbe

MODEL = "credit-risk"
ACCESS = '[[subject]]\nname = "CN=gateway-old"\n\n[[subject]]\nname = "CN=gateway-new"\n'


def _request() -> ScoreRequest:
    from scoregate.app.demo import DEMO_APPLICANT

    return ScoreRequest(request_id="r-1", model=MODEL, features=dict(DEMO_APPLICANT))


def _install(issued: Issued, cert_file: Path, key_file: Path, *, key: bool = True) -> None:
    """Copy a certificate (and its key) over the files the client reads, with a new modification time."""
    stamp = time.time() + 2
    for source, target in ((issued.cert_file, cert_file), (issued.key_file, key_file) if key else (None, None)):
        if source is not None:
            target.write_bytes(source.read_bytes())
            os.utime(target, (stamp, stamp))


@pytest.fixture
def setup(core_factory, models_dir, tmp_path):  # noqa: ANN001, ANN201
    pki = TestPki(tmp_path)
    old, new = pki.issue("gateway-old"), pki.issue("gateway-new")
    access = tmp_path / "access.toml"
    access.write_text(ACCESS)
    server = pki.server()
    core = core_factory(models_dir=models_dir, tls_cert_file=server.cert_file, tls_key_file=server.key_file,
                        tls_client_ca_file=pki.ca_file, access_file=access, poll_interval_s=0.1)
    cert_file, key_file = tmp_path / "client.crt", tmp_path / "client.key"
    _install(old, cert_file, key_file)
    settings = core.client_settings(tls_ca_file=pki.ca_file, tls_cert_file=cert_file, tls_key_file=key_file,
                                    timeout_s=3, retry_attempts=1)
    return core, settings, new, access


def _calls(core, subject: str) -> float:  # noqa: ANN001
    value = core.server.metrics.registry.get_sample_value("scoregate_core_calls_total", {"caller": subject, "outcome": "allowed"})
    return value or 0


def test_the_blocking_client_presents_a_rotated_certificate_on_new_connections(setup) -> None:  # noqa: ANN001
    core, settings, new, access = setup
    with ScoringClient(settings) as client:
        assert client.score(_request()).model == MODEL
        assert _calls(core, "CN=gateway-old") == 1
        _install(new, settings.tls_cert_file, settings.tls_key_file)
        wait_until(lambda: client.score(_request()) is not None and _calls(core, "CN=gateway-new") >= 1)
        assert client.connections.rotations == 1
        # The old subject revoked: every call now goes over the new connections.
        access.write_text('[[subject]]\nname = "CN=gateway-new"\n')
        os.utime(access, (time.time() + 2, time.time() + 2))
        time.sleep(0.5)  # the core's access file poll (0.1 s)
        for _ in range(5):
            assert client.score(_request()).model == MODEL


def test_a_half_written_client_rotation_keeps_the_current_connections(setup) -> None:  # noqa: ANN001
    core, settings, new, _ = setup
    with ScoringClient(settings) as client:
        assert client.score(_request()).model == MODEL
        _install(new, settings.tls_cert_file, settings.tls_key_file, key=False)  # the key not yet replaced
        time.sleep(1.2)  # past the client's look at its files
        assert client.score(_request()).model == MODEL
        assert client.connections.rotations == 0 and _calls(core, "CN=gateway-new") == 0
        _install(new, settings.tls_cert_file, settings.tls_key_file)  # now the key too
        wait_until(lambda: client.score(_request()) is not None and client.connections.rotations == 1)
        assert _calls(core, "CN=gateway-new") >= 1


def test_the_async_client_rotates_too(setup) -> None:  # noqa: ANN001
    core, settings, new, _ = setup

    async def main() -> None:
        async with AsyncScoringClient(settings) as client:
            assert (await client.score(_request())).model == MODEL
            _install(new, settings.tls_cert_file, settings.tls_key_file)
            deadline = time.monotonic() + 15
            while _calls(core, "CN=gateway-new") < 1:
                assert time.monotonic() < deadline, "the async client never used the new certificate"
                await client.score(_request())
                await asyncio.sleep(0.1)
            assert client.connections.rotations == 1

    asyncio.run(main())


def test_the_readiness_probe_opens_a_new_channel_after_a_rotation(setup) -> None:  # noqa: ANN001
    _, settings, new, _ = setup
    probe = CoreProbe(settings.model_copy(update={"probe_interval_s": 0.1}))
    try:
        assert probe.state().ready
        first = probe._channel
        _install(new, settings.tls_cert_file, settings.tls_key_file)
        wait_until(lambda: probe._channel is not first)
        time.sleep(0.3)  # a few checks over the new channel
        assert probe.state().ready
    finally:
        probe.close()
