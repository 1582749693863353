"""``scoregate audit verify`` for a SQLite audit file: read its rows with their chain columns, in
the order stored, and walk them (``chain.verify``). Read-only; needs the audit key, not the mask key."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from scoregate.adapters.decisions.chain import Break, StoredRow, key_fingerprint, verify
from scoregate.adapters.decisions.sqlite import AuditError, select_columns


def _rows(conn: sqlite3.Connection) -> Iterator[StoredRow]:
    for row in conn.execute(f"SELECT id, writer, seq, mac, {select_columns(conn)} FROM decisions ORDER BY id"):
        yield StoredRow(row[0], row[1], row[2], row[3], tuple(row[4:]))


def verify_file(path: Path, key: bytes) -> tuple[Break | None, dict[str, int]]:
    """(the first broken link or None, rows checked per writer); AuditError for a file that cannot be checked."""
    if not Path(path).is_file():
        raise AuditError(f"no audit file at {path}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(decisions)")}
        stored = conn.execute("SELECT value FROM settings WHERE key = 'chain_key_fingerprint'").fetchone()
        if "mac" not in columns or stored is None:
            raise AuditError(f"{path} was written without an audit key: it has no chain to verify")
        if stored[0] != key_fingerprint(key):
            raise AuditError(f"{path}: this is not the audit key its chain was written with")
        return verify(_rows(conn), key)
    except sqlite3.DatabaseError as error:
        raise AuditError(f"{path}: not an audit file ({error})") from None
    finally:
        conn.close()
