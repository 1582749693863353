"""Where a running ``scoregate up`` listens, written in its working folder for the other commands.

``up`` starts its core on a free port, so ``scoregate files process``, ``scoregate amqp request``
and ``scoregate drift`` run from the same folder would not know where to go. ``up`` writes
``<workdir>/scoregate-up.json`` when it is up and removes it when it stops; those commands read it
(from ``./scoregate-demo``, ``up``'s default working folder, or ``--workdir``) when no address is
given. A file left by a process that no longer runs is ignored.

The broker URL is recorded without its password unless it is RabbitMQ's local default
(``guest``): a working folder is no place for a secret.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

STATE_FILE = "scoregate-up.json"
DEFAULT_WORKDIR = Path("scoregate-demo")
"""``scoregate up --workdir``'s default, relative to the current directory."""


@dataclass(frozen=True)
class UpState:
    pid: int
    core: str
    """gRPC target of the core ``up`` started (``127.0.0.1:PORT``)."""
    core_metrics: str | None = None
    """The core's Prometheus ``/metrics`` URL."""
    health: str | None = None
    """The gateway's ``/readyz`` URL."""
    amqp_url: str | None = None


def without_secret(url: str) -> str:
    """An AMQP URL fit to write down: the password kept only when it is ``guest``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None or parts.password == "guest":
        return url
    netloc = f"{parts.username}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def write(workdir: Path, state: UpState) -> Path:
    path = workdir / STATE_FILE
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(asdict(state), indent=2) + "\n")
    os.replace(temporary, path)
    return path


def remove(workdir: Path) -> None:
    (workdir / STATE_FILE).unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's: it runs
        return True
    return True


def read(workdir: Path | None = None) -> UpState | None:
    """The state of the ``up`` running from ``workdir`` (default ``./scoregate-demo``), or None."""
    path = (workdir or DEFAULT_WORKDIR) / STATE_FILE
    try:
        state = UpState(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return state if _running(state.pid) else None
