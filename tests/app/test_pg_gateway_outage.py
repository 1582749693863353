"""A `gateway serve` process whose PostgreSQL ([state]) stops mid-run: a throwaway server of the
test's own (the machine's is never stopped). SOAP answers on; /readyz says the audit waits and the
file channel claims nothing; once the server is back, every decision is in the table exactly once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import psycopg
import requests
import zeep
from gateway_support import Process, demo_application

from scoregate.adapters.state.postgres_pool import connect
from scoregate.adapters.state.postgres_schema import migrate
from scoregate.app.paths import DEFAULTS_DIR

BINDING = "{http://risk.northwind-bank.example/LoanRisk/2011/03}LoanRiskServiceSoap"


def _until(condition, timeout: float, what: str):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.2)
    return found


def test_answers_continue_while_postgres_is_down_and_nothing_is_lost(shared_core, throwaway_postgres, tmp_path: Path) -> None:
    server = throwaway_postgres
    with connect(server.url) as conn:
        migrate(conn)
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[health]\nport = 0\n[client]\ntarget = "{shared_core.target}"\n[state]\npostgres = "${{STATE_PG}}"\n'
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
        f"[channels.files]\nconfig = \"{DEFAULTS_DIR / 'files' / 'loans.toml'}\"\nset = {{ poll_s = 0.2 }}\n"
    )
    gateway = Process("gateway", "serve", "--config", str(config), "--workdir", str(tmp_path / "work"),
                      env={**os.environ, "STATE_PG": server.url})
    try:
        banner = gateway.wait_for("Ctrl-C")
        url = re.search(r"SOAP\s+(http://\S+)", banner).group(1)
        health = re.search(r"HEALTH\s+(http://\S+)", banner).group(1)
        session = requests.Session()
        session.trust_env = False
        soap = zeep.Client(f"{url}?wsdl", transport=zeep.transports.Transport(session=session)).create_service(BINDING, url)

        def ask(n: int) -> None:
            for _ in range(n):
                assert soap.AssessCreditApplication(Application=demo_application()).ApplicationNo == "LN20110342"

        ask(5)
        server.stop()
        ask(5)  # answered with the store down
        down = _until(lambda: (r := session.get(health, timeout=10).json()).get("state") and
                      not r["channels"]["files"]["ready"] and r, 30, "the outage reported")
        assert "PostgreSQL at" in down["state"]["audit"] and "decisions waiting" in down["state"]["audit"]
        assert "not reachable" in down["channels"]["files"]["missing"] and down["channels"]["soap"]["ready"]
        metrics = session.get(health.replace("/readyz", "/metrics"), timeout=10).text
        assert 'scoregate_state_up{store="audit"} 0.0' in metrics
        server.start()
        _until(lambda: (r := session.get(health, timeout=10).json()).get("ready") and "state" not in r, 30, "recovered")
    finally:
        gateway.popen.send_signal(signal.SIGTERM)
        try:
            gateway.popen.wait(30)
        except subprocess.TimeoutExpired:
            gateway.popen.kill()
    with psycopg.connect(server.url) as conn:
        rows, requests_ = conn.execute("SELECT count(*), count(DISTINCT request_id) FROM decisions").fetchone()
    assert (rows, requests_) == (10, 10)  # nothing lost, nothing twice
