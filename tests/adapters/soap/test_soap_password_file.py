"""WS-Security passwords from files: read at start, a rotated password takes effect without a
restart; the authenticated user is the caller kept in the audit."""

from __future__ import annotations

import os
import time

import pytest
import zeep
from pydantic import ValidationError
from soap_support import BINDING11, DEMO_CONFIG, ChannelThread, born_years_ago, legacy_application
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

from scoregate.adapters.decisions.recorder import DecisionRecorder
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.soap import SoapChannel, SoapChannelConfig
from scoregate.core.hooks import ClientHooks


def _call(server, password: str):  # noqa: ANN001, ANN202
    client = zeep.Client(f"{server.url}?wsdl", wsse=UsernameToken("batch", password, use_digest=True))
    return client.create_service(BINDING11, server.url).AssessCreditApplication(Application=legacy_application(born_years_ago(41)))


def test_a_password_file_is_read_and_followed_when_rotated(shared_core, tmp_path) -> None:
    secret = tmp_path / "batch.password"
    secret.write_text("first-password\n")
    # A channel file beside the secret, naming it relatively (as a mounted secrets folder would be).
    channel_file = tmp_path / "soap.toml"
    channel_file.write_text(DEMO_CONFIG.read_text().replace('wsdl = "', f'wsdl = "{DEMO_CONFIG.parent}/'))
    config = SoapChannelConfig.load(
        channel_file, port=0, security={"credentials": [{"username": "batch", "password_file": "batch.password"}]}
    )
    audit = AuditLog(tmp_path / "audit.sqlite")
    server = ChannelThread(config, shared_core.client_settings())
    server.channel = SoapChannel(config, client_settings=shared_core.client_settings(),
                                 client_hooks=ClientHooks(observer=DecisionRecorder("soap", audit)))
    server.start()
    try:
        assert _call(server, "first-password").ApplicationNo == "LN20110342"
        audit.flush()
        assert audit.find("LN20110342")[0].caller == "batch"  # the WS-Security user is who asked
        secret.write_text("second-password\n")
        stamp = time.time() + 2
        os.utime(secret, (stamp, stamp))
        deadline = time.monotonic() + 15  # SecretFile looks at the file at most once a second
        while True:
            try:
                assert _call(server, "second-password").ApplicationNo == "LN20110342"
                break
            except Fault:
                assert time.monotonic() < deadline, "the rotated password was never taken"
                time.sleep(0.2)
        with pytest.raises(Fault, match="authenticat"):
            _call(server, "first-password")
    finally:
        server.stop()
        audit.close()


def test_a_missing_password_file_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ValidationError, match="password_file .* is not a file"):
        SoapChannelConfig.load(DEMO_CONFIG, port=0, security={"credentials": [{"username": "u", "password_file": "nope"}]})
