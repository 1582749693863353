"""Fixtures of the example callers' tests: the demo AMQP channel, unchanged, on a vhost of its own.

The examples in ``examples/`` talk to the demo queues by their real names
(``app/defaults/amqp/demo.toml``); a fresh vhost, made once for these tests, keeps those names
apart from every other test and from a ``scoregate up`` on the same broker.
"""

from __future__ import annotations

import socket
import subprocess
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.consumer import Responder
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.client import ScoringClient

ROOT = Path(__file__).resolve().parents[2]
DEMO_CONFIG = DEFAULTS_DIR / "amqp" / "demo.toml"


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def demo_vhost_url() -> Iterator[str]:
    """The URL of a fresh vhost on the real broker (started when it does not answer, never skipped)."""
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure_rabbitmq.sh")], check=True)
    name = f"examples.{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", name)
    try:
        _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@127.0.0.1:5672/{urllib.parse.quote(name, safe='')}"
    finally:
        _rabbitmqctl("delete_vhost", name)


@pytest.fixture(scope="session")
def demo_gateway(demo_vhost_url: str, shared_core) -> Iterator[Responder]:
    """The demo AMQP channel (its queues, formats and mappings as shipped) on the session's core."""
    config = AmqpChannelConfig.load(DEMO_CONFIG, url=demo_vhost_url, connection_name="scoregate-examples-test")
    client = ScoringClient(shared_core.client_settings())
    responder = Responder(config, client)
    responder.start()
    try:
        assert responder.wait_ready(30), responder.health().detail
        yield responder
    finally:
        responder.stop(2.0)
        client.close()
