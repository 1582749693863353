"""The audit trail: every decision, append-only, in one SQLite file.

**What is kept**: time, channel, the caller's reference, request id, model and version, probability,
decision, reason codes (feature, code, contribution), whether a fallback answered, latency. Feature
values are never stored: a decision is explained by its model version and reason codes, and the
audit file does not become a second copy of the applicants' data.

**Append-only**: the code has no UPDATE or DELETE, and triggers make SQLite refuse both. WAL mode
lets ``scoregate audit show`` read while the gateway writes.

**Never in the way of an answer**: :meth:`AuditLog.record` only appends to an in-memory queue; a
writer thread inserts what is queued in one transaction per round. When the queue is full, records
are dropped, counted (``AuditLog.dropped``) and warned about, never waited for.

**Tamper-evident** with an audit key (``chain_key``): each row carries its writer's name, a
sequence number and a MAC chained to the writer's previous row (``chain.py``); ``scoregate audit
verify`` walks the chains (:func:`chain_rows`). The triggers stop mistakes; the chain shows what
someone with write access to the file changed, deleted or reordered.

**Personal data**: fields named in ``masked_fields`` (e.g. ``{"reference"}``) are stored as a keyed
hash (HMAC-SHA256 with ``mask_key``, which the operator keeps outside the file). A masked reference
is still found by ``find(reference)``, which hashes the query with the same key, but the file alone
does not reveal it, and short references cannot be recovered by hashing every candidate without
the key. The file records which fields are masked and a fingerprint of the key, so a reader with
a wrong or missing key is told so instead of finding nothing.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from scoregate.adapters.decisions.chain import HEAD_EVERY, ChainWriter, key_fingerprint, writer_name
from scoregate.adapters.decisions.masking import MASKABLE_FIELDS, AuditError, Masker
from scoregate.adapters.decisions.records import COLUMNS, DecisionRecord, RowSource

log = logging.getLogger(__name__)

DEFAULT_QUEUE_ROWS = 100_000
_WARN_EVERY_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL, channel TEXT NOT NULL, reference TEXT NOT NULL, request_id TEXT NOT NULL,
    model TEXT NOT NULL, version TEXT NOT NULL, probability REAL NOT NULL, decision TEXT NOT NULL,
    reasons TEXT NOT NULL, fallback INTEGER NOT NULL, latency_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_reference ON decisions (reference);
CREATE INDEX IF NOT EXISTS decisions_request_id ON decisions (request_id);
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Added after the first release: files written before get them (empty) when opened for writing.
_ADDED_COLUMNS = {"caller": "TEXT NOT NULL DEFAULT ''", "writer": "TEXT NOT NULL DEFAULT ''",
                  "seq": "INTEGER NOT NULL DEFAULT 0", "mac": "TEXT NOT NULL DEFAULT ''"}
_COLUMNS = ", ".join(COLUMNS)
_INSERT = f"INSERT INTO decisions ({_COLUMNS}, writer, seq, mac) VALUES ({', '.join('?' * (len(COLUMNS) + 3))})"


# A shadow row has the same request id and reference as its primary, on "<channel><suffix>".
_PAIRS = """
SELECT p.version, p.probability, p.decision, s.version, s.probability, s.decision
FROM decisions AS p JOIN decisions AS s
  ON s.request_id = p.request_id AND s.reference = p.reference AND s.channel = p.channel || ?
WHERE p.model = ? AND s.model = ?
"""


def _record(row: sqlite3.Row) -> DecisionRecord:
    return DecisionRecord(
        time=datetime.fromisoformat(row["time"]), channel=row["channel"], reference=row["reference"],
        request_id=row["request_id"], model=row["model"], version=row["version"], probability=row["probability"],
        decision=row["decision"], reasons=tuple((f, c, float(v)) for f, c, v in json.loads(row["reasons"])),
        fallback=bool(row["fallback"]), latency_ms=row["latency_ms"], caller=row["caller"],
    )


def select_columns(conn: sqlite3.Connection) -> str:
    """The COLUMNS to select; a file written before a column was added reads it as ''."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(decisions)")}
    return ", ".join(c if c in present else f"'' AS {c}" for c in COLUMNS)


def _connect(path: Path, masker: Masker, create: bool) -> sqlite3.Connection:
    if not create and not path.is_file():
        raise AuditError(f"no audit file at {path}")
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process crash
    if create:
        conn.executescript(_SCHEMA)
        present = {row["name"] for row in conn.execute("PRAGMA table_info(decisions)")}
        for column, kind in _ADDED_COLUMNS.items():
            if column not in present:
                conn.execute(f"ALTER TABLE decisions ADD COLUMN {column} {kind}")
        wanted = {"masked_fields": json.dumps(sorted(masker.fields)), "key_fingerprint": masker.fingerprint()}
        conn.executemany("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", wanted.items())
    stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    if set(json.loads(stored.get("masked_fields", "[]"))) != masker.fields:
        conn.close()
        raise AuditError(f"{path} masks {stored.get('masked_fields')}; asked to mask {sorted(masker.fields)}")
    if stored.get("key_fingerprint", "") != masker.fingerprint():
        conn.close()
        raise AuditError(f"{path}: the mask key does not match the one the file was written with")
    return conn


class AuditReader:
    """Read access to an audit file, for ``scoregate audit show`` (no writer thread, no creation)."""

    def __init__(self, path: Path, *, masked_fields: frozenset[str] | None = None, mask_key: bytes | None = None) -> None:
        self.path = Path(path)
        if masked_fields is None:  # take the file's own setting; the key must still come from outside
            probe = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) if self.path.is_file() else None
            try:
                rows = dict(probe.execute("SELECT key, value FROM settings").fetchall()) if probe else {}
            finally:
                if probe:
                    probe.close()
            masked_fields = frozenset(json.loads(rows.get("masked_fields", "[]")))
        self._masker = Masker(frozenset(masked_fields), mask_key)
        self._conn = _connect(self.path, self._masker, create=False)

    def find(self, reference: str) -> list[DecisionRecord]:
        """Every decision recorded for a caller reference, oldest first."""
        if "reference" in self._masker.fields:
            reference = self._masker.value(reference)
        rows = self._conn.execute(f"SELECT {select_columns(self._conn)} FROM decisions WHERE reference = ? ORDER BY id", (reference,))
        return [_record(r) for r in rows]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM decisions").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


class AuditLog:
    """The SQLite :class:`~scoregate.adapters.decisions.store.AuditStore`: appends decision
    records to a file from a background writer thread.

    ``record`` never waits for the disk; ``flush`` waits until everything queued is written;
    ``close`` flushes and stops the writer. Records given after ``close`` are dropped and counted.
    """

    def __init__(
        self,
        path: Path,
        *,
        masked_fields: frozenset[str] | set[str] = frozenset(),
        mask_key: bytes | None = None,
        queue_rows: int = DEFAULT_QUEUE_ROWS,
        chain_key: bytes | None = None,
        writer: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.queue_rows = queue_rows
        self.dropped = 0
        """Records not written because the queue was full or the log closed."""
        self.written = 0
        self._masker = Masker(frozenset(masked_fields), mask_key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = _connect(self.path, self._masker, create=True)
        self._reader = AuditReader(self.path, masked_fields=self._masker.fields, mask_key=mask_key)
        self._chain = _open_chain(self._conn, self.path, chain_key, writer) if chain_key else None
        self._pending: list[DecisionRecord | RowSource] = []
        self._pending_rows = 0
        self._in_flight = 0
        self._closed = False
        self._last_warning = 0.0
        self._cond = threading.Condition()
        self._writer = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._writer.start()

    def record(self, records: Sequence[DecisionRecord] | RowSource) -> None:
        """Queue decisions for writing; drops (and counts) them when the queue is full.

        A :class:`RowSource` (a scored batch) is expanded into rows by the writer thread, so a
        channel scoring a million-record file does not build a million records itself.
        """
        items = [records] if isinstance(records, RowSource) else list(records)
        with self._cond:
            if self._closed or self._pending_rows + len(records) > self.queue_rows:
                self.dropped += len(records)
                warn = time.monotonic() - self._last_warning > _WARN_EVERY_S
                if warn:
                    self._last_warning = time.monotonic()
            else:
                self._pending.extend(items)
                self._pending_rows += len(records)
                self._cond.notify()
                return
        if warn:
            log.warning("audit %s: %d records dropped so far (%s)", self.path, self.dropped,
                        "log closed" if self._closed else "writer behind, queue full")

    def find(self, reference: str) -> list[DecisionRecord]:
        """Every written decision for a caller reference, oldest first (``flush`` first to see queued ones)."""
        return self._reader.find(reference)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record queued so far is written; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._in_flight, timeout)

    def close(self, timeout: float | None = None) -> None:
        """Write what is queued, then stop the writer and close the file."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._writer.join(timeout)
        if self._chain is not None:
            log.info("audit %s chain head %s", self.path, self._chain.head)  # the anchor against a cut-off tail
        self._reader.close()
        if not self._writer.is_alive():
            self._conn.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closed)
                batch, self._pending = self._pending, []
                self._in_flight, self._pending_rows = self._pending_rows, 0
                if not batch and self._closed:
                    return
            try:
                rows = []
                for item in batch:
                    if isinstance(item, RowSource):
                        rows.extend(self._masker.apply(row) for row in item.rows())
                    else:
                        rows.append(self._masker.apply(item.row()))
                chain_state = self._chain.state() if self._chain is not None else None
                rows = [(*row, *self._link(row)) for row in rows]
                with self._conn:  # one transaction per round: a commit per row would be the bottleneck
                    self._conn.execute("BEGIN")
                    self._conn.executemany(_INSERT, rows)
                self.written += len(rows)
                if self._chain is not None and self._chain.seq // HEAD_EVERY != (self._chain.seq - len(rows)) // HEAD_EVERY:
                    log.info("audit %s chain head %s", self.path, self._chain.head)
            except Exception:  # noqa: BLE001 - a bad round must not stop the trail; it is counted
                if chain_state is not None:
                    self._chain.restore(chain_state)  # the rows not written are not links either
                log.exception("audit %s: %d records could not be written", self.path, self._in_flight)
                with self._cond:
                    self.dropped += self._in_flight
            finally:
                with self._cond:
                    self._in_flight = 0
                    self._cond.notify_all()


    def _link(self, row: tuple) -> tuple[str, int, str]:
        if self._chain is None:
            return ("", 0, "")
        seq, mac = self._chain.link(row)
        return (self._chain.writer, seq, mac)


def _open_chain(conn: sqlite3.Connection, path: Path, key: bytes, writer: str | None) -> ChainWriter:
    """A new chain for this writer; the file keeps the key's fingerprint and refuses another key."""
    fingerprint = key_fingerprint(key)
    conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('chain_key_fingerprint', ?)", (fingerprint,))
    stored = conn.execute("SELECT value FROM settings WHERE key = 'chain_key_fingerprint'").fetchone()[0]
    if stored != fingerprint:
        raise AuditError(f"{path}: the audit key does not match the one its chain was written with")
    return ChainWriter(key, writer_name(writer))


def shadow_pairs(path: Path, model: str, suffix: str) -> list[tuple]:
    """(primary version, probability, decision, shadow version, probability, decision) of every
    request of ``model`` with a shadow score (channel ``<channel><suffix>``); read-only, no key needed."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(_PAIRS, (suffix, model, model)).fetchall()
    finally:
        conn.close()


_Masker = Masker  # the name tests and older callers import
__all__ = ["MASKABLE_FIELDS", "AuditError", "AuditLog", "AuditReader", "shadow_pairs", "select_columns"]
