"""Two `gateway serve` processes sharing one PostgreSQL audit (``[state] postgres = "${...}"``):
`audit show --ref` finds the decisions of both; a schema that is behind stops a gateway in one line;
a store that does not answer leaves the answers alone and says so in /readyz."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import requests
import zeep
from gateway_support import SCOREGATE, Process, demo_application

from scoregate.app.paths import DEFAULTS_DIR

BINDING = "{http://risk.northwind-bank.example/LoanRisk/2011/03}LoanRiskServiceSoap"


def _config(folder: Path, target: str, writer: str) -> Path:
    config = folder / f"{writer}.toml"
    config.write_text(
        f'[health]\nport = 0\n[client]\ntarget = "{target}"\n[state]\npostgres = "${{AUDIT_PG}}"\n'
        f'[audit]\nwriter = "{writer}"\n'
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
    )
    return config


def _ask(gateway: Process, metrics: list[str] | None = None) -> dict:
    banner = gateway.wait_for("Ctrl-C")
    url = re.search(r"SOAP\s+(http://\S+)", banner).group(1)
    session = requests.Session()
    session.trust_env = False
    soap = zeep.Client(f"{url}?wsdl", transport=zeep.transports.Transport(session=session)).create_service(BINDING, url)
    assert soap.AssessCreditApplication(Application=demo_application()).ApplicationNo == "LN20110342"
    health = re.search(r"HEALTH\s+(http://\S+)", banner).group(1)
    if metrics is not None:
        metrics.append(session.get(health.replace("/readyz", "/metrics"), timeout=10).text)
    return session.get(health, timeout=10).json()


def _stop(gateway: Process) -> None:
    gateway.popen.send_signal(signal.SIGTERM)  # stopping writes what the audit queued
    try:
        gateway.popen.wait(30)
    except subprocess.TimeoutExpired:
        gateway.popen.kill()


def test_decisions_of_two_gateways_are_found_together(shared_core, pg_migrated: str, tmp_path: Path) -> None:
    env = {**os.environ, "AUDIT_PG": pg_migrated}
    gateways = [Process("gateway", "serve", "--config", str(_config(tmp_path, shared_core.target, w)), "--workdir",
                        str(tmp_path / w), env=env) for w in ("gw-a", "gw-b")]
    try:
        for gateway in gateways:
            assert _ask(gateway)["ready"] is True
    finally:
        for gateway in gateways:
            _stop(gateway)
    shown = subprocess.run([SCOREGATE, "audit", "show", "--ref", "LN20110342", "--config", str(tmp_path / "gw-a.toml"),
                            "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    records = [json.loads(line) for line in shown.stdout.splitlines()]
    assert len(records) == 2 and {r["channel"] for r in records} == {"soap"}
    assert not list(tmp_path.rglob("*.sqlite")), "no audit file of a process's own"


def test_a_schema_that_is_behind_stops_the_gateway_in_one_line(shared_core, pg_url: str, tmp_path: Path) -> None:
    done = subprocess.run([SCOREGATE, "gateway", "serve", "--config", str(_config(tmp_path, shared_core.target, "gw"))],
                          capture_output=True, text=True, env={**os.environ, "AUDIT_PG": pg_url}, timeout=60)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "scoregate state migrate" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0, done.stderr


def test_a_store_that_does_not_answer_is_a_note_and_answers_continue(shared_core, tmp_path: Path) -> None:
    """Port 9 on loopback: nobody listens (the machine's server is never stopped by a test)."""
    env = {**os.environ, "AUDIT_PG": "postgresql://postgres@127.0.0.1:9/test"}
    gateway = Process("gateway", "serve", "--config", str(_config(tmp_path, shared_core.target, "gw")), env=env)
    scraped: list[str] = []
    try:
        ready = _ask(gateway, scraped)
    finally:
        _stop(gateway)
    assert 'scoregate_state_up{store="audit"} 0.0' in scraped[0]
    assert 'scoregate_audit_dropped_total{store="postgres"} 0.0' in scraped[0]
    assert ready["ready"] is True
    assert "not reachable" in ready["state"]["audit"] and "decisions waiting" in ready["state"]["audit"]
