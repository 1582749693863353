"""Outcomes beside a PostgreSQL audit (``[state] postgres``): a `gateway serve` process runs its
outcome file job and watcher on the PostgreSQL outcome store; an outcome dropped into the inbox
joins the decision the gateway answered, on /metrics and in `scoregate outcomes status --config`."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import requests
import zeep
from gateway_support import SCOREGATE, Process, demo_application

from scoregate.adapters.outcome_files.demo import drop_outcome_file
from scoregate.app.paths import DEFAULTS_DIR

BINDING = "{http://risk.northwind-bank.example/LoanRisk/2011/03}LoanRiskServiceSoap"


def test_an_outcome_joins_the_decision_a_gateway_kept_in_postgresql(shared_core, pg_migrated: str, tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[health]\nport = 0\n[client]\ntarget = "{shared_core.target}"\n[state]\npostgres = "${{AUDIT_PG}}"\n'
        "[outcomes]\nrefresh_s = 0.5\n"
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
        f"[channels.outcome_files]\nconfig = \"{DEFAULTS_DIR / 'outcomes' / 'outcomes.toml'}\"\nset = {{ poll_s = 0.2 }}\n"
    )
    env = {**os.environ, "AUDIT_PG": pg_migrated}
    gateway = Process("gateway", "serve", "--config", str(config), "--workdir", str(tmp_path / "gw"), env=env)
    try:
        banner = gateway.wait_for("Ctrl-C")
        assert "joined to the audit in PostgreSQL" in banner and "models performance credit-risk --postgres" in banner
        url = re.search(r"SOAP\s+(http://\S+)", banner).group(1)
        session = requests.Session()
        session.trust_env = False
        soap = zeep.Client(f"{url}?wsdl", transport=zeep.transports.Transport(session=session)).create_service(BINDING, url)
        assert soap.AssessCreditApplication(Application=demo_application()).ApplicationNo == "LN20110342"

        inbox = Path(re.search(r"drop outcome files into (\S+)", banner).group(1))
        drop_outcome_file(inbox, np.array(["LN20110342", "LN-NO-SUCH"]), np.array([1, 0]), np.array([5000.0, 100.0]))
        metrics = re.search(r"HEALTH\s+(http://\S+)/readyz", banner).group(1) + "/metrics"
        deadline = time.monotonic() + 30
        while 'scoregate_outcomes{state="matched"} 1.0' not in (text := session.get(metrics, timeout=10).text):
            assert time.monotonic() < deadline, [line for line in text.splitlines() if "outcomes" in line]
            time.sleep(0.3)
        assert 'scoregate_outcomes{state="unknown"} 1.0' in text
    finally:
        gateway.popen.terminate()
        gateway.popen.wait(30)
    status = subprocess.run([SCOREGATE, "outcomes", "status", "--config", str(config)], capture_output=True, text=True,
                            env=env, timeout=60)
    assert status.returncode == 0, status.stderr
    assert "outcomes: 2 kept, 1 matched, 1 unknown reference" in status.stdout, status.stdout
    assert not list(tmp_path.rglob("*.sqlite")), "no outcome file of a process's own"
