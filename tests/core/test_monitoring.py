"""Drift and data quality of what the core scores, per channel (core/monitoring.py)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from scoregate.core.errors import FieldViolation, ViolationCode
from scoregate.core.logcontext import ContextFilter
from scoregate.core.monitoring import DRIFT_SAMPLE_ROWS, MAX_CHANNELS, InputMonitor
from scoregate.core.registry import load_version
from scoregate.core.train import generate_dataset


@pytest.fixture(scope="module")
def metadata(demo_artifact):  # noqa: ANN001, ANN201
    return load_version(demo_artifact).metadata


@pytest.fixture
def monitor():  # noqa: ANN201
    registry = CollectorRegistry()
    m = InputMonitor(registry, window_rows=2_000, threshold=0.2)
    yield m, registry
    m.stop()


def _psi(registry: CollectorRegistry, channel: str, feature: str) -> float | None:
    return registry.get_sample_value(
        "scoregate_core_feature_psi", {"model": "credit-risk", "version": "1", "channel": channel, "feature": feature}
    )


def test_unshifted_stream_stays_below_and_shifted_one_crosses_once(monitor, metadata, caplog) -> None:  # noqa: ANN001
    m, registry = monitor
    rows, _, schema = generate_dataset(6_000, seed=99)
    income = schema.index("annual_income")
    shifted = rows.copy()
    shifted[:, income] *= 1.8
    caplog.handler.addFilter(ContextFilter())  # as the process's log handler has it (app/logs.py)
    with caplog.at_level(logging.WARNING, logger="scoregate.core.drift"):
        for start in range(0, 6_000, 500):  # batches, as the file channel sends them
            m.submit(metadata, rows[start:start + 500], "soap")
            m.submit(metadata, shifted[start:start + 500], "files")
        m.drain()
    assert _psi(registry, "soap", "annual_income") < 0.1
    assert _psi(registry, "files", "annual_income") > 0.2
    warnings = [r for r in caplog.records if "annual_income" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].channel == "files"


def test_missing_values_and_violations_are_counted_per_feature_and_channel(monitor, metadata) -> None:  # noqa: ANN001
    m, registry = monitor
    rows, _, schema = generate_dataset(200, seed=5)
    rows[:10, schema.index("months_since_last_delinquency")] = np.nan
    bad = (FieldViolation(field="age", code=ViolationCode.OUT_OF_RANGE, message="x"),)
    m.submit(metadata, rows, "amqp", {3: bad, 4: bad})
    m.submit(metadata, None, "soap", [FieldViolation(field="home_ownership", code=ViolationCode.UNKNOWN_CATEGORY, message="x")])
    m.drain()

    def issues(channel: str, feature: str, issue: str) -> float | None:
        labels = {"model": "credit-risk", "channel": channel, "feature": feature, "issue": issue}
        return registry.get_sample_value("scoregate_core_feature_issues_total", labels)

    assert issues("amqp", "age", "out_of_range") == 2
    assert issues("soap", "home_ownership", "unknown_category") == 1
    expected_missing = int(np.isnan(np.delete(rows, [3, 4], axis=0)[:, schema.index("months_since_last_delinquency")]).sum())
    assert issues("amqp", "months_since_last_delinquency", "missing") == expected_missing >= 8


def test_channel_labels_are_bounded(monitor, metadata) -> None:  # noqa: ANN001
    m, registry = monitor
    rows, _, _ = generate_dataset(20, seed=1)
    for i in range(MAX_CHANNELS + 5):
        m.submit(metadata, rows, f"caller-{i}")
    m.drain()
    channels = {s.labels["channel"] for s in registry.collect() for s in s.samples if "channel" in s.labels}
    assert len(channels) == MAX_CHANNELS + 1 and "other" in channels


def test_a_real_core_reports_drift_and_data_quality_per_channel(core_factory, models_dir) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from scoregate.app.cli import main
    from scoregate.app.demo import DEMO_APPLICANT
    from scoregate.core.client import ScoringClient
    from scoregate.core.contract import CallerRef, ColumnBatch, ScoreRequest
    from scoregate.core.errors import InvalidInput

    core = core_factory(models_dir=models_dir, metrics_port=0, drift_window_rows=2_000)
    rows, _, schema = generate_dataset(3_000, seed=8)
    shifted = rows.copy()
    shifted[:, schema.index("annual_income")] *= 1.8
    with ScoringClient(core.client_settings()) as client:
        for start in range(0, 3_000, 1_000):
            client.score_batch(ColumnBatch(schema.names, shifted[start:start + 1_000]), "credit-risk",
                               caller=CallerRef(reference="LOANS.D1", channel="files"))
        for _ in range(50):
            client.score(ScoreRequest(request_id="r", model="credit-risk", features=DEMO_APPLICANT, caller=CallerRef(channel="soap")))
        with pytest.raises(InvalidInput):
            client.score(ScoreRequest(request_id="r", model="credit-risk", features={**DEMO_APPLICANT, "age": 7},
                                      caller=CallerRef(channel="soap")))
    core.server.monitor.drain()
    registry = core.server.metrics.registry
    assert _psi(registry, "files", "annual_income") > 0.2
    assert _psi(registry, "files", "age") < 0.1
    assert registry.get_sample_value("scoregate_core_feature_issues_total", {
        "model": "credit-risk", "channel": "soap", "feature": "age", "issue": "out_of_range"}) == 1

    shown = CliRunner().invoke(main, ["drift", "--metrics", f"http://127.0.0.1:{core.server.metrics_port}/metrics"])
    assert shown.exit_code == 0, shown.output
    income = next(line for line in shown.output.splitlines() if "annual_income" in line and "DRIFT" in line)
    assert "#" in income
    assert "channel files" in shown.output and "channel soap" in shown.output


def test_a_large_batch_is_binned_as_a_sample_and_its_missing_values_counted_exactly(monitor, metadata) -> None:  # noqa: ANN001
    m, registry = monitor
    rows, _, schema = generate_dataset(8_000, seed=3)
    m.submit(metadata, rows, "files")
    m.drain()
    drift = m._drift[("credit-risk", "1", "files")]  # the window behind scoregate_core_feature_psi
    assert 0 < drift.rows <= DRIFT_SAMPLE_ROWS
    feature = "months_since_last_delinquency"
    labels = {"model": "credit-risk", "channel": "files", "feature": feature, "issue": "missing"}
    assert registry.get_sample_value("scoregate_core_feature_issues_total", labels) == np.isnan(rows[:, schema.index(feature)]).sum()
