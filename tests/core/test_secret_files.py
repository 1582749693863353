"""Secrets from files (mounted Kubernetes Secrets, Vault agent output): read at start, read again
when the file changes, never in the environment."""

from __future__ import annotations

import os
import time

import pytest
from load_support import wait_until

from scoregate.app.demo import DEMO_APPLICANT
from scoregate.core.auth import hash_token
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.errors import Unauthenticated
from scoregate.core.settings import ClientSettings, SecretFile, env_secret


def _rewrite(path, text: str) -> None:  # noqa: ANN001
    path.write_text(text)
    stamp = time.time() + 2  # a new modification time even where timestamps are coarse
    os.utime(path, (stamp, stamp))


def test_a_secret_file_is_read_stripped_and_read_again_when_it_changes(tmp_path) -> None:
    path = tmp_path / "secret"
    path.write_text("first\n")
    secret = SecretFile(path, check_every_s=0)
    assert secret.read() == "first"
    _rewrite(path, "second\n")
    assert secret.read() == "second"
    path.unlink()
    assert secret.read() == "second"  # a file being replaced keeps the last value
    with pytest.raises(FileNotFoundError):
        SecretFile(tmp_path / "missing")


def test_env_secret_reads_the_variable_or_the_file_it_names(tmp_path) -> None:
    path = tmp_path / "key"
    path.write_text("from-a-file\n")
    assert env_secret("KEY", {"KEY": "from-env"}) == "from-env"
    assert env_secret("KEY", {"KEY_FILE": str(path)}) == "from-a-file"
    assert env_secret("KEY", {}) == ""
    with pytest.raises(ValueError, match="both set"):
        env_secret("KEY", {"KEY": "a", "KEY_FILE": str(path)})
    with pytest.raises(ValueError, match="KEY_FILE: No such file"):
        env_secret("KEY", {"KEY_FILE": str(tmp_path / "nope")})


def test_a_client_token_file_is_followed_when_the_token_is_rotated(core_factory, models_dir, tmp_path) -> None:
    access = tmp_path / "access.toml"
    access.write_text(f'[[token]]\nname = "new"\nsha256 = "{hash_token("token-2")}"\n')
    core = core_factory(models_dir=models_dir, access_file=access)
    token_file = tmp_path / "token"
    token_file.write_text("token-1\n")  # the old token, already revoked on the core
    request = ScoreRequest(request_id="r", model="credit-risk", features=dict(DEMO_APPLICANT))
    with ScoringClient(core.client_settings(token_file=token_file, retry_attempts=1)) as client:
        with pytest.raises(Unauthenticated):
            client.score(request)
        _rewrite(token_file, "token-2\n")  # the secret mount is updated; the gateway is not restarted

        def answered() -> bool:
            try:
                return client.score(request).model == "credit-risk"
            except Unauthenticated:
                return False

        wait_until(answered)


def test_client_settings_name_a_missing_secret_file() -> None:
    with pytest.raises(ValueError, match="token_file .* is not a file"):
        ClientSettings(token_file="/nonexistent/token")
