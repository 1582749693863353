"""The channel contract for AMQP: the shipped demo JSON queue on the real broker, in a fresh vhost per test,
called by a pika producer that reads replies from its own reply queue."""

from __future__ import annotations

import copy
import itertools
import json
import re
import socket
import subprocess
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import pika
import pytest
from contract_support import INVALID, SCORED, SERVER_ERROR, Answer, ChannelContract

from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.amqp import AmqpChannel
from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.settings import ClientSettings

ROOT = Path(__file__).resolve().parents[2]
DEMO_CONFIG = DEFAULTS_DIR / "amqp" / "demo.toml"
SAMPLE = json.loads((DEFAULTS_DIR / "amqp" / "sample-request.json").read_text())
QUEUE = read_config_file(DEMO_CONFIG)["queues"][0]["name"]
# Retries cover an outage of ~15 s (19 attempts, at most 1 s apart) before anything is dead-lettered.
RETRY = {"max_attempts": 20, "initial_delay_s": 0.2, "max_delay_s": 1.0}
_ACTOR = '<<"contract-tests">>'  # the acting user the broker logs


def _rabbitmqctl_each(*commands: tuple[str, ...], check: bool = True) -> None:
    """Run rabbitmqctl commands side by side (each call is mostly the CLI's own ~1 s start-up)."""
    running = [subprocess.Popen(["rabbitmqctl", "-q", *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands]
    for command, process in zip(commands, running):
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0 or not check, f"rabbitmqctl {' '.join(command)}: {err.decode()}"


def _for_each_vhost(names: list[str], body: str) -> bool:
    """One ``rabbitmqctl eval`` running ``body`` (an Erlang expression of V) per vhost: one CLI start-up
    for all. False when this broker's internal API differs; the caller then uses the plain commands."""
    assert all(re.fullmatch(r"[\w.-]+", n) for n in names), names  # spliced into Erlang as is
    vhosts = ", ".join(f'<<"{n}">>' for n in names)
    done = subprocess.run(["rabbitmqctl", "-q", "eval", f"lists:foreach(fun(V) -> {body} end, [{vhosts}])."],
                          capture_output=True, text=True, timeout=60)
    return done.returncode == 0 and done.stdout.strip() == "ok"


class _Vhosts:
    """Fresh vhosts, made a few at a time ahead of the tests that take one each, all deleted at the end."""

    def __init__(self) -> None:
        self._ready: list[str] = []
        self.made: list[str] = []

    def take(self, ahead: int = 5) -> str:
        if not self._ready:
            names = [f"contract.{uuid.uuid4().hex[:10]}" for _ in range(ahead)]
            self.made += names
            if not _for_each_vhost(names, f"ok = rabbit_vhost:add(V, {_ACTOR}), ok = rabbit_auth_backend_internal:"
                                          f'set_permissions(<<"guest">>, V, <<".*">>, <<".*">>, <<".*">>, {_ACTOR})'):
                _rabbitmqctl_each(*(("add_vhost", n) for n in names))
                _rabbitmqctl_each(*(("set_permissions", "-p", n, "guest", ".*", ".*", ".*") for n in names))
            self._ready += names
        return self._ready.pop()

    def delete_all(self) -> None:
        if self.made and not _for_each_vhost(self.made, f"ok = rabbit_vhost:delete(V, {_ACTOR})"):
            _rabbitmqctl_each(*(("delete_vhost", n) for n in self.made), check=False)  # some may be gone


_VHOSTS = _Vhosts()


@pytest.fixture(scope="module", autouse=True)
def _broker() -> Iterator[None]:
    """The real broker, started when it does not answer (never skipped); the test vhosts go at the end."""
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure_rabbitmq.sh")], check=True)
    yield
    _VHOSTS.delete_all()


def _request(reference: str, bad: bool) -> bytes:
    doc = copy.deepcopy(SAMPLE)
    doc["application"]["id"] = reference
    if bad:
        doc["applicant"]["age"] = 12
    return json.dumps(doc).encode()


def _answer(properties: pika.BasicProperties, body: bytes) -> tuple[str, Answer]:
    """A reply as the producer reads it: the reference in the body, the outcome in the status header."""
    try:
        doc = json.loads(body)
        reference = doc["application_id"]
    except (ValueError, KeyError):
        return str(properties.correlation_id), Answer("unreadable reply", body[:200].decode(errors="replace"))
    if properties.correlation_id != reference:
        return reference, Answer("reply to another request", f"correlation id {properties.correlation_id}")
    status = (properties.headers or {}).get("x-scoregate-status")
    error = doc.get("error") or {}
    if status == "ok":
        return reference, Answer(SCORED, doc["result"]["model"])
    if status == "invalid_input":
        return reference, Answer(INVALID, "; ".join(error.get("violations", [])))
    return reference, Answer(SERVER_ERROR if status else "reply without status", error.get("code", ""))


class _ReplyReader(threading.Thread):
    """The producer's reply consumer: its own connection, pumped on its own thread."""

    def __init__(self, url: str, queue: str) -> None:
        super().__init__(name="amqp-replies", daemon=True)
        self.answers: list[tuple[str, Answer]] = []
        self._stop_reading = threading.Event()
        self._connection = pika.BlockingConnection(pika.URLParameters(url))
        channel = self._connection.channel()
        channel.queue_declare(queue, exclusive=True, auto_delete=True)
        channel.basic_consume(queue, lambda ch, method, props, body: self.answers.append(_answer(props, body)),
                              auto_ack=True)

    def run(self) -> None:
        try:
            while not self._stop_reading.is_set():
                self._connection.process_data_events(time_limit=0.05)
        finally:
            self._connection.close()

    def close(self) -> None:
        self._stop_reading.set()
        self.join(5)


class TestAmqpContract(ChannelContract):
    BAD_FIELD = "applicant.age"

    def open_transport(self) -> None:
        self.vhost = _VHOSTS.take()
        self.url = f"amqp://guest:guest@127.0.0.1:5672/{urllib.parse.quote(self.vhost, safe='')}"
        self.config = AmqpChannelConfig.load(DEMO_CONFIG, url=self.url, retry=RETRY, reconnect_initial_s=0.2,
                                             reconnect_max_s=1.0, connection_name=self.vhost)
        self._numbers = itertools.count(1)
        self._reply_queue = f"{self.vhost}.replies"
        self._reader = _ReplyReader(self.url, self._reply_queue)
        self._reader.start()
        self._publisher = pika.BlockingConnection(pika.URLParameters(self.url))
        self._publishing = self._publisher.channel()
        self._publishing.confirm_delivery()

    def close_transport(self) -> None:
        self._reader.close()
        self._publisher.close()

    def make_channel(self, settings: ClientSettings) -> AmqpChannel:
        return AmqpChannel(self.config, self.scoring_client(settings))

    def send(self, count: int, bad: frozenset[int] = frozenset()) -> list[str]:
        refs = [f"CT-{next(self._numbers):06d}" for _ in range(count)]
        for i, ref in enumerate(refs):
            properties = pika.BasicProperties(
                content_type="application/json", delivery_mode=2, reply_to=self._reply_queue,
                correlation_id=ref, message_id=uuid.uuid4().hex,
            )
            self._publishing.basic_publish("", QUEUE, _request(ref, i in bad), properties, mandatory=True)
        return refs

    def answers(self) -> list[tuple[str, Answer]]:
        return list(self._reader.answers)
