"""The tamper-evident audit: rows chained by a keyed MAC per writer; `scoregate audit verify` finds
the first row changed, deleted or moved. Real SQLite files, the real writer thread, the real CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from scoregate.adapters.decisions.records import BatchDecisions, DecisionRecord
from scoregate.adapters.decisions.recorder import DecisionRecorder
from scoregate.adapters.decisions.sqlite import AuditError, AuditLog, AuditReader
from scoregate.adapters.decisions.verify import verify_file
from scoregate.core.contract import BatchResult, CallerRef, ColumnBatch, ScoreRequest, ScoreResult
from scoregate.core.logcontext import caller_context

KEY = b"audit-key-kept-in-the-vault"
SCOREGATE = str(Path(sys.executable).parent / "scoregate")
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _decision(i: int) -> DecisionRecord:
    return DecisionRecord(
        time=T0 + timedelta(seconds=i), channel="soap", reference=f"APP-{i}", request_id=f"r-{i}", model="credit-risk",
        version="1", probability=0.1 + i / 1000, decision="APPROVE", reasons=(("debt_to_income", "R12", 0.42),),
        latency_ms=2.5, caller="loan-origination",
    )


def _write(path: Path, first: int, count: int, writer: str) -> None:
    with AuditLog(path, chain_key=KEY, writer=writer) as log:
        log.record([_decision(i) for i in range(first, first + count)])


@pytest.fixture
def chained(tmp_path: Path) -> Path:
    """Two writers (two gateway runs) of five rows each, interleaved in one file."""
    path = tmp_path / "audit.sqlite"
    _write(path, 0, 3, "gw-a")
    _write(path, 3, 3, "gw-b")
    _write(path, 6, 4, "gw-a")  # a restart of gw-a: a chain of its own
    return path


def _tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER decisions_no_update")  # what someone with write access to the file can do
    conn.execute("DROP TRIGGER decisions_no_delete")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _verify_cli(path: Path, key: bytes | None = KEY) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOREGATE_AUDIT_KEY")}
    if key is not None:
        env["SCOREGATE_AUDIT_KEY"] = key.decode()
    return subprocess.run([SCOREGATE, "audit", "verify", "--db", str(path)], capture_output=True, text=True, env=env, timeout=60)


def test_an_untouched_file_verifies(chained: Path) -> None:
    done = _verify_cli(chained)
    assert done.returncode == 0, done.stderr
    assert "10 rows in 3 chains, every link holds" in done.stdout


def test_a_changed_row_is_reported_with_its_id(chained: Path) -> None:
    _tamper(chained, "UPDATE decisions SET probability = 0.99, decision = 'DECLINE' WHERE id = 5")
    done = _verify_cli(chained)
    assert done.returncode == 1
    assert "row 5 " in done.stdout and "changed" in done.stdout, done.stdout


def test_a_deleted_row_is_a_missing_link(chained: Path) -> None:
    _tamper(chained, "DELETE FROM decisions WHERE id = 2")
    broken, _ = verify_file(chained, KEY)
    assert broken is not None and broken.row_id == 3 and "missing link: #2 expected" in broken.problem


def test_reordered_rows_are_found(chained: Path) -> None:
    # Swap the contents of rows 7 and 8 (one writer's #1 and #2): the ids stay, the order changes.
    _tamper(chained, "UPDATE decisions SET id = -7 WHERE id = 7", "UPDATE decisions SET id = 7 WHERE id = 8",
            "UPDATE decisions SET id = 8 WHERE id = -7")
    broken, _ = verify_file(chained, KEY)
    assert broken is not None and broken.row_id == 7 and "expected here, found #2" in broken.problem


def test_a_row_rewritten_with_a_guessed_mac_or_none_is_found(chained: Path) -> None:
    _tamper(chained, "INSERT INTO decisions (time, channel, reference, request_id, model, version, probability, decision, "
                     "reasons, fallback, latency_ms, caller, writer, seq, mac) SELECT time, channel, 'APP-FORGED', request_id, "
                     "model, version, 0.01, 'APPROVE', reasons, fallback, latency_ms, caller, writer, seq + 1, mac "
                     "FROM decisions WHERE id = 10")
    broken, _ = verify_file(chained, KEY)
    assert broken is not None and broken.row_id == 11 and "changed" in broken.problem


def test_the_wrong_key_or_none_is_refused_in_one_line(chained: Path, tmp_path: Path) -> None:
    wrong = _verify_cli(chained, b"another-key")
    assert wrong.returncode == 2 and "not the audit key" in wrong.stderr and wrong.stderr.count("\n") == 1
    none = _verify_cli(chained, None)
    assert none.returncode == 2 and "SCOREGATE_AUDIT_KEY" in none.stderr
    with pytest.raises(AuditError, match="does not match"):
        AuditLog(chained, chain_key=b"another-key")  # a writer cannot start a chain under another key either
    plain = tmp_path / "plain.sqlite"
    with AuditLog(plain) as log:
        log.record([_decision(1)])
    assert _verify_cli(plain).returncode == 2


def test_batches_are_chained_and_the_caller_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    rows = 5
    batch = ColumnBatch(("x",), np.zeros((rows, 1)), row_ids=tuple(f"REC-{i}" for i in range(rows)))
    result = BatchResult(
        model="credit-risk", version="1", probabilities=np.linspace(0.1, 0.5, rows), decisions=np.zeros(rows, np.int8),
        band_names=("APPROVE",), reason_features=np.full((rows, 0), -1, np.int32), reason_contributions=np.zeros((rows, 0)),
        feature_names=("x",), reason_codes=("R1",),
    )
    with AuditLog(path, chain_key=KEY, writer="files") as log:
        recorder = DecisionRecorder("soap", log)
        with caller_context("loan-origination"):
            recorder.on_result(ScoreRequest(request_id="r-1", model="credit-risk", features={}, caller=CallerRef(reference="APP-1")),
                               ScoreResult(request_id="r-1", model="credit-risk", version="1", probability=0.2, decision="APPROVE"),
                               0.003)
        log.record(BatchDecisions(batch, result, CallerRef(reference="FILE-1"), "files", "b-1", 12.0))
        log.flush()
    broken, counts = verify_file(path, KEY)
    assert broken is None and sum(counts.values()) == rows + 1
    reader = AuditReader(path)
    assert reader.find("APP-1")[0].caller == "loan-origination"
    assert reader.find("REC-0")[0].caller == ""
    reader.close()
