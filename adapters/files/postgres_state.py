"""The file channel's ledger and claims in PostgreSQL: watchers of one inbox on any number of hosts.

**Claims** (:class:`PostgresClaims`, the interface of ``files/claim.py``'s ``RenameClaims``): a
claim is a row of ``file_claims`` held by its owner (a random id of the watcher process, no host
name or pid) until ``lease_until``, a time of the database's clock (``now()``): no host's clock or
a shared volume's timestamps decide anything. Claiming an inbox file inserts the row, then renames
the file into the work directory as ``NAME@TOKEN``; of two watchers racing for one file the rename
lets one win, and the other deletes its row. The owner renews the lease while its job runs. A
lapsed lease is an orphan: another watcher takes it over with ``SELECT ... FOR UPDATE SKIP
LOCKED`` (two watchers never take over the same claim) and becomes its owner. The publish fence
renews the lease only if the row is still this watcher's: one that was paused past its lease
publishes nothing. While the database does not answer, nothing is claimed and nothing published.

**Ledger** (:class:`PostgresLedger`): the states of ``files/ledger.py``, one table for every job
(rows carry the job's name), times from ``now()``.

Part of the file channel (it speaks the channel's ledger entries and claim names); the connection
handling and the schema are the shared state's (``adapters/state/``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg

from scoregate.adapters.files.claim import CLAIM_SEPARATOR, original_name
from scoregate.adapters.files.ledger import Entry, FileState
from scoregate.adapters.state.postgres_pool import StateUnavailable, one_line, open_pool, redacted

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = 300.0
_DOWN = (psycopg.Error, StateUnavailable)


class StatePool:
    """The pool of one file job; a server that does not answer is :class:`StateUnavailable`, one line."""

    def __init__(self, url: str, job: str) -> None:
        self.url = url
        self._pool = open_pool(url, max_size=4, name=f"files-{job}")

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.OperationalError as error:  # the pool's timeout included: the server is away
            raise StateUnavailable(f"PostgreSQL at {redacted(self.url)} not reachable: {one_line(error)}") from None

    def close(self) -> None:
        self._pool.close()


class PostgresClaims:
    def __init__(self, pool: StatePool, job: str, lease_s: float | None) -> None:
        self.pool = pool
        self.job = job
        self.lease = timedelta(seconds=lease_s or DEFAULT_LEASE_S)
        self.owner = uuid.uuid4().hex
        """This watcher, as its claims name it: random per process, so a restarted one is another."""
        log.info("file job %s: this watcher's claims are owned by %s", job, self.owner)

    def claim(self, path: Path, work_dir: Path, done_suffix: str | None = None) -> Path | None:
        token = uuid.uuid4().hex
        with self.pool.connection() as conn:
            conn.execute("INSERT INTO file_claims (token, job, name, owner, lease_until) VALUES (%s, %s, %s, %s, now() + %s)",
                         (token, self.job, path.name, self.owner, self.lease))
        target = work_dir / f"{path.name}{CLAIM_SEPARATOR}{token}"
        try:
            path.rename(target)
        except FileNotFoundError:  # another watcher renamed it first: this row claims nothing
            self._delete(token)
            return None
        if done_suffix:
            path.with_name(path.name + done_suffix).unlink(missing_ok=True)
        return target

    def orphans(self, work_dir: Path) -> list[Path]:
        """Claims of this job whose lease lapsed by the database's clock."""
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT token, name FROM file_claims WHERE job = %s AND lease_until < now() ORDER BY claimed",
                                (self.job,)).fetchall()
        return [work_dir / f"{name}{CLAIM_SEPARATOR}{token}" for token, name in rows]

    def take_over(self, orphan: Path) -> Path | None:
        """This watcher's now, or None: renewed or taken by another meanwhile, or its file gone."""
        token = _token(orphan)
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute("SELECT owner FROM file_claims WHERE token = %s AND lease_until < now() FOR UPDATE SKIP LOCKED",
                               (token,)).fetchone()
            if row is None:
                return None
            if not orphan.exists():  # its watcher died between the row and the rename, or after the file left
                conn.execute("DELETE FROM file_claims WHERE token = %s", (token,))
                return None
            conn.execute("UPDATE file_claims SET owner = %s, lease_until = now() + %s WHERE token = %s",
                         (self.owner, self.lease, token))
        log.info("claim of %s taken over from watcher %s", original_name(orphan), row[0])
        return orphan

    def renew(self, claimed: Path) -> bool:
        """Keep the lease while the job runs; True also while the database does not answer (the
        fence decides then), False once the claim is another watcher's."""
        try:
            return self._renewed(claimed)
        except _DOWN as error:
            log.warning("claim of %s not renewed: %s", original_name(claimed), error)
            return True

    def fence(self, claimed: Path) -> bool:
        """Still this watcher's (renewed for a whole lease), checked just before publishing; False
        also when the database does not answer: nothing is published that cannot be fenced."""
        try:
            return self._renewed(claimed)
        except _DOWN as error:
            log.warning("claim of %s cannot be checked, nothing published: %s", original_name(claimed), error)
            return False

    def release(self, claimed: Path) -> None:
        """The file left the work directory (archived, set aside, put back): its row goes. Left
        behind when the database does not answer, it lapses and is deleted by a takeover."""
        try:
            with self.pool.connection() as conn:
                conn.execute("DELETE FROM file_claims WHERE token = %s AND owner = %s", (_token(claimed), self.owner))
        except _DOWN as error:
            log.warning("claim of %s not released (it lapses): %s", original_name(claimed), error)

    def _renewed(self, claimed: Path) -> bool:
        with self.pool.connection() as conn:
            cursor = conn.execute("UPDATE file_claims SET lease_until = now() + %s WHERE token = %s AND owner = %s",
                                  (self.lease, _token(claimed), self.owner))
            return cursor.rowcount == 1

    def _delete(self, token: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM file_claims WHERE token = %s", (token,))


def _token(claimed: Path) -> str:
    return claimed.name.rpartition(CLAIM_SEPARATOR)[2]


_COLUMNS = "id, name, size, sha256, state, records, rejects, detail, archive"


class PostgresLedger:
    """``files/ledger.py``'s ``Ledger`` on the shared table, for one job."""

    def __init__(self, pool: StatePool, job: str) -> None:
        self.pool = pool
        self.job = job

    def _one(self, query: str, params: tuple) -> Entry | None:
        with self.pool.connection() as conn:
            row = conn.execute(query, params).fetchone()
        return _entry(row) if row else None

    def completed(self, sha256: str, size: int) -> Entry | None:
        return self._one(f"SELECT {_COLUMNS} FROM file_ledger WHERE job = %s AND sha256 = %s AND size = %s"
                         " AND state IN ('written', 'done') ORDER BY id DESC LIMIT 1", (self.job, sha256, size))

    def latest(self, name: str, sha256: str) -> Entry | None:
        return self._one(f"SELECT {_COLUMNS} FROM file_ledger WHERE job = %s AND name = %s AND sha256 = %s"
                         " ORDER BY id DESC LIMIT 1", (self.job, name, sha256))

    def begin(self, name: str, size: int, sha256: str) -> int:
        with self.pool.connection() as conn, conn.transaction():
            entry = conn.execute("INSERT INTO file_ledger (job, name, size, sha256, state) VALUES (%s, %s, %s, %s, 'claimed')"
                                 " RETURNING id", (self.job, name, size, sha256)).fetchone()[0]
            conn.execute("UPDATE file_ledger SET state = 'superseded', detail = %s, updated = now() WHERE job = %s"
                         " AND name = %s AND sha256 = %s AND state = 'claimed' AND id < %s",
                         (f"stopped unfinished; superseded by entry {entry}", self.job, name, sha256, entry))
        return int(entry)

    def advance(self, entry_id: int, state: FileState, *, records: int | None = None, rejects: int | None = None,
                detail: str = "", archive: str | None = None) -> None:
        with self.pool.connection() as conn:
            conn.execute("UPDATE file_ledger SET state = %s, records = COALESCE(%s, records), rejects = COALESCE(%s, rejects),"
                         " detail = %s, archive = COALESCE(%s, archive), updated = now() WHERE id = %s",
                         (state.value, records, rejects, detail, archive, entry_id))

    def unfinished(self) -> list[Entry]:
        return self._all(f"SELECT {_COLUMNS} FROM file_ledger WHERE job = %s AND state = 'written' ORDER BY id")

    def entries(self) -> list[Entry]:
        return self._all(f"SELECT {_COLUMNS} FROM file_ledger WHERE job = %s ORDER BY id")

    def _all(self, query: str) -> list[Entry]:
        with self.pool.connection() as conn:
            return [_entry(r) for r in conn.execute(query, (self.job,))]

    def close(self) -> None:
        """The pool is the state's (:class:`PostgresFileState`)."""


def _entry(row: tuple) -> Entry:
    return Entry(row[0], row[1], row[2], row[3], FileState(row[4]), row[5], row[6], row[7], row[8])


class PostgresFileState:
    """The ledger and the claims of one file job, on one pool."""

    def __init__(self, url: str, job: str, lease_s: float | None) -> None:
        self.pool = StatePool(url, job)
        self.ledger = PostgresLedger(self.pool, job)
        self.claims = PostgresClaims(self.pool, job, lease_s)

    def close(self) -> None:
        self.pool.close()
