"""Who asked, kept with the decision, in a chained audit: a `gateway serve` process with a SOAP
channel requiring client certificates and a tamper-evident audit; a zeep call with a certificate;
`audit show` names the caller and `audit verify` finds every link."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import requests
import zeep
from gateway_support import SCOREGATE, Process
from tls_support import TestPki
from zeep.transports import Transport

from scoregate.app.paths import DEFAULTS_DIR

BINDING = "{http://risk.northwind-bank.example/LoanRisk/2011/03}LoanRiskServiceSoap"


def test_the_certificate_callers_name_is_in_the_chained_audit(shared_core, tmp_path: Path) -> None:
    from gateway_support import demo_application

    pki = TestPki(tmp_path)
    server, client = pki.server(), pki.issue("los-gateway")
    key_file = tmp_path / "audit.key"
    key_file.write_text("audit-key-from-a-mounted-secret\n")
    env = {**os.environ, "SCOREGATE_AUDIT_KEY_FILE": str(key_file)}
    env.pop("SCOREGATE_AUDIT_KEY", None)
    config = tmp_path / "gateway.toml"
    soap_set = (f'{{ port = 0, tls_cert_file = "{server.cert_file}", tls_key_file = "{server.key_file}", '
                f'tls_client_ca_file = "{pki.ca_file}", '
                f'client_certificates = [{{ subject = "CN=los-gateway", caller = "loan-origination" }}] }}')
    config.write_text(
        f'[health]\nport = 0\n[client]\ntarget = "{shared_core.target}"\n'
        '[audit]\npath = "audit.sqlite"\ntamper_evident = true\nwriter = "gw-1"\n'
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {soap_set}\n"
    )
    gateway = Process("gateway", "serve", "--config", str(config), "--workdir", str(tmp_path), env=env)
    audit = tmp_path / "audit.sqlite"
    try:
        url = re.search(r"SOAP\s+(https://\S+)", gateway.wait_for("Ctrl-C")).group(1)
        session = requests.Session()
        session.trust_env = False
        session.verify, session.cert = str(pki.ca_file), (str(client.cert_file), str(client.key_file))
        soap = zeep.Client(f"{url}?wsdl", transport=Transport(session=session)).create_service(BINDING, url)
        assert soap.AssessCreditApplication(Application=demo_application()).ApplicationNo == "LN20110342"
    finally:
        gateway.popen.send_signal(signal.SIGTERM)  # stopping writes what the audit queued
        try:
            gateway.popen.wait(30)
        except subprocess.TimeoutExpired:
            gateway.popen.kill()
    shown = subprocess.run([SCOREGATE, "audit", "show", "--ref", "LN20110342", "--db", str(audit), "--json"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    (record,) = [json.loads(line) for line in shown.stdout.splitlines()]
    assert record["caller"] == "loan-origination" and record["channel"] == "soap"
    verified = subprocess.run([SCOREGATE, "audit", "verify", "--db", str(audit)], capture_output=True, text=True, env=env, timeout=60)
    assert verified.returncode == 0 and "1 row in 1 chain, every link holds" in verified.stdout, verified.stdout + verified.stderr


def test_a_tamper_evident_audit_without_its_key_stops_the_gateway_in_one_line(shared_core, tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[health]\nport = 0\n[client]\ntarget = "{shared_core.target}"\n[audit]\npath = "audit.sqlite"\ntamper_evident = true\n'
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOREGATE_AUDIT_KEY")}
    done = subprocess.run([SCOREGATE, "gateway", "serve", "--config", str(config)], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "SCOREGATE_AUDIT_KEY" in done.stderr and "Traceback" not in done.stderr
