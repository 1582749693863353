"""The audit trail in PostgreSQL: the real server, a schema per test, the real writer thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from scoregate.adapters.decisions.masking import AuditError
from scoregate.adapters.decisions.records import DecisionRecord
from scoregate.adapters.decisions.store import open_store
from scoregate.adapters.state.postgres_audit import PostgresAuditLog
from scoregate.adapters.state.postgres_audit_read import PostgresAuditReader, prune, shadow_pairs

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def decision(i: int, *, at: datetime = T0, channel: str = "soap", version: str = "1", reference: str | None = None) -> DecisionRecord:
    return DecisionRecord(
        time=at + timedelta(seconds=i), channel=channel, reference=reference or f"APP-{i}", request_id=f"r-{i}",
        model="credit-risk", version=version, probability=0.1 + i / 1000, decision="APPROVE" if i % 3 else "DECLINE",
        reasons=(("debt_to_income", "R12", 0.42),), latency_ms=2.5, caller="loan-origination",
    )


def test_two_gateways_write_one_table_and_show_finds_both(pg_migrated: str) -> None:
    a = open_store("postgres", url=pg_migrated, writer="gw-a")
    b = open_store("postgres", url=pg_migrated, writer="gw-b")
    a.record([decision(1, reference="APP-SHARED"), decision(2)])
    b.record([decision(3, reference="APP-SHARED")])
    assert a.flush(10) and b.flush(10)
    with PostgresAuditReader(pg_migrated) as reader:
        found = reader.find("APP-SHARED")
        assert [r.request_id for r in found] == ["r-1", "r-3"]
        assert found[0] == decision(1, reference="APP-SHARED")  # every field back as written
        assert reader.count() == 3
    a.close(5)
    b.close(5)
    assert a.dropped == b.dropped == 0


def test_rows_land_in_day_partitions_and_prune_drops_old_days(pg_migrated: str) -> None:
    with PostgresAuditLog(pg_migrated) as log:
        log.record([decision(i, at=T0 - timedelta(days=d)) for d in (0, 1, 500) for i in range(3)])
    with psycopg.connect(pg_migrated) as conn:
        parts = [r[0] for r in conn.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                            "WHERE i.inhparent = 'decisions'::regclass ORDER BY 1")]
    assert parts == ["decisions_20250725", "decisions_20261206", "decisions_20261207"]
    pruned = prune(pg_migrated, timedelta(days=400), now=T0)
    assert [(p.partition, p.rows) for p in pruned] == [("decisions_20250725", 3)]
    with PostgresAuditReader(pg_migrated) as reader:
        assert reader.count() == 6


def test_the_table_refuses_updates_and_deletes(pg_migrated: str) -> None:
    with PostgresAuditLog(pg_migrated) as log:
        log.record([decision(1)])
    with psycopg.connect(pg_migrated) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("UPDATE decisions SET decision = 'APPROVE'")
        conn.rollback()
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM decisions")


def test_masked_references_are_found_with_the_key_only(pg_migrated: str) -> None:
    with PostgresAuditLog(pg_migrated, masked_fields={"reference"}, mask_key=b"k1") as log:
        log.record([decision(7)])
    with psycopg.connect(pg_migrated) as conn:
        assert conn.execute("SELECT reference FROM decisions").fetchone()[0].startswith("hmac:")
    with PostgresAuditReader(pg_migrated, mask_key=b"k1") as reader:
        assert [r.reference for r in reader.find("APP-7")] == [reader._masker.value("APP-7")]
    with pytest.raises(AuditError, match="mask key does not match"):
        PostgresAuditReader(pg_migrated, mask_key=b"other")
    with pytest.raises(AuditError, match="masks"):
        PostgresAuditLog(pg_migrated)  # a second writer without the masking is refused at start


def test_shadow_pairs_join_primary_and_shadow_rows(pg_migrated: str) -> None:
    with PostgresAuditLog(pg_migrated) as log:
        log.record([decision(i) for i in range(4)] + [decision(i, channel="soap:shadow", version="2") for i in range(3)])
    pairs = shadow_pairs(pg_migrated, "credit-risk", ":shadow")
    assert sorted(p[0] + p[3] for p in pairs) == ["12"] * 3


def test_a_store_that_is_down_buffers_to_its_bound_then_drops_and_counts(pg_url: str) -> None:
    """The machine's server stays up: a port nobody listens on is a store that is down."""
    down = "postgresql://postgres@127.0.0.1:9/test"
    log = PostgresAuditLog(down, queue_rows=1_000)
    log.record([decision(i) for i in range(600)])
    log.record([decision(i) for i in range(600)])  # beyond the bound: dropped, not waited for
    assert log.dropped == 600 and log.backlog == 600
    assert "not reachable" in log.problem
    assert not log.flush(0.5)
    log.close(2)
    assert log.dropped == 1_200  # closing with the store down: counted, never hidden


def test_models_compare_reads_the_shared_trail(pg_migrated: str) -> None:
    from click.testing import CliRunner

    from scoregate.app.cli import main

    with PostgresAuditLog(pg_migrated) as log:
        log.record([decision(i) for i in range(6)] + [decision(i, channel="soap:shadow", version="2") for i in range(6)])
    done = CliRunner().invoke(main, ["models", "compare", "credit-risk", "--postgres", pg_migrated])
    assert done.exit_code == 0, done.output
    assert "6 requests scored by version 1 (answered) and 2 (shadow)" in done.output
    assert "decisions agree on 100.0%" in done.output
