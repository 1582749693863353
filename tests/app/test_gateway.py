"""``scoregate up`` and ``scoregate config check`` as a newcomer runs them: real processes, real calls."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoregate.adapters.amqp.request import send_request
from scoregate.app.cli import main
from scoregate.app.paths import DEFAULTS_DIR

import zeep
from gateway_support import SCOREGATE, demo_application, demo_gateway_config


def test_config_check_lists_every_error_with_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "gateway.toml"
    bad.write_text('[channels.sop]\nconfig = "x.toml"\n[core]\nadress = "x"\n')
    result = CliRunner().invoke(main, ["config", "check", str(bad)])
    assert result.exit_code != 0
    assert "did you mean 'soap'" in result.output
    assert "core.adress" in result.output

    soap = tmp_path / "soap.toml"
    soap.write_text((DEFAULTS_DIR / "soap" / "loan-risk.toml").read_text().replace('wsdl = "LoanRiskService.wsdl"', 'wsdl = "missing.wsdl"'))
    config = tmp_path / "gw.toml"
    config.write_text(f'[channels.soap]\nconfig = "{soap}"\n')
    result = CliRunner().invoke(main, ["config", "check", str(config)])
    assert result.exit_code != 0 and "missing.wsdl" in result.output


def test_up_serves_the_demo_soap_amqp_and_file_channels(tmp_path: Path, vhost: str) -> None:
    config = demo_gateway_config(tmp_path, vhost)
    up = subprocess.Popen([SCOREGATE, "up", "--config", str(config), "--workdir", str(tmp_path / "work")],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    banner: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in up.stdout:
            banner.append(line)
            if line.startswith("Ctrl-C"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(90), "".join(banner)
        text = "".join(banner)
        soap_url = re.search(r"SOAP\s+(http://\S+)\s+\(ready\)", text).group(1)
        readyz = re.search(r"HEALTH\s+(http://\S+)", text).group(1)
        report = json.loads(urllib.request.urlopen(readyz, timeout=10).read())
        assert report == {"ready": True, "channels": {"soap": {"ready": True}, "amqp": {"ready": True}, "files": {"ready": True},
                                                   "outcome_files": {"ready": True}}}
        # One channel's readiness alone, for a load balancer in front of that channel only.
        assert json.loads(urllib.request.urlopen(f"{readyz}/soap", timeout=10).read()) == {
            "ready": True, "channels": {"soap": {"ready": True}}}
        assert "AMQP" in text and "(ready)" in text.split("AMQP", 1)[1]

        # A SOAP client generated from the served WSDL, as the legacy callers' were.
        # The served WSDL keeps the legacy soap:address (no public_url set), so the client is
        # pointed at where the demo listens, as an integration engineer would.
        soap = zeep.Client(f"{soap_url}?wsdl").create_service(
            "{http://risk.northwind-bank.example/LoanRisk/2011/03}LoanRiskServiceSoap", soap_url
        )
        answer = soap.AssessCreditApplication(Application=demo_application())
        assert answer.ApplicationNo == "LN20110342" and answer.ScorecardId == "credit-risk:1"
        assert 0 <= answer.Decision.RiskScore <= 1000 and answer.ReasonCodes.ReasonCode

        amqp_reply = send_request(
            "scoregate.demo.json", (DEFAULTS_DIR / "amqp" / "sample-request.json").read_bytes(),
            url=f"amqp://guest:guest@127.0.0.1:5672/{vhost}", timeout_s=30,
        )
        assert b'"model":"credit-risk:1"' in amqp_reply.body.replace(b" ", b"")
        answered = json.loads(amqp_reply.body)["result"]

        # The decision is in the audit under the caller's reference, with the score the caller got.
        def audited() -> list[dict]:
            shown = subprocess.run([SCOREGATE, "audit", "show", "--ref", "APP-2026-0001", "--db", str(tmp_path / "work" / "audit.sqlite"),
                                    "--json"], capture_output=True, text=True, timeout=60)
            return [json.loads(line) for line in shown.stdout.splitlines()] if shown.returncode == 0 else []

        deadline = time.monotonic() + 30
        while not (records := audited()):
            assert time.monotonic() < deadline, "the AMQP decision never reached the audit"
            time.sleep(0.5)
        (record,) = records
        assert (record["channel"], record["model"], record["version"], record["fallback"]) == ("amqp", "credit-risk", "1", False)
        assert round(record["probability"], 6) == answered["probability"]
        assert [r["code"] for r in record["reasons"]] == answered["reasons"]

        inbox = Path(re.search(r"FILES\s+drop into (\S+)", text).group(1))
        assert inbox == (tmp_path / "work" / "inbox").resolve()
        dropped = subprocess.run([SCOREGATE, "files", "demo", "--records", "50", "--out", str(inbox)], capture_output=True, text=True, timeout=60)
        assert dropped.returncode == 0, dropped.stderr
        name = Path(dropped.stdout.split()[1]).name
        done = inbox.parent / "outbox" / f"{name}.RSP.done"
        deadline = time.monotonic() + 60
        while not done.exists():
            assert time.monotonic() < deadline, "no response file from the file channel"
            time.sleep(0.2)
        assert (inbox.parent / "outbox" / f"{name}.RSP").stat().st_size == 52 * 100  # header, 50 records, trailer

        # Each channel counted what it answered, on the gateway's /metrics.
        from prometheus_client.parser import text_string_to_metric_families

        metrics_url = readyz.rsplit("/", 1)[0] + "/metrics"
        families = {f.name: f for f in text_string_to_metric_families(urllib.request.urlopen(metrics_url, timeout=10).read().decode())}
        scored = {s.labels["channel"]: s.value for s in families["scoregate_channel_requests"].samples
                  if s.name.endswith("_total") and s.labels["outcome"] == "scored"}
        assert scored == {"soap": 1, "amqp": 1, "files": 50, "outcome_files": 0}  # outcomes are no scored requests
    finally:
        up.send_signal(signal.SIGTERM)
        assert up.wait(60) == 0


def test_readyz_names_what_a_channel_is_missing() -> None:
    import urllib.error

    from scoregate.adapters.soap.config import SoapChannelConfig
    from scoregate.adapters.soap.server import SoapChannel
    from scoregate.app.health import HealthServer

    channel = SoapChannel(SoapChannelConfig.load(DEFAULTS_DIR / "soap" / "loan-risk.toml", port=0))  # never started
    server = HealthServer(lambda: [channel])
    server.start()
    try:
        assert json.loads(urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5).read()) == {"live": True}
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/readyz", timeout=5)
        assert caught.value.code == 503
        assert json.loads(caught.value.read()) == {"ready": False, "channels": {"soap": {"ready": False, "missing": "not started"}}}
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/readyz/soap", timeout=5)
        assert caught.value.code == 503
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/readyz/amqp", timeout=5)
        assert caught.value.code == 404  # no such channel in this gateway
    finally:
        server.stop()


def test_set_overrides_of_the_file_channel_are_read_like_its_file(tmp_path: Path) -> None:
    from scoregate.app.config import GatewayConfig
    from scoregate.app.gateway import Gateway

    config_file = tmp_path / "gateway.toml"
    config_file.write_text(
        f"[channels.files]\nconfig = \"{DEFAULTS_DIR / 'files' / 'loans.toml'}\"\n"
        f'set = {{ base_dir = "{tmp_path / "drop"}", ledger = "state/ledger.sqlite", poll_s = 0.5 }}\n'
    )
    config = GatewayConfig.load(config_file)
    gateway = Gateway(config, config.client_settings())
    gateway.build()
    (files,) = gateway.channels
    assert files.config.poll_s == 0.5 and files.config.base_dir == tmp_path / "drop"
    assert files.config.path(files.config.ledger) == tmp_path / "drop" / "state" / "ledger.sqlite"
