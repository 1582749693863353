"""PostgreSQL stopped mid-run (a throwaway server of the test's own, never the machine's): the audit
keeps taking decisions without waiting, says why in ``problem``, and once the server is back
writes every one of them exactly once, the chain intact; the file claims refuse to claim or to
publish while the server is down, and work again after."""

from __future__ import annotations

import psycopg
import pytest

from scoregate.adapters.files.postgres_state import PostgresFileState
from scoregate.adapters.state.postgres_audit import PostgresAuditLog
from scoregate.adapters.state.postgres_audit_read import verify_postgres
from scoregate.adapters.state.postgres_pool import StateUnavailable, connect
from scoregate.adapters.state.postgres_schema import migrate
from test_pg_audit import decision

KEY = b"outage-key"


def test_the_audit_and_the_claims_through_a_stopped_server(throwaway_postgres, tmp_path) -> None:  # noqa: ANN001
    server = throwaway_postgres
    with connect(server.url) as conn:
        migrate(conn)
    log = PostgresAuditLog(server.url, chain_key=KEY, writer="gw", queue_rows=1_000)
    files = PostgresFileState(server.url, "loans", lease_s=30)
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    work.mkdir()
    (inbox / "A.DAT").write_bytes(b"a")
    try:
        log.record([decision(i) for i in range(100)])
        assert log.flush(10) and log.problem == ""
        held = files.claims.claim(inbox / "A.DAT", work)
        assert held is not None

        server.stop()
        log.record([decision(i) for i in range(100, 300)])  # returns at once: queued
        assert not log.flush(1.5)
        assert "PostgreSQL" in log.problem and log.backlog == 200 and log.dropped == 0
        (inbox / "B.DAT").write_bytes(b"b")
        with pytest.raises(StateUnavailable, match="not reachable"):
            files.claims.claim(inbox / "B.DAT", work)  # nothing claimed while the claims cannot be kept
        assert (inbox / "B.DAT").exists() and not list(work.glob("B.DAT@*"))
        assert files.claims.fence(held) is False  # nothing published that cannot be fenced

        server.start()
        assert log.flush(30), log.problem
        assert log.problem == "" and log.dropped == 0
        assert files.claims.fence(held) is True  # still this watcher's: its lease is the database's
        assert files.claims.claim(inbox / "B.DAT", work) is not None
    finally:
        log.close(10)
        files.close()
    with psycopg.connect(server.url) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT seq) FROM decisions").fetchone() == (300, 300)
    broken, counts = verify_postgres(server.url, KEY)
    assert broken is None and counts == {log._chain.writer: 300}  # nothing lost, nothing twice, every link holds
