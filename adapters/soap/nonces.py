"""A nonce replay cache shared by every worker process of one host (``nonce_store`` in the config).

Each ``uvicorn --workers N`` process would otherwise keep its own cache, and a captured token could
be replayed once per worker. SQLite in WAL mode is the store: a file every worker opens, one
``INSERT`` per nonce whose primary key refuses a second use, and no server to run. It costs one
small write per authenticated request (tens of microseconds on a local disk); workers on
different hosts need a store they share, which this is not.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

#: Expired nonces are deleted every this many first uses, not on each one.
PURGE_EVERY = 1_000


class SharedReplayCache:
    """``first_use(nonce)`` across processes: True once per nonce within ``ttl_s`` seconds."""

    def __init__(self, path: Path, ttl_s: float, clock=time.time) -> None:  # noqa: ANN001
        self.path = Path(path)
        self.ttl_s = ttl_s
        self._clock = clock  # wall clock: processes do not share a monotonic one
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS nonces (nonce BLOB PRIMARY KEY, expires REAL NOT NULL)")
        self._lock = threading.Lock()
        self._uses = 0

    def first_use(self, nonce: bytes) -> bool:
        now = self._clock()
        with self._lock:
            self._uses += 1
            if self._uses % PURGE_EVERY == 0:
                self._conn.execute("DELETE FROM nonces WHERE expires <= ?", (now,))
            # A nonce seen before but expired may be used again: replace it in the same statement.
            cursor = self._conn.execute(
                "INSERT INTO nonces (nonce, expires) VALUES (?, ?) "
                "ON CONFLICT (nonce) DO UPDATE SET expires = excluded.expires WHERE nonces.expires <= ?",
                (nonce, now + self.ttl_s, now),
            )
            return cursor.rowcount == 1

    def close(self) -> None:
        self._conn.close()
