"""The audit trail in PostgreSQL: one table for every replica, written by a background thread.

The same promises as the SQLite file (``adapters/decisions/sqlite.py``), for several gateways:

- **Never in the way of an answer**: :meth:`PostgresAuditLog.record` appends to a queue and
  returns. The writer thread turns what is queued into rows (masked, chained) and sends them with
  ``COPY`` in one transaction per round: tens of thousands of rows a second on one connection.
- **Store down**: the rows already built stay in the writer (their chain links made) and are sent
  again once the server answers; new decisions queue beside them up to ``queue_rows``, then are
  dropped and counted (:attr:`dropped`, never waited for). :attr:`problem` says what is wrong, for
  readiness. A write whose commit was not confirmed is not sent twice: the writer asks the
  server for its own last sequence number before sending again.
- **Partitioned by day** (``time``, UTC): the writer creates a day's partition before its first
  row; ``scoregate audit prune`` drops whole days (``postgres_audit_read.prune``).
- **Tamper-evident**: each writer (one gateway process) chains its own rows (``chain.py``), so
  replicas need no coordination; every row carries its writer and sequence number even unchained.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import psycopg
from psycopg import sql

from scoregate.adapters.decisions.chain import HEAD_EVERY, ChainWriter, key_fingerprint, writer_name
from scoregate.adapters.decisions.masking import AuditError, Masker
from scoregate.adapters.decisions.records import COLUMNS, DecisionRecord, RowSource
from scoregate.adapters.state.postgres_pool import StateUnavailable, connect, one_line, redacted

log = logging.getLogger(__name__)

DEFAULT_QUEUE_ROWS = 100_000
_WARN_EVERY_S = 10.0
_GATHER_S = 0.05
_GATHER_ROWS = 5_000
_RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)
_COPY = "COPY {} (" + ", ".join(COLUMNS) + ", writer, seq, mac) FROM STDIN"
_PARTITION_LOCK = 0x5C0E6A7F


_COPY_CHUNK = 5_000
# COPY's text format: a row is a line of tab-separated fields; these four are escaped in a text.
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_line(row: tuple) -> str:
    """A row of ``_COPY`` as one line of COPY text: built here, about twice as fast as psycopg's
    per-value adaptation (``write_row``), which was the writer's bottleneck. Floats as ``repr``
    (the shortest text that reads back as the same double, so the chain's MAC still holds)."""
    return "\t".join(v.translate(_ESCAPE) if type(v) is str else repr(v) for v in row) + "\n"


def partition_name(day: date) -> str:
    return f"decisions_{day:%Y%m%d}"


def check_settings(conn: psycopg.Connection, masker: Masker, chain_key: bytes | None, where: str) -> None:
    """Record (first writer) or compare (every later one) the masking and key fingerprints."""
    wanted = {"masked_fields": ",".join(sorted(masker.fields)), "key_fingerprint": masker.fingerprint()}
    if chain_key:
        wanted["chain_key_fingerprint"] = key_fingerprint(chain_key)
    with conn.transaction():
        for key, value in wanted.items():
            conn.execute("INSERT INTO audit_settings (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING", (key, value))
        stored = dict(conn.execute("SELECT key, value FROM audit_settings").fetchall())
    if stored.get("masked_fields", "") != wanted["masked_fields"]:
        raise AuditError(f"{where} masks [{stored.get('masked_fields')}]; asked to mask [{wanted['masked_fields']}]")
    if stored.get("key_fingerprint", "") != wanted["key_fingerprint"]:
        raise AuditError(f"{where}: the mask key does not match the one the trail was written with")
    if chain_key and stored["chain_key_fingerprint"] != wanted["chain_key_fingerprint"]:
        raise AuditError(f"{where}: the audit key does not match the one its chain was written with")


class PostgresAuditLog:
    """The PostgreSQL :class:`~scoregate.adapters.decisions.store.AuditStore`."""

    def __init__(
        self, url: str, *, masked_fields: frozenset[str] | set[str] = frozenset(), mask_key: bytes | None = None,
        queue_rows: int = DEFAULT_QUEUE_ROWS, chain_key: bytes | None = None, writer: str | None = None,
    ) -> None:
        self.url = url
        self.where = f"audit in PostgreSQL at {redacted(url)}"
        self.queue_rows = queue_rows
        self.dropped = 0
        """Decisions not kept: the queue was full (the store down or behind), or the log closed."""
        self.written = 0
        self.problem = ""
        """Why rows are waiting instead of being written ("" when the store takes them)."""
        self._masker = Masker(frozenset(masked_fields), mask_key)
        self._chain_key = chain_key
        self._chain = ChainWriter(chain_key or b"", writer_name(writer))
        self._conn: psycopg.Connection | None = None
        self._days: set[date] = set()
        self._pending: list[DecisionRecord | RowSource] = []
        self._pending_rows = 0
        self._in_flight = 0
        """Decisions taken from the queue and being made into rows."""
        self._built: list[tuple] = []
        """Rows made (masked, linked) and not yet confirmed written: sent again after a failure."""
        self._uncertain = False
        self._closed = False
        self._last_warning = 0.0
        self._cond = threading.Condition()
        try:  # a store that answers now is checked now: a wrong key stops the gateway at start
            self._connection()
        except (StateUnavailable, psycopg.OperationalError) as error:
            self._down(error)
        self._thread = threading.Thread(target=self._run, name="audit-writer-pg", daemon=True)
        self._thread.start()

    # -- the channels' side: never waits -------------------------------------------------------
    def record(self, records: Sequence[DecisionRecord] | RowSource) -> None:
        """Queue decisions for writing; drops (and counts) them when the queue is full."""
        items = [records] if isinstance(records, RowSource) else list(records)
        with self._cond:
            if self._closed or self._pending_rows + self._in_flight + len(self._built) + len(records) > self.queue_rows:
                self.dropped += len(records)
                warn = time.monotonic() - self._last_warning > _WARN_EVERY_S
                if warn:
                    self._last_warning = time.monotonic()
            else:
                self._pending.extend(items)
                self._pending_rows += len(records)
                if self._pending_rows >= _GATHER_ROWS:  # else the writer's next round takes them
                    self._cond.notify()
                return
        if warn:
            why = "log closed" if self._closed else (self.problem or "writer behind, queue full")
            log.warning("%s: %d decisions dropped so far (%s)", self.where, self.dropped, why)

    @property
    def backlog(self) -> int:
        """Decisions queued or built and not yet written."""
        return self._pending_rows + self._in_flight + len(self._built)

    def find(self, reference: str) -> list[DecisionRecord]:
        from scoregate.adapters.state.postgres_audit_read import PostgresAuditReader

        with PostgresAuditReader(self.url, masked_fields=self._masker.fields, mask_key=self._masker.key or None) as reader:
            return reader.find(reference)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every decision queued so far is written; False on timeout (or the store down)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._in_flight and not self._built, timeout)

    def close(self, timeout: float | None = None) -> None:
        """Write what is queued (while the store answers, within ``timeout``), then stop."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        with self._cond:
            if self._thread.is_alive() and (left := self._pending_rows + len(self._built)):
                log.warning("%s: %d decisions not written at close", self.where, left)
        log.info("%s: chain head %s", self.where, self._chain.head)

    def __enter__(self) -> PostgresAuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the writer thread ---------------------------------------------------------------------
    def _run(self) -> None:
        failures = 0
        while True:
            with self._cond:
                # Rounds every _GATHER_S, or sooner when _GATHER_ROWS wait: one transaction per round
                # (a commit costs the server a flush and this process a round trip), and no wake-up
                # per answer, which would take the GIL from the channels' threads each time.
                self._cond.wait_for(lambda: self._closed or self._pending_rows >= _GATHER_ROWS, _GATHER_S)
                if not self._pending and not self._built:
                    if self._closed:
                        break
                    continue
                items, self._pending = self._pending, []
                self._in_flight, self._pending_rows = self._pending_rows, 0
            built = self._build(items)  # outside the lock: a scored file of a million rows takes a while
            with self._cond:
                self._built.extend(built)
                self._in_flight = 0
            try:
                self._write()
                failures = 0
            except (psycopg.Error, StateUnavailable, AuditError, OSError) as error:
                self._down(error)
                if self._closed:
                    with self._cond:
                        self.dropped += len(self._built)
                        log.error("%s: closing with the store down; %d decisions not written", self.where, len(self._built))
                        self._built.clear()
                        self._cond.notify_all()
                    break
                with self._cond:  # wait before trying again, unless closing
                    self._cond.wait_for(lambda: self._closed, _RETRY_S[min(failures, len(_RETRY_S) - 1)])
                failures += 1
        if self._conn is not None:
            self._conn.close()

    def _build(self, items: list[DecisionRecord | RowSource]) -> list[tuple]:
        """Rows to COPY: masked, then linked (the MAC covers what is stored)."""
        chain, masker, linked, built = self._chain, self._masker, self._chain_key is not None, []
        for item in items:
            for row in (item.rows() if isinstance(item, RowSource) else (item.row(),)):
                row = masker.apply(row)
                if linked:
                    seq, mac = chain.link(row)
                else:  # numbered all the same: a retry after an unconfirmed commit skips what was written
                    chain.seq = seq = chain.seq + 1
                    mac = ""
                built.append((*row, chain.writer, seq, mac))
        return built

    def _write(self) -> None:
        """Send every built row; only this thread adds to or removes from ``_built``."""
        conn = self._connection()
        rows = self._built
        if self._uncertain:  # the last commit may have happened: skip what the server has
            have = conn.execute("SELECT coalesce(max(seq), 0) FROM decisions WHERE writer = %s", (self._chain.writer,)).fetchone()[0]
            rows = [r for r in rows if r[-2] > have]
            self._uncertain = False
        if rows:
            days = {r[0][:10] for r in rows}
            self._partitions(days)
            # Straight into the day's partition when the round is one day (nearly always): the
            # server skips routing each row through the parent, about 15% of its work.
            table = partition_name(date.fromisoformat(days.pop())) if len(days) == 1 else "decisions"
            self._uncertain = True
            with conn.transaction(), conn.cursor().copy(sql.SQL(_COPY).format(sql.Identifier(table))) as copy:
                for start in range(0, len(rows), _COPY_CHUNK):
                    copy.write("".join(map(copy_line, rows[start:start + _COPY_CHUNK])).encode())
            self._uncertain = False
        before = self._chain.seq - len(self._built)
        with self._cond:
            self.written += len(rows)
            if self.problem:
                log.warning("%s: writing again (%d decisions were waiting)", self.where, len(self._built))
            self._built = []
            self.problem = ""
            self._cond.notify_all()
        if self._chain_key and self._chain.seq // HEAD_EVERY != before // HEAD_EVERY:
            log.info("%s: chain head %s", self.where, self._chain.head)

    def _partitions(self, days: set[str]) -> None:
        """Each day's partition, created by the first writer that needs it (UTC days)."""
        missing = {date.fromisoformat(d) for d in days} - self._days
        if not missing:
            return
        conn = self._connection()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PARTITION_LOCK,))
            for day in sorted(missing):
                start = datetime(day.year, day.month, day.day, tzinfo=UTC)
                conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF decisions FOR VALUES FROM ({}) TO ({})").format(
                    sql.Identifier(partition_name(day)), sql.Literal(start), sql.Literal(start + timedelta(days=1))))
        self._days |= missing

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            conn = connect(self.url)
            try:
                check_settings(conn, self._masker, self._chain_key, self.where)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _down(self, error: BaseException) -> None:
        text = str(error) if isinstance(error, StateUnavailable) else f"{self.where}: {one_line(error)}"
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._uncertain = self._uncertain or bool(self._built)
        if text != self.problem:
            log.warning("%s; %d decisions wait, up to %d, then are dropped and counted", text, self.backlog, self.queue_rows)
        self.problem = text
