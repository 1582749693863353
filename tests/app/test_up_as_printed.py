"""`scoregate up`, then every command it prints, run as printed by a fresh shell in the same folder.

The shell's PATH has no virtual environment on it (the README's install does not put one there),
so a printed `scoregate` must carry its path. The commands that need the core or the broker find
the ones `up` started through the state file in its working folder (app/upstate.py).
"""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path

from gateway_support import SCOREGATE, demo_gateway_config

FRESH_SHELL = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=FRESH_SHELL, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_every_command_up_prints_runs_as_printed(tmp_path: Path, vhost: str) -> None:
    config = demo_gateway_config(tmp_path, vhost)
    up = subprocess.Popen([SCOREGATE, "up", "--config", str(config)], cwd=tmp_path, env=FRESH_SHELL,
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
        workdir = tmp_path / "scoregate-demo"
        state = json.loads((workdir / "scoregate-up.json").read_text())
        assert state["amqp_url"].endswith(f"/{vhost}") and state["core_metrics"].endswith("/metrics")
        printed = [line.strip() for line in text.splitlines() if line.startswith("         ") and "WSDL: " not in line]
        curl, amqp, files, outcomes = printed
        cli = shlex.split(amqp)[0]
        assert cli == SCOREGATE  # the venv's own command, with its path: it is not on PATH
        assert "site-packages" not in text and "app/defaults" not in text  # samples were copied

        # SOAP, exactly as printed.
        answer = _shell(curl, tmp_path)
        assert answer.returncode == 0 and "credit-risk:1" in answer.stdout, answer.stdout + answer.stderr

        # AMQP, as printed: the broker (and its vhost) found from the state file.
        answer = _shell(amqp, tmp_path)
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout)["result"]["model"] == "credit-risk:1"

        # Files, as printed, then the response shown as a table.
        drop, show = files.split("   then: ")
        dropped = _shell(drop.replace("1000", "20"), tmp_path)
        assert dropped.returncode == 0, dropped.stderr
        name = Path(dropped.stdout.split()[1]).name
        response = workdir / "outbox" / f"{name}.RSP"
        deadline = time.monotonic() + 60
        while not Path(f"{response}.done").exists():
            assert time.monotonic() < deadline, "no response file"
            time.sleep(0.2)
        shown = _shell(show.replace("<name>", name), tmp_path)
        assert shown.returncode == 0, shown.stderr
        assert "RS-DETAIL-REC (20 records)" in shown.stdout and "credit-risk:1" in shown.stdout

        # Outcomes of those applications, as printed, then the figures: the loop closed.
        drop, performance = outcomes.split("   then: ")
        dropped = _shell(drop.replace("1000", "20"), tmp_path)
        assert dropped.returncode == 0, dropped.stderr
        report = workdir / "outcomes" / "archive" / f"{Path(dropped.stdout.split()[1]).name}.report"
        deadline = time.monotonic() + 60
        while not report.exists():
            assert time.monotonic() < deadline, "the outcome file was not read"
            time.sleep(0.2)
        assert "20 outcomes read, 0 records not read; 20 new" in report.read_text()
        shown = _shell(performance, tmp_path)
        assert shown.returncode == 0, shown.stderr
        assert "outcomes: 20 kept, 20 matched, 0 unknown reference" in shown.stdout, shown.stdout
        # The gateway's watcher exports them on /metrics (the health port) within its refresh_s.
        metrics = re.search(r"HEALTH\s+(http://\S+)/readyz", text).group(1) + "/metrics"
        deadline = time.monotonic() + 30
        while 'scoregate_outcomes{state="matched"} 20.0' not in _shell(f"curl -s {metrics}", tmp_path).stdout:
            assert time.monotonic() < deadline, "no outcome gauges on the gateway's /metrics"
            time.sleep(0.5)

        # One file by hand: the core that `up` started, found without --core.
        other = _shell(f"{cli} files demo --records 5 --out elsewhere", tmp_path)
        source = other.stdout.split()[1]
        processed = _shell(f"{cli} files process {source} --out by-hand", tmp_path)
        assert processed.returncode == 0, processed.stderr
        assert processed.stdout.startswith("done: 5 records, 5 scored, 0 rejected")

        # Drift against the core's metrics port, which `up` opens: no flags.
        drift = _shell(f"{cli} drift", tmp_path)
        assert drift.returncode == 0, drift.stderr
        # (a PSI over the few rows scored here is noise: tests/adapters/files/test_demo_file.py
        # checks the demo's distribution on a full window)
        assert "credit-risk version 1, channel files" in drift.stdout, drift.stdout

        version = _shell(f"{cli} --version", tmp_path)
        assert re.fullmatch(r"scoregate \d+\.\d+\.\d+\S*\n", version.stdout), version.stdout
    finally:
        up.send_signal(signal.SIGTERM)
        assert up.wait(60) == 0
    assert not (tmp_path / "scoregate-demo" / "scoregate-up.json").exists()  # removed on the way out


def test_gateway_serve_keeps_its_state_in_the_working_folder_not_beside_its_config(tmp_path: Path) -> None:
    from scoregate.app.paths import DEFAULTS_DIR

    conf, run = tmp_path / "conf", tmp_path / "run"
    conf.mkdir()
    run.mkdir()
    config = conf / "gateway.toml"
    config.write_text(
        "[health]\nport = 0\n[audit]\npath = \"audit.sqlite\"\n"
        f"[channels.files]\nconfig = \"{DEFAULTS_DIR / 'files' / 'loans.toml'}\"\n"
    )
    gateway = subprocess.Popen([SCOREGATE, "gateway", "serve", "--config", str(config)], cwd=run,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in gateway.stdout:
            if line.startswith("Ctrl-C"):
                break
        assert {p.name for p in run.iterdir()} >= {"inbox", "outbox", "work", "archive", "error", "ledger.sqlite", "audit.sqlite"}
        assert [p.name for p in conf.iterdir()] == ["gateway.toml"]
        assert not (DEFAULTS_DIR / "files" / "inbox").exists() and not (DEFAULTS_DIR / "audit.sqlite").exists()
    finally:
        gateway.send_signal(signal.SIGTERM)
        assert gateway.wait(60) == 0
