"""The broker for the outcome queue tests: the one on 127.0.0.1:5672, started by
scripts/ensure_rabbitmq.sh when nothing answers there (as the AMQP channel's tests do)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def broker() -> None:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure_rabbitmq.sh")], check=True)
