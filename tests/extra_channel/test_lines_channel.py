"""A channel registered by another distribution, run by the real ``scoregate`` commands."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from scoregate.app.demo import DEMO_APPLICANT

SCOREGATE = str(Path(sys.executable).parent / "scoregate")


def _gateway_file(folder: Path, lines: str, channel: str = "lines") -> Path:
    (folder / "lines.toml").write_text(lines)
    gateway = folder / "gateway.toml"
    gateway.write_text(f'[core]\naddress = "127.0.0.1:0"\n[health]\nport = 0\n[channels.{channel}]\nconfig = "lines.toml"\n')
    return gateway


def _check(gateway: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([SCOREGATE, "config", "check", str(gateway)], capture_output=True, text=True, env=env, timeout=120)


def test_registry_finds_the_entry_point_and_suggests_its_name(lines_installed: dict[str, str]) -> None:
    from scoregate.adapters.registry import channel_names, channel_spec

    assert "lines" in channel_names()
    assert channel_spec("lines").config.__name__ == "LinesConfig"


def test_config_check_validates_the_channel_file(tmp_path: Path, lines_installed: dict[str, str]) -> None:
    good = _check(_gateway_file(tmp_path, 'port = 0\nmodel = "credit-risk"\n'), lines_installed)
    assert good.returncode == 0, good.stderr
    assert "ok (lines)" in good.stdout

    bad = _check(_gateway_file(tmp_path, 'port = "eighty"\nhots = "x"\n'), lines_installed)
    assert bad.returncode != 0
    assert re.search(r"lines\.toml: port: ", bad.stderr) and "lines.toml: hots: Extra inputs" in bad.stderr, bad.stderr

    misspelt = _check(_gateway_file(tmp_path, "port = 0\n", channel="line"), lines_installed)
    assert misspelt.returncode != 0 and "did you mean 'lines'" in misspelt.stderr, misspelt.stderr


def test_config_check_does_not_know_it_when_it_is_not_installed(tmp_path: Path) -> None:
    result = _check(_gateway_file(tmp_path, "port = 0\n"), {k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert result.returncode != 0 and "unknown channel 'lines'" in result.stderr, result.stderr


def test_up_starts_it_with_banner_and_readiness(tmp_path: Path, lines_installed: dict[str, str]) -> None:
    gateway = _gateway_file(tmp_path, "port = 0\n")
    up = subprocess.Popen([SCOREGATE, "up", "--config", str(gateway), "--workdir", str(tmp_path / "work")],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=lines_installed)
    output: list[str] = []
    started = threading.Event()

    def read() -> None:
        for line in up.stdout:
            output.append(line)
            if line.startswith("Ctrl-C"):
                started.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert started.wait(90), "".join(output)
        banner = "".join(output)
        host, port = re.search(r"LINES\s+tcp://(\S+):(\d+)\s+one JSON request per line\s+\(ready\)", banner).groups()
        readyz = re.search(r"HEALTH\s+(http://\S+)", banner).group(1)
        assert json.loads(urllib.request.urlopen(readyz, timeout=10).read()) == {"ready": True, "channels": {"lines": {"ready": True}}}
        assert json.loads(urllib.request.urlopen(f"{readyz}/lines", timeout=10).read())["ready"] is True

        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(json.dumps({"ref": "UP-1", "features": DEMO_APPLICANT}).encode() + b"\n")
            answer = json.loads(sock.makefile("rb").readline())
        assert (answer["ref"], answer["status"], answer["model"], answer["version"]) == ("UP-1", "scored", "credit-risk", "1")
    finally:
        up.send_signal(signal.SIGTERM)
        assert up.wait(60) == 0


def test_its_preflight_stops_up_before_anything_listens(tmp_path: Path, lines_installed: dict[str, str]) -> None:
    # config check finds it in the models directory; up finds it again at the core, before listening.
    gateway = _gateway_file(tmp_path, 'port = 0\nmodel = "no-such-model"\n')
    check = _check(gateway, lines_installed)
    assert check.returncode == 2 and "lines.toml: model: unknown model 'no-such-model' in " in check.stderr, check.stderr
    up = subprocess.run([SCOREGATE, "up", "--config", str(gateway), "--workdir", str(tmp_path / "work")],
                        capture_output=True, text=True, env=lines_installed, timeout=120)
    assert up.returncode == 2, up.stderr
    assert "lines.toml: model: unknown model 'no-such-model'" in up.stderr, up.stderr
    assert "Traceback" not in up.stderr and "scoregate is up" not in up.stdout
