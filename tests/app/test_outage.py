"""The core killed under a running gateway (`core serve` and `gateway serve` as real processes).

Every channel answers in its own way while the core is down: SOAP with a Server fault, AMQP and
files by keeping the work for later. When the core comes back on its address, each recovers by
itself: the waiting AMQP producer gets its reply, the file is scored, SOAP scores again.
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
from prometheus_client.parser import text_string_to_metric_families

from scoregate.adapters.amqp.request import send_request
from scoregate.app.paths import DEFAULTS_DIR

ENVELOPE = (DEFAULTS_DIR / "soap" / "sample-request.xml").read_bytes()


def _soap(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, ENVELOPE, {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _core(port: int) -> Process:
    core = Process("core", "serve", "--address", f"127.0.0.1:{port}")
    core.wait_for("scoregate core listening")
    return core


def _wait(predicate, timeout: float, what: str):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return value


def test_core_killed_every_channel_answers_in_its_own_way_and_recovers(free_port: int, tmp_path: Path, vhost: str) -> None:
    port = free_port
    core = _core(port)
    work = tmp_path / "work"
    config = tmp_path / "gateway.toml"
    config.write_text(
        "[health]\nport = 0\n"
        f'[client]\ntarget = "127.0.0.1:{port}"\ntimeout_s = 2\nretry_attempts = 2\nbreaker_failures = 3\nbreaker_reset_s = 0.5\n'
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
        f"[channels.amqp]\nconfig = \"{DEFAULTS_DIR / 'amqp' / 'demo.toml'}\"\n"
        f"set = {{ url = \"amqp://guest:guest@127.0.0.1:5672/{vhost}\", "
        "retry = { max_attempts = 12, initial_delay_s = 0.5, max_delay_s = 2.0 } }\n"
        f"[channels.files]\nconfig = \"{DEFAULTS_DIR / 'files' / 'loans.toml'}\"\n"
        f'set = {{ base_dir = "{work}", poll_s = 0.2, retry_s = 1.0 }}\n'
    )
    gateway = Process("gateway", "serve", "--config", str(config))
    restarted: Process | None = None
    try:
        banner = gateway.wait_for("Ctrl-C")
        soap_url = re.search(r"SOAP\s+(http://\S+)", banner).group(1)
        health = re.search(r"HEALTH\s+(http://\S+)/readyz", banner).group(1)
        status, body = _soap(soap_url)
        assert status == 200 and "credit-risk:1" in body

        core.popen.kill()
        core.popen.wait(10)

        status, body = _soap(soap_url)
        assert status == 500 and re.search(r"<faultcode>[^<]*Server</faultcode>", body), body
        assert "Traceback" not in body

        def readyz() -> dict:
            try:
                return json.loads(urllib.request.urlopen(f"{health}/readyz", timeout=5).read())
            except urllib.error.HTTPError as error:
                return json.loads(error.read())

        def not_ready() -> dict | None:
            report = readyz()
            return None if report["ready"] else report

        report = _wait(not_ready, 30, "readiness never noticed the core was down")
        assert report["channels"]["soap"] == {"ready": False, "missing": "scoring core unreachable"}

        replies: list[object] = []
        producer = threading.Thread(target=lambda: replies.append(send_request(
            "scoregate.demo.json", (DEFAULTS_DIR / "amqp" / "sample-request.json").read_bytes(),
            url=f"amqp://guest:guest@127.0.0.1:5672/{vhost}", timeout_s=90,
        )))
        producer.start()
        inbox = work / "inbox"
        dropped = subprocess.run([SCOREGATE, "files", "demo", "--records", "20", "--out", str(inbox)],
                                 capture_output=True, text=True, timeout=60)
        assert dropped.returncode == 0, dropped.stderr
        name = Path(dropped.stdout.split()[1]).name
        done = work / "outbox" / f"{name}.RSP.done"

        time.sleep(3)  # the core stays down: nothing may be answered with an error or rejected
        assert replies == [] and not done.exists()
        assert not list((work / "error").glob("*")), "a file was set aside because the core was down"

        restarted = _core(port)
        producer.join(90)
        (reply,) = replies
        assert b'"model":"credit-risk:1"' in reply.body.replace(b" ", b"")
        _wait(done.exists, 60, "the file was not scored after the core came back")
        assert (work / "outbox" / f"{name}.RSP").stat().st_size == 22 * 100  # header, 20 records, trailer
        _wait(lambda: _soap(soap_url)[0] == 200, 30, "SOAP did not recover by itself")
        _wait(lambda: readyz()["ready"], 30, "readiness did not recover")

        # The outage as the dashboard sees it: SOAP errors of kind core_unavailable, AMQP retries,
        # a file put back; and every channel scored again afterwards.
        text = urllib.request.urlopen(f"{health}/metrics", timeout=10).read().decode()
        samples = [s for f in text_string_to_metric_families(text) for s in f.samples]

        def value(name: str, **labels: str) -> float:
            return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())

        assert value("scoregate_channel_errors_total", channel="soap", kind="core_unavailable") >= 1
        assert value("scoregate_channel_requests_total", channel="amqp", outcome="retry") >= 1
        assert value("scoregate_channel_events_total", channel="files", event="file_retry") >= 1
        for channel, at_least in (("soap", 2), ("amqp", 1), ("files", 20)):
            assert value("scoregate_channel_requests_total", channel=channel, outcome="scored") >= at_least
    finally:
        gateway.popen.send_signal(signal.SIGTERM)
        assert gateway.popen.wait(60) == 0
        for process in (core, restarted):
            if process is not None and process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
                process.popen.wait(30)
