"""Mutual TLS between gateway and core as real processes: `core serve` requiring client
certificates, a `gateway serve` presenting one and a `gateway serve` without, a SOAP call to each.
The core's JSON log lines about the call name the gateway's certificate subject."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from gateway_support import SCOREGATE, Process
from tls_support import TestPki

from scoregate.app.paths import DEFAULTS_DIR


def _json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def _gateway_config(path: Path, port: int, pki: TestPki, cert=None) -> Path:  # noqa: ANN001
    client = f'target = "localhost:{port}"\ntls_ca_file = "{pki.ca_file}"\nretry_attempts = 1\ntimeout_s = 3\n'
    if cert is not None:
        client += f'tls_cert_file = "{cert.cert_file}"\ntls_key_file = "{cert.key_file}"\n'
    path.write_text(
        f"[health]\nport = 0\n[client]\n{client}"
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
    )
    return path


def _soap_call(gateway: Process, request_id: str) -> tuple[int, bytes]:
    url = re.search(r"SOAP\s+(http://\S+)", gateway.wait_for("Ctrl-C")).group(1)
    envelope = (DEFAULTS_DIR / "soap" / "sample-request.xml").read_bytes()
    request = urllib.request.Request(url, envelope, {
        "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""', "X-Request-ID": request_id,
    })
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_core_answers_the_gateway_with_a_certificate_names_it_and_refuses_the_one_without(
    free_port: int, tmp_path: Path
) -> None:
    pki = TestPki(tmp_path)
    server, gateway_cert = pki.server(), pki.issue("gateway-a")
    access = tmp_path / "access.toml"
    access.write_text('[[subject]]\nname = "CN=gateway-a"\nmodels = ["credit-risk"]\n')
    core_log = tmp_path / "core.log"
    with core_log.open("w") as core_err:
        core = Process(
            "--log-format", "json", "--log-level", "debug", "core", "serve", "--address", f"127.0.0.1:{free_port}",
            "--tls-cert", str(server.cert_file), "--tls-key", str(server.key_file),
            "--tls-client-ca", str(pki.ca_file), "--access-file", str(access), stderr=core_err,
        )
    with_cert = Process("gateway", "serve", "--config", str(_gateway_config(tmp_path / "a.toml", free_port, pki, gateway_cert)))
    without = Process("gateway", "serve", "--config", str(_gateway_config(tmp_path / "b.toml", free_port, pki)))
    try:
        core.wait_for("scoregate core listening")
        status, body = _soap_call(with_cert, "mtls-call-1")
        assert status == 200 and b"RiskScore" in body, body[:500]
        status, body = _soap_call(without, "mtls-call-2")
        assert status == 500 and b"temporarily unavailable" in body, body[:500]  # a server fault, not the caller's

        deadline = time.monotonic() + 15
        while not [line for line in _json_lines(core_log) if line.get("request_id") == "mtls-call-1"]:
            assert time.monotonic() < deadline, core_log.read_text()[-3000:]
            time.sleep(0.2)
        (access_line,) = [line for line in _json_lines(core_log) if line.get("request_id") == "mtls-call-1"]
        assert access_line["caller"] == gateway_cert.subject
        assert not [line for line in _json_lines(core_log) if line.get("request_id") == "mtls-call-2"]

        # The container health check reaches an mTLS core with the gateway's certificate, and only with it.
        health = [SCOREGATE, "core", "health", "--address", f"127.0.0.1:{free_port}", "--tls-ca", str(pki.ca_file)]
        probe = subprocess.run([*health, "--tls-cert", str(gateway_cert.cert_file), "--tls-key", str(gateway_cert.key_file)],
                               capture_output=True, text=True, timeout=60)
        assert probe.returncode == 0 and "SERVING" in probe.stdout, probe.stderr
        assert subprocess.run(health, capture_output=True, text=True, timeout=60).returncode == 1
    finally:
        for process in (with_cert, without, core):
            process.popen.send_signal(signal.SIGTERM)
            try:
                process.popen.wait(30)
            except subprocess.TimeoutExpired:
                process.popen.kill()


def test_core_serve_refuses_a_broken_access_file_in_one_line(tmp_path: Path) -> None:
    access = tmp_path / "access.toml"
    access.write_text('[[token]]\nname = "tool"\nsha256 = "not-hex"\n')
    done = subprocess.run([SCOREGATE, "core", "serve", "--address", "127.0.0.1:0", "--access-file", str(access)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "token.0.sha256" in done.stderr, done.stderr


def test_core_token_writes_the_token_and_prints_its_entry(tmp_path: Path) -> None:
    from scoregate.core.accessfile import read_access_file
    from scoregate.core.auth import hash_token

    token_file = tmp_path / "token"
    done = subprocess.run([SCOREGATE, "core", "token", "--name", "risk-tool", "--model", "credit-risk", "--out", str(token_file)],
                          capture_output=True, text=True, timeout=60, check=True)
    access = tmp_path / "access.toml"
    access.write_text(done.stdout)
    (entry,) = read_access_file(access).token
    assert entry.name == "risk-tool" and entry.models == ["credit-risk"]
    assert entry.sha256 == hash_token(token_file.read_text().strip())
    assert token_file.stat().st_mode & 0o077 == 0
    assert token_file.read_text().strip() not in done.stdout + done.stderr
