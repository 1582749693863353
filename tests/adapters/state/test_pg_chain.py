"""`scoregate audit verify` on the PostgreSQL trail: a changed, a deleted and a reordered row are
found, as in the SQLite file; retention (prune) leaves the rest of each chain verifiable.
The real server (a schema per test), the real writer, the real CLI as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from scoregate.adapters.decisions.masking import AuditError
from scoregate.adapters.state.postgres_audit import PostgresAuditLog
from scoregate.adapters.state.postgres_audit_read import verify_postgres
from test_pg_audit import decision

KEY = b"audit-key-kept-in-the-vault"
SCOREGATE = str(Path(sys.executable).parent / "scoregate")


def _write(url: str, first: int, count: int, writer: str, at: datetime) -> None:
    with PostgresAuditLog(url, chain_key=KEY, writer=writer) as log:
        log.record([decision(i, at=at) for i in range(first, first + count)])


@pytest.fixture
def chained(pg_migrated: str) -> str:
    """Three chains (gw-a, gw-b, gw-a restarted) of 3 + 3 + 4 rows; ids 1..10 in that order."""
    at = datetime.now(UTC).replace(microsecond=0)
    _write(pg_migrated, 0, 3, "gw-a", at)
    _write(pg_migrated, 3, 3, "gw-b", at)
    _write(pg_migrated, 6, 4, "gw-a", at)
    return pg_migrated


def _tamper(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE decisions DISABLE TRIGGER decisions_no_update")  # what a DBA can do
        for statement in statements:
            conn.execute(statement)


def _verify_cli(url: str, key: bytes | None = KEY) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOREGATE_")}
    if key is not None:
        env["SCOREGATE_AUDIT_KEY"] = key.decode()
    env["SCOREGATE_STATE_POSTGRES"] = url
    return subprocess.run([SCOREGATE, "audit", "verify"], capture_output=True, text=True, env=env, timeout=60)


def test_an_untouched_trail_verifies(chained: str) -> None:
    done = _verify_cli(chained)
    assert done.returncode == 0, done.stderr
    assert "10 rows in 3 chains, every link holds" in done.stdout
    assert "postgresql://" in done.stdout


def test_a_changed_row_is_reported_with_its_id(chained: str) -> None:
    _tamper(chained, "UPDATE decisions SET probability = 0.99, decision = 'DECLINE' WHERE id = 5")
    done = _verify_cli(chained)
    assert done.returncode == 1
    assert "row 5 " in done.stdout and "changed" in done.stdout, done.stdout


def test_a_deleted_row_is_a_missing_link(chained: str) -> None:
    _tamper(chained, "DELETE FROM decisions WHERE id = 2")
    broken, _ = verify_postgres(chained, KEY)
    assert broken is not None and broken.row_id == 3 and "missing link: #2 expected" in broken.problem


def test_reordered_rows_are_found(chained: str) -> None:
    # Swap the places of rows 7 and 8 (the restarted gw-a's #1 and #2): ids swapped, contents kept.
    _tamper(chained, "UPDATE decisions SET id = -7 WHERE id = 7", "UPDATE decisions SET id = 7 WHERE id = 8",
            "UPDATE decisions SET id = 8 WHERE id = -7")
    broken, _ = verify_postgres(chained, KEY)
    assert broken is not None and broken.row_id == 7 and "expected here, found #2" in broken.problem


def test_the_wrong_key_is_refused_in_one_line(chained: str) -> None:
    wrong = _verify_cli(chained, b"another-key")
    assert wrong.returncode == 2 and "not the audit key" in wrong.stderr and wrong.stderr.count("\n") == 1
    with pytest.raises(AuditError, match="does not match"):
        PostgresAuditLog(chained, chain_key=b"another-key")  # a writer cannot start a chain under another key


def test_after_a_prune_the_rest_of_each_chain_still_verifies(pg_migrated: str) -> None:
    now = datetime.now(UTC)
    with PostgresAuditLog(pg_migrated, chain_key=KEY, writer="gw-a") as log:
        log.record([decision(i, at=now - timedelta(days=500)) for i in range(3)])
        log.record([decision(i, at=now) for i in range(3, 6)])
    env = {**os.environ, "SCOREGATE_STATE_POSTGRES": pg_migrated}
    done = subprocess.run([SCOREGATE, "audit", "prune", "--older-than", "400d"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert ": 3 decisions" in done.stdout and "1 day(s) older than 400 days dropped" in done.stdout
    broken, counts = verify_postgres(pg_migrated, KEY)
    assert broken is None and sum(counts.values()) == 3
    _tamper(pg_migrated, "DELETE FROM decisions WHERE seq = 4")  # the first row after the anchor
    broken, _ = verify_postgres(pg_migrated, KEY)
    assert broken is not None and "missing link: #4 expected" in broken.problem
