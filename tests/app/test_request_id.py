"""One request id from the legacy call to the core's logs: `core serve` and `gateway serve` as real
processes with JSON logs, a SOAP call carrying the caller's X-Request-ID."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from gateway_support import Process

from scoregate.app.paths import DEFAULTS_DIR


def _json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_the_callers_request_id_reaches_the_cores_log_lines(free_port: int, tmp_path: Path) -> None:
    port = free_port
    core_log, gateway_log = tmp_path / "core.log", tmp_path / "gateway.log"
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[health]\nport = 0\n[client]\ntarget = "127.0.0.1:{port}"\n'
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
    )
    with core_log.open("w") as core_err, gateway_log.open("w") as gateway_err:
        core = Process("--log-format", "json", "--log-level", "debug", "core", "serve", "--address", f"127.0.0.1:{port}",
                       stderr=core_err)
        gateway = Process("--log-format", "json", "--log-level", "debug", "gateway", "serve", "--config", str(config),
                          stderr=gateway_err)
    try:
        core.wait_for("scoregate core listening")
        soap_url = re.search(r"SOAP\s+(http://\S+)", gateway.wait_for("Ctrl-C")).group(1)
        envelope = (DEFAULTS_DIR / "soap" / "sample-request.xml").read_bytes()
        request = urllib.request.Request(soap_url, envelope, {
            "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""', "X-Request-ID": "legacy-call-42",
        })
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["x-request-id"] == "legacy-call-42"

        deadline = time.monotonic() + 15
        while not [line for line in _json_lines(core_log) if line.get("request_id") == "legacy-call-42"]:
            assert time.monotonic() < deadline, core_log.read_text()[-3000:]
            time.sleep(0.2)
        (access,) = [line for line in _json_lines(core_log) if line.get("request_id") == "legacy-call-42"]
        assert access["logger"] == "scoregate.core.access" and access["channel"] == "soap"
        assert access["reference"] == "LN20110342"  # the caller's own application number, beside the id
        assert [line for line in _json_lines(gateway_log) if line.get("request_id") == "legacy-call-42"]
    finally:
        for process in (gateway, core):
            process.popen.send_signal(signal.SIGTERM)
            try:
                process.popen.wait(30)
            except subprocess.TimeoutExpired:
                process.popen.kill()
