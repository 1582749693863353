"""What only the PostgreSQL outcome store has to get right (its shared semantics are tested with
the SQLite store's, in tests/adapters/outcomes): audit rounds that commit out of id order, and a
server that stops and comes back."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import psycopg
import pytest

from scoregate.adapters.decisions.records import DecisionRecord
from scoregate.adapters.outcomes.records import Outcome
from scoregate.adapters.outcomes.store import open_outcome_store
from scoregate.adapters.state.postgres_audit import PostgresAuditLog
from scoregate.adapters.state.postgres_pool import StateUnavailable, connect
from scoregate.adapters.state.postgres_schema import migrate

AT = datetime(2026, 5, 4, 12, tzinfo=UTC)
_INSERT = ("INSERT INTO decisions (time, channel, reference, request_id, model, version, probability, decision, reasons,"
           " fallback, latency_ms) VALUES (%s, 'soap', %s, %s, 'credit-risk', '1', 0.2, 'APPROVE', '[]', 0, 1.0)")


def _decision(reference: str) -> DecisionRecord:
    return DecisionRecord(time=AT, channel="soap", reference=reference, request_id=f"r-{reference}", model="credit-risk",
                          version="1", probability=0.2, decision="APPROVE")


def test_a_round_that_commits_after_a_later_one_is_still_joined(pg_migrated: str) -> None:
    with PostgresAuditLog(pg_migrated) as log:  # the day's partition, as the writer makes it
        log.record([_decision("FIRST")])
    with open_outcome_store("postgres", audit=pg_migrated) as store:
        store.add([Outcome.parse(ref, "default", "2026-09-30") for ref in ("SLOW", "FAST")])
        with psycopg.connect(pg_migrated) as slow, psycopg.connect(pg_migrated, autocommit=True) as fast:
            slow.execute(_INSERT, (AT, "SLOW", "r-slow"))  # takes the lower id, commits last
            fast.execute(_INSERT, (AT, "FAST", "r-fast"))
            refreshed: list = []
            thread = threading.Thread(target=lambda: refreshed.append(store.refresh()))
            thread.start()
            time.sleep(0.5)
            assert thread.is_alive(), "refresh read its watermark past a round still open"
            slow.commit()
            thread.join(10)
        assert refreshed and store.counts().matched == 2  # SLOW too: its lower id was not stepped over
        assert sorted(store.joined("credit-risk").request) == ["r-fast", "r-slow"]


def test_a_stopped_server_is_one_line_and_the_store_works_again_after(throwaway_postgres) -> None:  # noqa: ANN001
    server = throwaway_postgres
    with connect(server.url) as conn:
        migrate(conn)
    with PostgresAuditLog(server.url) as log:
        log.record([_decision("A1")])
    with open_outcome_store("postgres", audit=server.url) as store:
        server.stop()
        with pytest.raises(StateUnavailable, match="^outcomes in PostgreSQL at .* not reachable: [^\n]*$"):
            store.add([Outcome.parse("A1", "paid", "2026-09-30")])
        server.start()
        deadline = time.monotonic() + 30
        while True:  # the pool reconnects in the background
            try:
                store.add([Outcome.parse("A1", "paid", "2026-09-30")])
                break
            except StateUnavailable:
                assert time.monotonic() < deadline, "the store did not come back with its server"
        store.refresh()
        assert store.counts().matched == 1
