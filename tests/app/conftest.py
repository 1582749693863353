"""Fixtures of the gateway tests: a fresh RabbitMQ vhost per test."""

from __future__ import annotations

import uuid

import pytest
from gateway_support import rabbitmqctl


@pytest.fixture
def vhost():
    """A fresh vhost, so that the demo's fixed queue names never meet another run's."""
    name = f"scoregate-test-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    yield name
    rabbitmqctl("delete_vhost", name)
