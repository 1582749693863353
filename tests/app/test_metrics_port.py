"""/metrics apart from the probes: on a port (and address) of its own, behind a bearer token; a real
`gateway serve` process."""

from __future__ import annotations

import re
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from gateway_support import Process

from scoregate.app.paths import DEFAULTS_DIR


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_metrics_on_their_own_port_need_the_token_and_the_health_port_keeps_the_probes(
    free_port: int, shared_core, tmp_path: Path
) -> None:
    token = tmp_path / "metrics.token"
    token.write_text("scrape-me\n")
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[health]\nport = 0\nmetrics_host = "127.0.0.1"\nmetrics_port = {free_port}\nmetrics_token_file = "metrics.token"\n'
        f'[client]\ntarget = "{shared_core.target}"\n'
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
    )
    gateway = Process("gateway", "serve", "--config", str(config))
    try:
        health = re.search(r"HEALTH\s+(http://\S+)/readyz", gateway.wait_for("Ctrl-C")).group(1)
        metrics = f"http://127.0.0.1:{free_port}/metrics"
        assert _get(f"{health}/readyz")[0] == 200
        assert _get(f"{health}/metrics", "scrape-me")[0] == 404  # not on the probes' port any more
        assert _get(metrics)[0] == 401
        assert _get(metrics, "wrong")[0] == 401
        status, body = _get(metrics, "scrape-me")
        assert status == 200 and b"scoregate_channel_requests_total" in body
        assert _get(f"http://127.0.0.1:{free_port}/readyz")[0] == 404  # and no probes on the metrics port
    finally:
        gateway.popen.send_signal(signal.SIGTERM)
        try:
            gateway.popen.wait(30)
        except subprocess.TimeoutExpired:
            gateway.popen.kill()
