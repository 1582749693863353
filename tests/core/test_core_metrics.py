"""The core's Prometheus endpoint, scraped over real HTTP after real calls."""

from __future__ import annotations

import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from scoregate.core.client import ScoringClient
from scoregate.core.contract import ColumnBatch, ScoreRequest
from scoregate.core.errors import InvalidInput

MODEL = "credit-risk"


def _scrape(port: int) -> dict[tuple[str, tuple], float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_rows_errors_scores_and_model_loads(core_factory, models_dir, applicant, demo_rows) -> None:
    core = core_factory(models_dir=models_dir, metrics_port=0)
    with ScoringClient(core.client_settings()) as client:
        for i in range(3):
            client.score(ScoreRequest(request_id=str(i), model=MODEL, features=applicant))
        with pytest.raises(InvalidInput):
            client.score(ScoreRequest(request_id="bad", model=MODEL, features={**applicant, "age": 3}))
        rows = demo_rows[:100].copy()
        rows[0, 0] = -5  # one rejected row
        client.score_batch(ColumnBatch(client.describe(MODEL).feature_schema.names, rows), MODEL)

    m = _scrape(core.server.metrics_port)

    def value(name: str, **labels: str) -> float:
        return m[(name, tuple(sorted(labels.items())))]

    version = {"model": MODEL, "version": "1"}
    assert value("scoregate_core_rows_scored_total", path="single", **version) == 3
    assert value("scoregate_core_rows_scored_total", path="batch", **version) == 99
    assert value("scoregate_core_rows_rejected_total", **version) == 1
    assert value("scoregate_core_errors_total", kind="invalid_input") == 1
    assert value("scoregate_core_score_count", **version) == 102
    assert value("scoregate_core_model_events_total", event="loaded", **version) == 1
    assert value("scoregate_core_batch_rows_count", path="batch") == 1
