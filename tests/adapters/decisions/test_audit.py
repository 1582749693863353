"""The audit trail: a real SQLite file, a real writer thread, append-only, masked personal data."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import scoregate.adapters.decisions.sqlite as audit_module
from scoregate.adapters.decisions.records import DecisionRecord
from scoregate.adapters.decisions.sqlite import AuditError, AuditLog, AuditReader
from scoregate.core.contract import ReasonCode, ScoreResult

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
KEY = b"kept-in-the-vault"


def _decision(i: int, reference: str | None = None, **changes) -> DecisionRecord:
    values = dict(
        time=T0 + timedelta(milliseconds=i), channel="soap", reference=reference or f"APP-{i:06d}",
        request_id=f"req-{i}", model="credit-risk", version="1", probability=0.01 * (i % 100),
        decision="APPROVE", reasons=(("debt_to_income", "R12", 0.42), ("inquiries_6m", "R18", 0.1)),
        fallback=False, latency_ms=3.5,
    )
    values.update(changes)
    return DecisionRecord(**values)


def test_round_trip_and_find_by_reference(tmp_path: Path) -> None:
    path = tmp_path / "audit" / "decisions.db"
    first = _decision(1, "APP-7")
    second = _decision(2, "APP-7", fallback=True, version="fallback", decision="REVIEW", reasons=())
    other = _decision(3, "APP-8", time=datetime(2026, 11, 25, 11, 30, tzinfo=UTC).astimezone(UTC))
    with AuditLog(path) as log:
        log.record([first, other])
        log.record([second])
        assert log.flush(10)
        assert log.find("APP-7") == [first, second]  # oldest first, every field back as written
        assert log.find("APP-8") == [other]
        assert log.find("APP-9") == []
    reader = AuditReader(path)
    assert reader.find("APP-7") == [first, second]
    assert reader.count() == 3
    reader.close()


def test_record_from_a_score_result(tmp_path: Path) -> None:
    result = ScoreResult(
        request_id="r-1", model="credit-risk", version="2", probability=0.37, decision="REVIEW",
        reasons=(ReasonCode(feature="loan_amount", code="R07", contribution=0.8),),
    )
    record = DecisionRecord.from_result(result, channel="amqp", reference="corr-1", latency_ms=4.0)
    assert (record.model, record.version, record.probability, record.decision) == ("credit-risk", "2", 0.37, "REVIEW")
    assert record.reasons == (("loan_amount", "R07", 0.8),)
    assert record.time.tzinfo is not None and not record.fallback
    with AuditLog(tmp_path / "a.db") as log:
        log.record([record])
        log.flush(10)
        assert log.find("corr-1") == [record]


def test_a_hundred_thousand_records(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.db")
    for start in range(0, 100_000, 500):
        log.record([_decision(i) for i in range(start, start + 500)])
    log.close()
    assert log.dropped == 0
    reader = AuditReader(tmp_path / "a.db")
    assert reader.count() == 100_000
    assert reader.find("APP-099999") == [_decision(99_999)]
    reader.close()


def test_close_flushes_what_is_queued(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.db")
    log.record([_decision(i) for i in range(5_000)])
    log.close()  # straight after: nothing queued may be lost
    reader = AuditReader(tmp_path / "a.db")
    assert reader.count() == 5_000
    reader.close()
    log.record([_decision(9)])  # after close: dropped and counted, not raised into a channel
    assert log.dropped == 1


def test_masked_reference_is_findable_only_with_the_key(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with AuditLog(path, masked_fields={"reference"}, mask_key=KEY) as log:
        log.record([_decision(1, "APP-SECRET-1"), _decision(2, "APP-OTHER")])
        log.flush(10)
        found = log.find("APP-SECRET-1")
        assert [r.request_id for r in found] == ["req-1"]
        assert re.fullmatch(r"hmac:[0-9a-f]{32}", found[0].reference)
        assert found[0].channel == "soap"  # only the named fields are masked
    assert b"APP-SECRET" not in path.read_bytes()  # closed: the WAL is checkpointed into the file
    assert [r.request_id for r in AuditReader(path, mask_key=KEY).find("APP-SECRET-1")] == ["req-1"]
    with pytest.raises(AuditError, match="mask_key"):
        AuditReader(path)
    with pytest.raises(AuditError, match="does not match"):
        AuditReader(path, mask_key=b"guess")
    with pytest.raises(AuditError, match="masks"):
        AuditLog(path)  # the same file without masking would mix clear and masked references
    with pytest.raises(AuditError, match="cannot mask"):
        AuditLog(tmp_path / "b.db", masked_fields={"probability"}, mask_key=KEY)


def test_the_file_refuses_updates_and_deletes(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with AuditLog(path) as log:
        log.record([_decision(1)])
    conn = sqlite3.connect(path)
    for statement in ("UPDATE decisions SET decision = 'APPROVE'", "DELETE FROM decisions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    conn.close()
    assert AuditReader(path).count() == 1
    source = Path(audit_module.__file__).read_text()
    assert not re.search(r"\b(UPDATE|DELETE FROM)\s+decisions\b", source)  # only the triggers name them


def test_a_full_queue_drops_and_warns_without_blocking(tmp_path: Path, caplog) -> None:
    path = tmp_path / "a.db"
    log = AuditLog(path, queue_rows=10)
    # A real fault: another connection holds the write lock, so the writer thread cannot insert.
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="scoregate.adapters.decisions.sqlite"):
            log.record([_decision(i) for i in range(10)])
            started = time.monotonic()
            log.record([_decision(i) for i in range(10, 21)])  # more than the queue holds
            assert time.monotonic() - started < 1.0
        assert log.dropped == 11
        assert any("dropped" in r.getMessage() for r in caplog.records)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert log.flush(10)
    log.close()
    assert AuditReader(path).count() == 10


def test_audit_show_finds_a_decision_by_reference(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from scoregate.app.cli_audit import MASK_KEY_ENV, audit

    monkeypatch.delenv(MASK_KEY_ENV, raising=False)
    plain, masked = tmp_path / "plain.db", tmp_path / "masked.db"
    wanted = _decision(5, "APP-42", probability=0.123456789, fallback=True)
    with AuditLog(plain) as log:
        log.record([_decision(1), wanted])
    with AuditLog(masked, masked_fields={"reference"}, mask_key=KEY) as log:
        log.record([wanted])
    runner = CliRunner()

    result = runner.invoke(audit, ["show", "--ref", "APP-42", "--db", str(plain)])
    assert result.exit_code == 0, result.output
    assert "credit-risk version 1 (fallback): APPROVE p=0.123457" in result.output
    assert "R12  debt_to_income  +0.4200" in result.output
    result = runner.invoke(audit, ["show", "--ref", "APP-42", "--db", str(plain), "--json"])
    shown = json.loads(result.output)
    assert shown["probability"] == wanted.probability and shown["request_id"] == "req-5"  # the score as answered
    assert runner.invoke(audit, ["show", "--ref", "APP-43", "--db", str(plain)]).exit_code == 1

    result = runner.invoke(audit, ["show", "--ref", "APP-42", "--db", str(masked)])
    assert result.exit_code == 1 and "mask_key" in result.output
    result = runner.invoke(audit, ["show", "--ref", "APP-42", "--db", str(masked)], env={MASK_KEY_ENV: KEY.decode()})
    assert result.exit_code == 0, result.output
    assert "request req-5" in result.output and "APP-42" not in result.output
    result = runner.invoke(audit, ["show", "--ref", "APP-42", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no audit file" in result.output
