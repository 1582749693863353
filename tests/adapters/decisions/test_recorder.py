"""Each decision reaches the audit once, batches included (adapters/decisions/recorder.py), scored for real in-process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.decisions.recorder import DecisionRecorder
from scoregate.app.demo import DEMO_APPLICANT
from scoregate.app.paths import DEMO_FALLBACK
from scoregate.core.contract import CallerRef, ColumnBatch, ScoreRequest
from scoregate.core.fallback import FallbackScorer
from scoregate.core.logcontext import request_context
from scoregate.core.train import generate_dataset


@pytest.fixture(scope="module")
def scorer() -> FallbackScorer:
    return FallbackScorer(DEMO_FALLBACK)


def test_a_batch_is_audited_row_by_row_without_its_rejects(tmp_path: Path, scorer: FallbackScorer) -> None:
    matrix, _, schema = generate_dataset(20, seed=3)
    matrix[4, schema.index("age")] = 7  # out of range: rejected, so not a decision
    refs = tuple(f"REC-{i:03d}" for i in range(20))
    batch = ColumnBatch(schema.names, matrix, refs)
    result = scorer.score_batch(batch, reason_count=2)
    metrics = ChannelMetrics("files")
    with AuditLog(tmp_path / "audit.sqlite") as audit:
        recorder = DecisionRecorder("files", audit, metrics)
        with request_context("job-7"):
            recorder.on_batch(batch, result, CallerRef(reference="LOANS.D1", channel="files"), 0.25)
        assert audit.flush(10)
        assert audit.find("REC-004") == []
        (record,) = audit.find("REC-011")
        assert record.probability == pytest.approx(result.probabilities[11])
        assert record.decision == result.decision(11) and record.version == "1-fallback" and record.fallback
        assert [code for _, code, _ in record.reasons] == [r.code for r in result.reasons(11)]
        assert (record.channel, record.request_id, record.latency_ms) == ("files", "job-7/12", 250.0)
        assert audit.written == 19
    assert metrics.registry.get_sample_value(
        "scoregate_channel_events_total", {"channel": "files", "event": "fallback_scored"}
    ) == 19


def test_a_batch_without_row_ids_is_audited_by_batch_reference_and_row_number(tmp_path: Path, scorer: FallbackScorer) -> None:
    matrix, _, schema = generate_dataset(3, seed=4)
    batch = ColumnBatch(schema.names, matrix)
    with AuditLog(tmp_path / "audit.sqlite") as audit:
        DecisionRecorder("amqp", audit).on_batch(batch, scorer.score_batch(batch), CallerRef(reference="B-1"), 0.01)
        assert audit.flush(10)
        assert [r.request_id for r in audit.find("B-1#2")] == ["B-1/2"]


def test_a_single_result_is_audited_under_the_callers_reference(tmp_path: Path, scorer: FallbackScorer) -> None:
    request = ScoreRequest(request_id="r-9", model="credit-risk", features=DEMO_APPLICANT, reason_count=3,
                           caller=CallerRef(reference="LN20110342", channel="soap"))
    result = scorer.score(request)
    with AuditLog(tmp_path / "audit.sqlite") as audit:
        DecisionRecorder("soap", audit).on_result(request, result, 0.004)
        assert audit.flush(10)
        (record,) = audit.find("LN20110342")
    assert (record.request_id, record.probability, record.fallback) == ("r-9", result.probability, True)
    assert np.isclose(record.latency_ms, 4.0)
