"""Drift: PSI of recent rows against the shipped training baseline, warned once per crossing."""

from __future__ import annotations

import logging
import math
import threading
from pathlib import Path

import numpy as np
import pytest

import scoregate.app
from scoregate.core.contract import (
    DecisionBand,
    FeatureDistribution,
    FeatureKind,
    FeatureSchema,
    FeatureSpec,
    ModelMetadata,
)
from scoregate.core.drift import EPSILON, DriftMonitor
from scoregate.core.train import generate_dataset, split_rows

SHIPPED = Path(scoregate.app.__file__).parent / "defaults" / "models" / "credit-risk" / "1" / "metadata.json"


@pytest.fixture(scope="module")
def shipped() -> ModelMetadata:
    return ModelMetadata.model_validate_json(SHIPPED.read_text())


@pytest.fixture(scope="module")
def stream() -> tuple[np.ndarray, tuple[str, ...]]:
    """Fresh rows from the training generator (another seed than training's)."""
    matrix, _, schema = generate_dataset(40_000, seed=4242)
    return matrix, schema.names


def _feed(monitor: DriftMonitor, matrix: np.ndarray, names, rng: np.random.Generator) -> None:
    """Observe in chunks of mixed sizes, as single requests and batches would arrive."""
    start = 0
    while start < len(matrix):
        size = int(rng.choice([1, 3, 64, 700]))
        monitor.observe(matrix[start : start + size], names)
        start += size


def test_the_training_rows_match_their_own_baseline(shipped) -> None:
    # The monitor bins exactly as core/evaluation.py did at training time (edge side, missing
    # values, category codes): the shipped model's own training rows drift by rounding only.
    seed, rows = int(shipped.training["seed"]), int(shipped.training["rows"])
    matrix, _, schema = generate_dataset(rows, seed)
    train_rows, _ = split_rows(rows, seed)
    monitor = DriftMonitor(shipped, window_rows=rows)
    monitor.observe(matrix[train_rows], schema.names)
    assert max(monitor.psi().values()) < 1e-6


def test_unshifted_stream_stays_stable(shipped, stream) -> None:
    matrix, names = stream
    monitor = DriftMonitor(shipped, window_rows=10_000, threshold=0.2)
    _feed(monitor, matrix[:25_000], names, np.random.default_rng(1))
    psi = monitor.psi()
    assert set(psi) == set(names)
    assert max(psi.values()) < 0.1, psi
    assert 10_000 <= monitor.rows <= 10_000 + 500 + 700  # window + one bucket + one call
    assert monitor.crossings() == []


def test_shifted_income_crosses_once_per_crossing(shipped, stream, caplog) -> None:
    matrix, names = stream
    shifted = matrix.copy()
    shifted[:, names.index("annual_income")] *= 1.5
    seen = []
    monitor = DriftMonitor(shipped, window_rows=5_000, threshold=0.2, on_crossing=seen.append)
    rng = np.random.default_rng(2)

    with caplog.at_level(logging.WARNING, logger="scoregate.core.drift"):
        _feed(monitor, shifted[:15_000], names, rng)  # three windows of shifted rows: one warning
    psi = monitor.psi()
    assert psi["annual_income"] > 0.2, psi
    assert all(v < 0.1 for k, v in psi.items() if k != "annual_income"), psi
    first = monitor.crossings()
    assert [c.feature for c in first] == ["annual_income"]
    assert first[0].psi > 0.2 and first[0].rows >= monitor.min_rows
    assert monitor.crossings() == []  # drained
    assert len([r for r in caplog.records if "annual_income" in r.getMessage()]) == 1

    _feed(monitor, matrix[15_000:25_000], names, rng)  # back to normal: the window forgets
    assert monitor.psi()["annual_income"] < 0.1
    assert monitor.crossings() == []
    _feed(monitor, shifted[25_000:35_000], names, rng)  # and shifted again: a second crossing
    assert [c.feature for c in monitor.crossings()] == ["annual_income"]
    assert [c.feature for c in seen] == ["annual_income", "annual_income"]


def test_single_rows_and_one_batch_count_the_same(shipped, stream) -> None:
    matrix, names = stream
    one_by_one = DriftMonitor(shipped, window_rows=50_000)
    for row in matrix[:1_500]:
        one_by_one.observe(row[None, :], names)
    batch = DriftMonitor(shipped, window_rows=50_000)
    batch.observe(matrix[:1_500], names)
    assert one_by_one.rows == batch.rows == 1_500
    assert one_by_one.psi() == pytest.approx(batch.psi())


def test_column_order_follows_the_given_names(shipped, stream) -> None:
    matrix, names = stream
    reverse = DriftMonitor(shipped, window_rows=50_000)
    reverse.observe(matrix[:2_000, ::-1], names[::-1])
    straight = DriftMonitor(shipped, window_rows=50_000)
    straight.observe(matrix[:2_000], names)
    assert reverse.psi() == pytest.approx(straight.psi())
    with pytest.raises(ValueError, match="lacks features"):
        straight.observe(matrix[:5, 1:], names[1:])


def test_psi_matches_the_formula_on_a_small_baseline() -> None:
    meta = ModelMetadata(
        name="m", version="1",
        feature_schema=FeatureSchema(features=(
            FeatureSpec(name="x", kind=FeatureKind.NUMBER, nullable=True),
            FeatureSpec(name="c", kind=FeatureKind.CATEGORY, codes=("A", "B")),
        )),
        bands=(DecisionBand(name="ALL", upper=1.0),),
        distributions={
            "x": FeatureDistribution(edges=(1.0, 2.0), proportions=(0.25, 0.5, 0.25), missing=0.2),
            "c": FeatureDistribution(proportions=(0.5, 0.5)),
        },
    )
    monitor = DriftMonitor(meta, window_rows=100)
    # x: 0.5 -> bin 0, 1.5 -> bin 1, 3 -> bin 2, NaN -> missing; c: A, B, B, and a code outside the schema.
    x = [0.5, 0.5, 1.5, 3.0, 3.0, 3.0, np.nan, np.nan]
    c = [0, 1, 1, 1, 0, 1, 1, 7]
    monitor.observe(np.column_stack([x, c]).astype(np.float64), ("x", "c"))

    def psi(actual, expected):
        return sum((a - e) * math.log(a / e) for a, e in zip(
            [max(v, EPSILON) for v in actual], [max(v, EPSILON) for v in expected]))

    expected_x = [0.25 * 0.8, 0.5 * 0.8, 0.25 * 0.8, 0.2]
    actual_x = [2 / 8, 1 / 8, 3 / 8, 2 / 8]
    expected_c = [0.5, 0.5, 0.0, 0.0]  # A, B, outside the codes, missing
    actual_c = [2 / 8, 5 / 8, 1 / 8, 0.0]
    assert monitor.psi() == pytest.approx({"x": psi(actual_x, expected_x), "c": psi(actual_c, expected_c)})


def test_concurrent_observers_lose_no_rows(shipped, stream) -> None:
    matrix, names = stream
    monitor = DriftMonitor(shipped, window_rows=100_000)
    parts = np.array_split(matrix[:8_000], 4)

    def observe(part: np.ndarray) -> None:
        for start in range(0, len(part), 7):
            monitor.observe(part[start : start + 7], names)

    threads = [threading.Thread(target=observe, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reference = DriftMonitor(shipped, window_rows=100_000)
    reference.observe(matrix[:8_000], names)
    assert monitor.rows == 8_000
    assert monitor.psi() == pytest.approx(reference.psi())


def test_a_model_without_baseline_is_refused(shipped) -> None:
    with pytest.raises(ValueError, match="no training baseline"):
        DriftMonitor(shipped.model_copy(update={"distributions": {}}))
