"""What the file channel has processed, so that crashes and repeated drops do no harm.

A SQLite database (one file beside the work directory) records each input by name, size and
SHA-256 with its state:

``claimed`` -> ``written`` (response and reject files are complete in the outbox) -> ``done``
(input archived); or ``failed`` (set aside in the error directory with a reason); or ``retry``
(put back into the inbox because the core was unavailable or the gateway stopped); or
``superseded`` (an attempt that stopped in ``claimed``, its process killed or its claim taken
over: marked so when the next attempt at the same file begins, so that no row stays ``claimed``
forever beside the ``done`` one).

After a crash, a file whose last state is ``claimed`` is processed again from the start (its
outputs are only ever renamed into place complete, so nothing partial was published); one that
reached ``written`` only needs archiving. ``written`` also records the archive name the input is
about to get, so that a crash after the archiving but before ``done`` is recognised on restart
(the input is in the archive under that name, same checksum) and only marked ``done``
(:meth:`Ledger.unfinished`, ``FileJob.recover``). A file whose checksum is already ``done`` is a
repeated drop. SQLite locking serialises several processes on one host; on a network filesystem, give
each host its own ledger.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

_CHUNK = 1 << 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL,
    records INTEGER,
    rejects INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    started REAL NOT NULL,
    updated REAL NOT NULL,
    archive TEXT
);
CREATE INDEX IF NOT EXISTS files_checksum ON files (sha256, size);
CREATE INDEX IF NOT EXISTS files_name ON files (name);
"""
_STATE_INDEX = "CREATE INDEX IF NOT EXISTS files_state ON files (state)"


class FileState(StrEnum):
    CLAIMED = "claimed"
    WRITTEN = "written"
    DONE = "done"
    FAILED = "failed"
    RETRY = "retry"
    """Put back into the inbox (core unavailable, or abandoned at shutdown): tried again later."""
    SUPERSEDED = "superseded"
    """An attempt that never finished (its process died mid-file); a later attempt replaced it."""


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    size: int
    sha256: str
    state: FileState
    records: int | None
    rejects: int | None
    detail: str
    archive: str | None = None
    """Name in the archive directory the input was being moved to (recorded with ``written``)."""


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: each statement commits at once (autocommit), durable before we
        # act on it.
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(files)")}
        if "archive" not in columns:  # a ledger written before the column existed
            try:
                self._db.execute("ALTER TABLE files ADD COLUMN archive TEXT")
            except sqlite3.OperationalError as exc:  # another process of this host added it first
                if "duplicate column" not in str(exc):
                    raise
        self._db.execute(_STATE_INDEX)

    def close(self) -> None:
        self._db.close()

    def _entry(self, row: tuple | None) -> Entry | None:
        if row is None:
            return None
        return Entry(row[0], row[1], row[2], row[3], FileState(row[4]), row[5], row[6], row[7], row[8])

    _COLUMNS = "id, name, size, sha256, state, records, rejects, detail, archive"

    def completed(self, sha256: str, size: int) -> Entry | None:
        """An earlier file with the same content whose outputs were published (a repeated drop).

        ``written`` counts too: its outputs are out, only the archiving may be missing."""
        row = self._db.execute(
            f"SELECT {self._COLUMNS} FROM files WHERE sha256 = ? AND size = ? AND state IN (?, ?) ORDER BY id DESC LIMIT 1",
            (sha256, size, FileState.WRITTEN.value, FileState.DONE.value),
        ).fetchone()
        return self._entry(row)

    def latest(self, name: str, sha256: str) -> Entry | None:
        """The last attempt at this very file (same name and content): to resume after a crash."""
        row = self._db.execute(
            f"SELECT {self._COLUMNS} FROM files WHERE name = ? AND sha256 = ? ORDER BY id DESC LIMIT 1",
            (name, sha256),
        ).fetchone()
        return self._entry(row)

    def begin(self, name: str, size: int, sha256: str) -> int:
        """A new attempt at a file; earlier attempts at it still ``claimed`` become ``superseded``."""
        now = time.time()
        cursor = self._db.execute(
            "INSERT INTO files (name, size, sha256, state, started, updated) VALUES (?, ?, ?, ?, ?, ?)",
            (name, size, sha256, FileState.CLAIMED.value, now, now),
        )
        entry = int(cursor.lastrowid)
        self._db.execute(
            "UPDATE files SET state = ?, detail = ?, updated = ? WHERE name = ? AND sha256 = ? AND state = ? AND id < ?",
            (FileState.SUPERSEDED.value, f"stopped unfinished; superseded by entry {entry}", now, name, sha256,
             FileState.CLAIMED.value, entry),
        )
        return entry

    def advance(self, entry_id: int, state: FileState, *, records: int | None = None, rejects: int | None = None,
                detail: str = "", archive: str | None = None) -> None:
        self._db.execute(
            "UPDATE files SET state = ?, records = COALESCE(?, records), rejects = COALESCE(?, rejects),"
            " detail = ?, archive = COALESCE(?, archive), updated = ? WHERE id = ?",
            (state.value, records, rejects, detail, archive, time.time(), entry_id),
        )

    def unfinished(self) -> list[Entry]:
        """Entries left in ``written``: outputs published, archiving not confirmed (a crash, or a
        process of this host in the middle of it)."""
        rows = self._db.execute(f"SELECT {self._COLUMNS} FROM files WHERE state = ? ORDER BY id",
                                (FileState.WRITTEN.value,))
        return [self._entry(r) for r in rows]

    def entries(self) -> list[Entry]:
        return [self._entry(r) for r in self._db.execute(f"SELECT {self._COLUMNS} FROM files ORDER BY id")]
