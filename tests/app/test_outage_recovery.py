"""Readiness and recovery through core restarts, timed: the timing is the feature here.

A real `gateway serve` process with the three demo channels and a real `core serve` process that
this test starts, kills and starts again on the same port. Readiness (`/readyz/<channel>` on the
health port) must follow the core with no traffic at all, and each channel must score again
within seconds of the core listening (gRPC's reconnect backoff is capped at 1 s and the breaker
tries the core as soon as its health check answers; before, recovery took 10-15 s and readiness
waited for the next request).

The deadlines are the issue's (ready 3 s, first score 2 s after the core listens) plus a margin
for a loaded 2-core machine (LOAD_MARGIN_S): on an idle machine readiness returns in about 1 s and
the first score in well under 1 s. The clock starts when the restarted core prints its listening
line, a little after it listens, and stops at the first poll that sees the result; polls are 0.1 s
apart.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from gateway_support import SCOREGATE, Process

from scoregate.adapters.amqp.request import send_request
from scoregate.app.paths import DEFAULTS_DIR

CHANNELS = ("soap", "amqp", "files")
READY_WITHIN_S = 3.0
SCORED_WITHIN_S = 2.0
LOAD_MARGIN_S = 1.5
ENVELOPE = (DEFAULTS_DIR / "soap" / "sample-request.xml").read_bytes()
JSON_REQUEST = (DEFAULTS_DIR / "amqp" / "sample-request.json").read_bytes()


def _core(port: int) -> tuple[Process, float]:
    core = Process("core", "serve", "--address", f"127.0.0.1:{port}")
    core.wait_for("scoregate core listening")
    return core, time.monotonic()


def _stop(process: Process | None, sig: int = signal.SIGTERM) -> None:
    if process is not None and process.popen.poll() is None:
        process.popen.send_signal(sig)
        process.popen.wait(30)


def _ready(health: str, channel: str) -> tuple[bool, dict]:
    try:
        with urllib.request.urlopen(f"{health}/readyz/{channel}", timeout=5) as response:
            return True, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return False, json.loads(error.read())


def _poll(predicate, deadline_s: float, what: str) -> float:  # noqa: ANN001
    """Seconds until ``predicate()`` is true, polled every 0.1 s; fails after ``deadline_s``."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < deadline_s, what
        time.sleep(0.1)
    return time.monotonic() - started


def _soap_scores(url: str) -> bool:
    request = urllib.request.Request(url, ENVELOPE, {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def _amqp_scores(url: str) -> bool:
    # The queue answers "core unavailable" at once (retry.reply_at_once), so each poll is one round trip.
    reply = send_request("scoregate.demo.json", JSON_REQUEST, url=url, timeout_s=10)
    return reply.headers.get("x-scoregate-status") == "ok"


def _drop_file(inbox: Path) -> Path:
    dropped = subprocess.run([SCOREGATE, "files", "demo", "--records", "5", "--out", str(inbox)],
                             capture_output=True, text=True, timeout=60)
    assert dropped.returncode == 0, dropped.stderr
    return Path(dropped.stdout.split()[1])


def test_readiness_follows_the_core_and_channels_score_within_seconds_of_its_return(
    free_port: int, tmp_path: Path, vhost: str,
) -> None:
    port, work = free_port, tmp_path / "work"
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    config = tmp_path / "gateway.toml"
    config.write_text(
        "[health]\nport = 0\n"
        f'[client]\ntarget = "127.0.0.1:{port}"\ntimeout_s = 2\n'
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
        f"[channels.amqp]\nconfig = \"{DEFAULTS_DIR / 'amqp' / 'demo.toml'}\"\n"
        f'set = {{ url = "{amqp_url}", retry = {{ reply_at_once = true }} }}\n'
        f"[channels.files]\nconfig = \"{DEFAULTS_DIR / 'files' / 'loans.toml'}\"\n"
        f'set = {{ base_dir = "{work}", poll_s = 0.1, retry_s = 0.2 }}\n'
    )
    # The gateway starts first, beside a core that is not there: no channel may say "ready".
    gateway = Process("gateway", "serve", "--config", str(config))
    core: Process | None = None
    try:
        banner = gateway.wait_for("Ctrl-C")
        soap_url = re.search(r"SOAP\s+(http://\S+)", banner).group(1)
        health = re.search(r"HEALTH\s+(http://\S+)/readyz", banner).group(1)
        for channel in CHANNELS:
            ready, report = _ready(health, channel)
            assert not ready, f"{channel} said ready before the core ever answered: {report}"
            assert report["channels"][channel]["missing"].startswith("scoring core unreachable at 127.0.0.1:"), report

        # No traffic at all: readiness comes from the probe alone, each time the core comes back.
        for round_ in range(2):
            core, listening = _core(port)
            for channel in CHANNELS:
                _poll(lambda c=channel: _ready(health, c)[0], READY_WITHIN_S + LOAD_MARGIN_S,
                      f"round {round_}: {channel} not ready within {READY_WITHIN_S} s (+{LOAD_MARGIN_S} s for load) of the core")
            took = time.monotonic() - listening
            assert took < READY_WITHIN_S + LOAD_MARGIN_S, took
            _stop(core, signal.SIGKILL)
            for channel in CHANNELS:
                _poll(lambda c=channel: not _ready(health, c)[0], 10, f"{channel} still ready with the core killed")
            assert _ready(health, "soap")[1]["channels"]["soap"]["missing"].startswith("scoring core unreachable")

        # With traffic during the outage: every channel has failed calls (breakers open, gRPC
        # backing off), then scores within seconds of the core's return.
        assert not _soap_scores(soap_url) and not _amqp_scores(amqp_url)
        inbox = work / "inbox"
        dropped = _drop_file(inbox)
        _poll(lambda: not dropped.exists(), 10, "the file was not picked up")
        time.sleep(1.5)  # a few failed attempts of every channel

        core, listening = _core(port)
        took: dict[str, float] = {}

        def first_score(channel: str, scored) -> None:  # noqa: ANN001
            _poll(scored, 30, f"{channel} never scored again")
            took[channel] = time.monotonic() - listening

        done = work / "outbox" / f"{dropped.name}.RSP.done"
        pollers = [
            threading.Thread(target=first_score, args=("soap", lambda: _soap_scores(soap_url))),
            threading.Thread(target=first_score, args=("amqp", lambda: _amqp_scores(amqp_url))),
            threading.Thread(target=first_score, args=("files", done.exists)),
        ]
        for poller in pollers:
            poller.start()
        for poller in pollers:
            poller.join(40)
        assert set(took) == set(CHANNELS), took
        slow = {c: round(s, 2) for c, s in took.items() if s > SCORED_WITHIN_S + LOAD_MARGIN_S}
        assert not slow, f"first score after the core listened again took {took}"
    finally:
        gateway.popen.send_signal(signal.SIGTERM)
        assert gateway.popen.wait(60) == 0
        _stop(core)
