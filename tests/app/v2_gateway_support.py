"""Two gateways' answers to the same demo requests: one over scoregate.v1, one over KServe V2.

A real ``gateway serve`` process per protocol with the three demo channels, each with its own
vhost and drop folder; the same SOAP envelope, AMQP message and fixed-width file go to both.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from gateway_support import SCOREGATE, Process, rabbitmqctl

from scoregate.adapters.amqp.request import send_request
from scoregate.app.paths import DEFAULTS_DIR, DEMO_MODELS_DIR

ENVELOPE = (DEFAULTS_DIR / "soap" / "sample-request.xml").read_bytes()
AMQP_REQUESTS = {
    "scoregate.demo.json": (DEFAULTS_DIR / "amqp" / "sample-request.json").read_bytes(),
}


class Gateway:
    """A `gateway serve` process with the demo channels, in a vhost and work folder of its own."""

    def __init__(self, folder: Path, target: str, v2: bool) -> None:
        self.vhost = f"scoregate-test-{uuid.uuid4().hex[:8]}"
        rabbitmqctl("add_vhost", self.vhost)
        rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
        self.amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}"
        self.work = folder / "work"
        client = f'target = "{target}"\n' + (f'protocol = "v2"\nmodels_dir = "{DEMO_MODELS_DIR}"\n' if v2 else "")
        config = folder / "gateway.toml"
        folder.mkdir(parents=True, exist_ok=True)
        config.write_text(
            "[health]\nport = 0\n"
            f"[client]\n{client}"
            f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
            f"[channels.amqp]\nconfig = \"{DEFAULTS_DIR / 'amqp' / 'demo.toml'}\"\nset = {{ url = \"{self.amqp_url}\" }}\n"
            f"[channels.files]\nconfig = \"{DEFAULTS_DIR / 'files' / 'loans.toml'}\"\n"
            f'set = {{ base_dir = "{self.work}", poll_s = 0.1 }}\n'
        )
        self.process = Process("gateway", "serve", "--config", str(config), stderr=None)
        banner = self.process.wait_for("Ctrl-C")
        self.soap_url = re.search(r"SOAP\s+(http://\S+)", banner).group(1)

    def soap(self) -> bytes:
        request = urllib.request.Request(self.soap_url, ENVELOPE, {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def amqp(self, queue: str, body: bytes) -> bytes:
        return send_request(queue, body, url=self.amqp_url, timeout_s=30).body

    def file(self, dropped: Path) -> bytes:
        inbox = self.work / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        shutil.copy(dropped, inbox / dropped.name)
        (inbox / f"{dropped.name}.done").touch()  # the job's done marker: the file is complete
        done = self.work / "outbox" / f"{dropped.name}.RSP.done"
        deadline = time.monotonic() + 60
        while not done.exists():
            assert time.monotonic() < deadline, f"no response file in {self.work / 'outbox'}"
            time.sleep(0.1)
        return (self.work / "outbox" / f"{dropped.name}.RSP").read_bytes()

    def stop(self) -> None:
        self.process.popen.send_signal(signal.SIGTERM)
        try:
            assert self.process.popen.wait(60) == 0
        finally:
            rabbitmqctl("delete_vhost", self.vhost)


def demo_file(folder: Path, records: int = 200) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([SCOREGATE, "files", "demo", "--records", str(records), "--out", str(folder)],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    return Path(made.stdout.split()[1])


RECORD = 100  # LOANRSP.cpy: RECFM=FB LRECL=100
REASONS = slice(24, 36)  # RD-REASON-CODE OCCURS 4 TIMES, after type, number, score, PD and decision


def without_reasons(soap: bytes, amqp: bytes, file: bytes) -> tuple[bytes, bytes, bytes]:
    """The answers with their reason codes blanked (for a V2 server that returns no contributions)."""
    soap = re.sub(rb"<(\w+:)?ReasonCodes(\s*/>|>.*?</(\w+:)?ReasonCodes>)", b"<ReasonCodes/>", soap, flags=re.S)
    amqp = re.sub(rb'"reasons":\s*\[[^]]*\]', b'"reasons":[]', amqp)
    records = [bytearray(file[i:i + RECORD]) for i in range(0, len(file), RECORD)]
    for record in records[1:-1]:  # the detail records between header and trailer
        record[REASONS] = b"\x40" * (REASONS.stop - REASONS.start)  # EBCDIC spaces
    return soap, amqp, b"".join(records)


@pytest.fixture
def answers_of():  # noqa: ANN201
    """Start a gateway, collect its answers to the demo requests, stop it."""
    started: list[Gateway] = []

    def answers(folder: Path, target: str, v2: bool, dropped: Path) -> tuple[bytes, bytes, bytes]:
        gateway = Gateway(folder, target, v2)
        started.append(gateway)
        ((queue, body),) = AMQP_REQUESTS.items()
        return gateway.soap(), gateway.amqp(queue, body), gateway.file(dropped)

    yield answers
    for gateway in started:
        gateway.stop()


