"""Where decisions are kept: the :class:`AuditStore` interface and the stores, registered by name.

A store is one module and one line in :data:`STORES` (``"module:Class"``, as the codecs' and the
channels' registries). The embedded default is SQLite (``sqlite.py``), which keeps ``scoregate
up`` serverless; the store shared by several gateway replicas is PostgreSQL's (``adapters/state/``).
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Sequence
from typing import Any, Protocol

from scoregate.adapters.decisions.records import DecisionRecord, RowSource

#: store name -> "module:Class" of its AuditStore
STORES: dict[str, str] = {
    "sqlite": "scoregate.adapters.decisions.sqlite:AuditLog",
    "postgres": "scoregate.adapters.state.postgres_audit:PostgresAuditLog",
}


class AuditStore(Protocol):
    """Keeps every decision, append-only. Called from the channels' threads and event loops, so
    :meth:`record` must never wait for the storage (queue, and drop and count when full)."""

    dropped: int
    """Decisions not kept: the queue was full, the store closed, or a write failed."""

    def record(self, records: Sequence[DecisionRecord] | RowSource) -> None:
        """Queue decisions for writing; returns at once."""

    def find(self, reference: str) -> list[DecisionRecord]:
        """Every written decision for a caller reference, oldest first."""

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far is written; False on timeout."""

    def close(self, timeout: float | None = None) -> None:
        """Write what is queued (within ``timeout``), then release the storage."""


def open_store(name: str, **options: Any) -> AuditStore:
    """The store registered under ``name``, opened with its own ``options`` (a path, a URL...)."""
    try:
        target = STORES[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(STORES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown audit store {name!r}{hint} (known: {', '.join(sorted(STORES))})") from None
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)(**options)
