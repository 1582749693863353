"""Every user mistake ends in one readable line and an exit code, never a traceback: each bad usage
runs as a real `scoregate` process, against real ports, the real broker and real files."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from gateway_support import SCOREGATE

from scoregate.app.paths import DEFAULTS_DIR

SAMPLE = DEFAULTS_DIR / "amqp" / "sample-request.json"


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port this test listens on, so that scoregate finds it taken (by this very process)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([SCOREGATE, "--log-format", "text", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def _error_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    return line.removeprefix("Error: ")


def test_a_port_in_use_names_the_port_and_who_holds_it(taken_port: int, tmp_path: Path) -> None:
    done = _run("core", "serve", "--address", f"127.0.0.1:{taken_port}")
    assert done.returncode == 1
    line = _error_line(done)
    assert line.startswith(f"port {taken_port} (the scoring core) is already in use by pid ")
    assert line.endswith("stop it, or choose another port (--address or SCOREGATE_CORE_ADDRESS)")

    # `scoregate up` a second time: the gateway's health port is the one taken.
    config = tmp_path / "gateway.toml"
    config.write_text(f'[core]\naddress = "127.0.0.1:0"\n[health]\nport = {taken_port}\n')
    done = _run("up", "--config", str(config), "--workdir", str(tmp_path / "work"))
    assert done.returncode == 1
    assert _error_line(done).startswith(f"port {taken_port} (the gateway's health and metrics port) is already in use by pid ")


def test_a_broker_that_refuses_the_connection_or_the_login(free_port: int) -> None:
    done = _run("amqp", "request", "scoregate.demo.json", str(SAMPLE), "--url", f"amqp://guest:guest@127.0.0.1:{free_port}/%2F")
    assert done.returncode == 1
    assert _error_line(done) == (f"cannot reach the broker at 127.0.0.1:{free_port}/%2F: "
                                 "connection refused (is the broker running on that port?)")
    done = _run("amqp", "request", "scoregate.demo.json", str(SAMPLE), "--url", "amqp://guest:wrong@127.0.0.1:5672/%2F")
    assert done.returncode == 1
    assert _error_line(done) == "cannot reach the broker at 127.0.0.1:5672/%2F: the broker refused the login (wrong user or password)"
    assert len(done.stderr.strip().splitlines()) == 1  # none of pika's own ERROR lines
    assert "wrong" not in done.stderr.replace("(wrong user", "")  # the password is never printed


def test_a_file_that_is_not_an_audit_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, just text that is long enough to have a header page\n" * 20)
    done = _run("audit", "show", "--ref", "LN1", "--db", str(notes))
    assert done.returncode == 1
    assert _error_line(done).startswith(f"{notes} is not a scoregate audit file (file is not a database)")


def test_an_unknown_model_in_models_commands() -> None:
    done = _run("models", "history", "nosuch")
    assert done.returncode == 1
    assert _error_line(done) == f"no model 'nosuch' in {DEFAULTS_DIR / 'models'} (models: credit-risk)"
    done = _run("models", "history", "credit-rsk")
    assert "did you mean 'credit-risk'?" in _error_line(done)


def test_a_bad_gateway_file_lists_each_error_with_its_key_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('[health]\nport = "eighty"\n')
    done = _run("gateway", "serve", "--config", str(config))
    assert done.returncode == 2
    assert _error_line(done).startswith(f"{config}: health.port: Input should be a valid integer")
    config.write_text('fallback_model = "${SCOREGATE_TEST_UNSET_VARIABLE}"\n')
    done = _run("gateway", "serve", "--config", str(config))
    assert done.returncode == 2
    assert "environment variable SCOREGATE_TEST_UNSET_VARIABLE is not set" in _error_line(done)
