"""AMQP-layer fixtures: the real broker, uniquely named topology per test, a gateway on a real core.

Every test gets its own names (``test.<hex>.*``) and its topology is deleted afterwards; the broker
is started when it does not answer (never skipped).
"""

from __future__ import annotations

import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from amqp_support import URL, Producer, delete_topology, json_queue, rabbitmqctl, vhost_url, xml_queue

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.consumer import Responder
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings

ROOT = Path(__file__).resolve().parents[3]
# Quick to notice a core that is back (the breaker), short enough to keep tests fast.
CLIENT = {"breaker_reset_s": 0.3, "timeout_s": 3.0}


def _answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="session", autouse=True)
def broker() -> str:
    if not _answers():
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure_rabbitmq.sh")], check=True)
    return URL


def _merge(base: dict, overrides: dict) -> dict:
    out = dict(base)
    for key, value in overrides.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@pytest.fixture
def ids() -> str:
    return f"test.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_config(ids: str) -> Iterator:
    made: list[AmqpChannelConfig] = []

    def make(**overrides: Any) -> AmqpChannelConfig:
        base = {
            "url": URL,
            "connection_name": ids,
            "queues": [json_queue(f"{ids}.json"), xml_queue(f"{ids}.xml")],
            "prefetch": 100,
            "heartbeat_s": 10,
            "reconnect_initial_s": 0.2,
            "reconnect_max_s": 1.0,
            "retry": {"max_attempts": 8, "initial_delay_s": 0.2, "max_delay_s": 1.0},
            "dead_letter": {"exchange": f"{ids}.dlx", "queue": f"{ids}.dead"},
            "describe_refresh_s": 0.2,
        }
        config = AmqpChannelConfig.model_validate(_merge(base, overrides))
        made.append(config)
        return config

    yield make
    for config in made:
        if config.url == URL:  # a test vhost is deleted whole
            delete_topology(config)


@pytest.fixture
def vhost(ids: str) -> Iterator[str]:
    """A fresh vhost for a test that breaks the broker side (its URL); deleted with all it holds."""
    rabbitmqctl("add_vhost", ids)
    try:
        rabbitmqctl("set_permissions", "-p", ids, "guest", ".*", ".*", ".*")
        yield vhost_url(ids)
    finally:
        rabbitmqctl("delete_vhost", ids)


@pytest.fixture
def gateway(make_config, shared_core) -> Iterator:
    """Start a Responder on a config (default: ``make_config()``) against a core (default: the
    shared one); ``settings`` replaces the client settings altogether (e.g. a core that is down)."""
    started: list[tuple[Responder, ScoringClient]] = []

    def start(config: AmqpChannelConfig | None = None, core: Any = None, settings: ClientSettings | None = None,
              **client: Any) -> Responder:
        settings = settings or (core or shared_core).client_settings(**{**CLIENT, **client})
        scoring = ScoringClient(settings)
        responder = Responder(config or make_config(), scoring)
        started.append((responder, scoring))
        responder.start()
        assert responder.wait_ready(15), responder.health().detail
        return responder

    yield start
    for responder, scoring in started:
        responder.stop(2.0)
        scoring.close()


@pytest.fixture
def producer(ids: str) -> Iterator:
    """``producer()`` replies on a named exclusive queue, ``producer(direct=True)`` via direct reply-to."""
    made: list[Producer] = []

    def make(direct: bool = False) -> Producer:
        p = Producer(None if direct else f"{ids}.replies.{len(made)}")
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()
