"""A keyed hash chain over the audit rows: a changed, deleted or reordered row breaks it.

Each writer (one gateway process) chains its own rows, so replicas writing to one store need no
coordination: row *n* of a writer carries ``mac_n = HMAC-SHA256(key, mac_{n-1} | writer | n | row)``,
where ``row`` is the canonical JSON of the values stored (after masking) and ``mac_0`` is derived
from the key and the writer's name. :func:`verify` walks every writer's rows in the order they
were stored and reports the first link that does not hold: a row whose contents changed (its MAC
no longer matches), a missing row (a gap in the sequence) or rows in another order (a sequence
number going back). The key stays outside the store (``SCOREGATE_AUDIT_KEY`` or ``_FILE``):
without it a row cannot be rewritten with a MAC that holds.

What a chain cannot show by itself: rows cut off at the end of a writer's chain. The writer logs
its chain head (sequence number and the start of the MAC) every ``HEAD_EVERY`` rows and when it
closes; logs shipped elsewhere are the anchor to compare the last row against.
"""

from __future__ import annotations

import hmac
import json
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

HEAD_EVERY = 10_000
#: The environment variable holding the audit key (or ``<it>_FILE``, a file holding it).
AUDIT_KEY_ENV = "SCOREGATE_AUDIT_KEY"
_GENESIS = b"scoregate audit chain v1"


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=True)


def canonical(values: Sequence[object]) -> bytes:
    """The bytes a row's MAC covers: its stored values as compact JSON (floats round-trip exactly)."""
    return _ENCODER.encode(list(values)).encode()


def key_fingerprint(key: bytes) -> str:
    """What the store keeps to tell a reader with the wrong key (not the key, not a MAC of data)."""
    return hmac.digest(key, b"scoregate audit chain key check", "sha256").hex()[:16]


def _start(key: bytes, writer: str) -> bytes:
    return hmac.digest(key, _GENESIS + writer.encode(), "sha256")


def _link(key: bytes, previous: bytes, writer: str, seq: int, values: Sequence[object]) -> bytes:
    # hmac.digest: OpenSSL's one-shot path, a third of hmac.new's cost per row.
    return hmac.digest(key, b"|".join((previous, writer.encode(), str(seq).encode(), canonical(values))), "sha256")


def writer_name(name: str | None = None) -> str:
    """A chain's writer: the configured name (default host:pid) and when this process started it.
    One chain per process: a restarted gateway starts a new chain instead of continuing one whose
    last link it would have to take from the store on trust."""
    base = name or f"{socket.gethostname()}:{os.getpid()}"
    return f"{base}@{datetime.now(UTC).strftime('%Y%m%dT%H%M%S.%fZ')}"


class ChainWriter:
    """Gives each new row of one writer its sequence number and MAC."""

    def __init__(self, key: bytes, writer: str, seq: int = 0, last_mac: str | None = None) -> None:
        self.key, self.writer, self.seq = key, writer, seq
        self._previous = bytes.fromhex(last_mac) if last_mac else _start(key, writer)

    def link(self, values: Sequence[object]) -> tuple[int, str]:
        self.seq += 1
        self._previous = _link(self.key, self._previous, self.writer, self.seq, values)
        return self.seq, self._previous.hex()

    def state(self) -> tuple[int, bytes]:
        return self.seq, self._previous

    def restore(self, state: tuple[int, bytes]) -> None:
        self.seq, self._previous = state

    @property
    def head(self) -> str:
        return f"{self.writer} #{self.seq} {self._previous.hex()[:16]}"


@dataclass(frozen=True)
class Break:
    """The first link of a chain that does not hold."""

    row_id: int
    writer: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"row {self.row_id} (writer {self.writer!r}, #{self.seq}): {self.problem}"


@dataclass(frozen=True)
class StoredRow:
    row_id: int
    writer: str
    seq: int
    mac: str
    values: tuple


def verify(rows: Iterable[StoredRow], key: bytes, anchors: dict[str, tuple[int, str]] | None = None,
           ) -> tuple[Break | None, dict[str, int]]:
    """(the first broken link, or None; rows checked per writer). ``rows`` in storage order.

    ``anchors``: writer -> (sequence number, MAC) of the last row of that writer removed by
    retention (a dropped partition); its chain continues from there instead of from #1."""
    state: dict[str, tuple[int, bytes]] = {w: (seq, bytes.fromhex(mac)) for w, (seq, mac) in (anchors or {}).items()}
    counts: dict[str, int] = {}
    for row in rows:
        if not row.writer:
            return Break(row.row_id, "", row.seq, "not chained (written without an audit key)"), counts
        last_seq, previous = state.get(row.writer, (0, _start(key, row.writer)))
        if row.seq <= last_seq:
            return Break(row.row_id, row.writer, row.seq, f"out of order: #{row.seq} stored after #{last_seq}"), counts
        if row.seq != last_seq + 1:
            problem = f"missing link: #{last_seq + 1} expected here, found #{row.seq} (a row deleted or moved)"
            return Break(row.row_id, row.writer, row.seq, problem), counts
        expected = _link(key, previous, row.writer, row.seq, row.values)
        if not hmac.compare_digest(expected.hex(), row.mac):
            return Break(row.row_id, row.writer, row.seq, "changed: its MAC does not match its contents"), counts
        state[row.writer] = (row.seq, expected)
        counts[row.writer] = counts.get(row.writer, 0) + 1
    return None, counts
