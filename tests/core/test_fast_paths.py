"""The single-row and micro-batch shortcuts give exactly what the general code gives.

Each shortcut (direct XGBoost call, inline checks of common values, per-value score buckets,
scoring a lone caller on the event loop) is compared with the path it short-cuts, on the same
input.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoregate.core import convert
from scoregate.core.runtime import xgboost_direct as predict
from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ColumnBatch, FeatureKind, FeatureSchema, FeatureSpec, ScoreRequest
from scoregate.core.errors import FieldViolation, ViolationCode
from scoregate.core.metrics import CoreMetrics
from scoregate.core.registry import load_version
from scoregate.core.scoring import Scorer
from scoregate.core.train import SCHEMA as DEMO_SCHEMA
from scoregate.core.encoder import encode_features
from scoregate.core.encoder import encode_value as _encode_value

SCHEMA = FeatureSchema(
    features=(
        FeatureSpec(name="income", kind=FeatureKind.NUMBER, minimum=0, maximum=1e6),
        FeatureSpec(name="age", kind=FeatureKind.INTEGER, minimum=18, maximum=100),
        FeatureSpec(name="dti", kind=FeatureKind.NUMBER, minimum=0, nullable=True),  # no upper bound
        FeatureSpec(name="score", kind=FeatureKind.NUMBER),  # no bounds at all
        FeatureSpec(name="home", kind=FeatureKind.CATEGORY, codes=("RENT", "OWN", "10"), nullable=True),
    )
)

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=2_000_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 18.0, 18.5, 100.0, 100.0000001, 1e6, -0.0, 10, "10", "OWN", "own", "RENT", "", "x"]),
)


def reference(schema: FeatureSchema, features: dict) -> tuple[np.ndarray, list[FieldViolation]]:
    """encode_features as value-by-value calls of _encode_value, without the shortcuts."""
    violations = [
        FieldViolation(field=n, code=ViolationCode.UNKNOWN_FEATURE, message="is not a feature of this model")
        for n in features
        if n not in schema
    ]
    cells = []
    for spec in schema.features:
        cell, problem = _encode_value(spec, features.get(spec.name))
        cells.append(cell)
        if problem is not None:
            violations.append(problem)
    return np.array([cells]), violations


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from([*SCHEMA.names, "unknown"]), values))
def test_encode_features_agrees_with_the_value_by_value_path(features) -> None:
    row, violations = encode_features(SCHEMA, features)
    expected_row, expected_violations = reference(SCHEMA, features)
    assert row.dtype == np.float64 and row.shape == (1, len(SCHEMA.features))
    np.testing.assert_array_equal(row, expected_row)  # NaN where NaN
    assert violations == expected_violations


@pytest.fixture(scope="module")
def model(demo_artifact):
    return load_version(demo_artifact, xgb_threads=1)


def test_direct_prediction_is_inplace_predict_exactly(model, demo_rows) -> None:
    scorer = Scorer(model)
    details = model.runtime.describe().details
    assert details["direct_predict"] and details["direct_contributions"], "the direct XGBoost calls were not taken for the demo model"
    for matrix in (demo_rows[:1], demo_rows[:7], demo_rows, np.asfortranarray(demo_rows), demo_rows[::3]):
        expected = model.runtime.booster.inplace_predict(np.ascontiguousarray(matrix), missing=np.nan, validate_features=False)
        np.testing.assert_array_equal(scorer.probabilities(matrix), np.asarray(expected, dtype=np.float64))


def test_direct_prediction_from_many_threads_at_once_gives_each_its_own_rows(model, demo_rows) -> None:
    # Each thread has its own proxy DMatrix holding the input of its call; XGBoost releases the
    # GIL, so these calls overlap for real.
    scorer = Scorer(model)
    slices = [demo_rows[i : i + 1 + i % 9] for i in range(0, 64)]
    expected = [np.asarray(model.runtime.booster.inplace_predict(m, missing=np.nan, validate_features=False), np.float64) for m in slices]

    def predict_all(offset: int) -> bool:
        return all(
            np.array_equal(scorer.probabilities(slices[(offset + k) % 64]), expected[(offset + k) % 64]) for k in range(300)
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(predict_all, [0, 17, 33, 50]))


def test_scores_are_the_same_with_the_direct_call_or_inplace_predict(model, demo_artifact, demo_rows, monkeypatch) -> None:
    fast = Scorer(model)
    # The fault (a direct call that disagrees with inplace_predict) cannot be produced with a real
    # XGBoost, so the check is forced to fail here to take the fallback.
    monkeypatch.setattr(predict.DensePredictor, "agrees", lambda self, columns: False)
    monkeypatch.setattr(predict.DenseContributions, "agrees", lambda self, columns: False)
    slow = Scorer(load_version(demo_artifact, xgb_threads=1))  # the checks run when the runtime loads
    details = slow.model.runtime.describe().details
    assert not details["direct_predict"] and not details["direct_contributions"]
    rejects = {2: (), 5: ()}
    for args in ((demo_rows, 0), (demo_rows[:1], 0), (demo_rows[:40], 3), (demo_rows[:40], 0, rejects), (demo_rows[:0], 0)):
        a, b = fast.score(*args), slow.score(*args)
        np.testing.assert_array_equal(a.probabilities, b.probabilities)
        np.testing.assert_array_equal(a.decisions, b.decisions)
        np.testing.assert_array_equal(a.reason_features, b.reason_features)
        np.testing.assert_array_equal(a.reason_contributions, b.reason_contributions)
        assert a.rejects == b.rejects


def test_score_buckets_of_micro_batches_equal_those_of_one_big_batch() -> None:
    rng = np.random.default_rng(1)
    scores = np.concatenate([rng.random(300), np.round(np.arange(0.05, 1.0001, 0.05), 2), [0.0, 1.0, math.nan]])
    small, big, mixed = CoreMetrics(), CoreMetrics(), CoreMetrics()
    for i in range(0, len(scores), 3):
        small.scores.add("m", "1", scores[i : i + 3])
    big.scores.add("m", "1", scores)
    mixed.scores.add("m", "1", scores[:100])
    for i in range(100, len(scores), 5):
        mixed.scores.add("m", "1", scores[i : i + 5])
    small.scores.add("m", "1", np.array([math.nan]))  # a rejected row alone adds nothing

    def buckets(metrics: CoreMetrics) -> list[float | None]:
        labels = {"model": "m", "version": "1"}
        bounds = [f"{b:g}" for b in np.round(np.arange(0.05, 0.96, 0.05), 2)] + ["+Inf"]
        return [metrics.registry.get_sample_value("scoregate_core_score_bucket", {**labels, "le": le}) for le in bounds] + [
            metrics.registry.get_sample_value("scoregate_core_score_count", labels),
            round(metrics.registry.get_sample_value("scoregate_core_score_sum", labels), 9),
        ]

    expected = buckets(big)
    assert expected[-3] == len(scores) - 1  # every score but the NaN, in the +Inf bucket
    assert buckets(small) == expected
    assert buckets(mixed) == expected


def test_a_lone_caller_is_scored_on_the_event_loop_and_counted(core, applicant) -> None:
    batcher = core.server.batcher
    before_alone, before_rows = batcher.alone_rows, core.server.metrics.rows.labels("credit-risk", "1", "single")._value.get()
    with ScoringClient(core.client_settings()) as client:
        results = [client.score(ScoreRequest(request_id=f"r{i}", model="credit-risk", features=applicant)) for i in range(5)]
    assert [r.request_id for r in results] == [f"r{i}" for i in range(5)]
    assert len({r.probability for r in results}) == 1
    # Each call starts after the previous answer arrived; its RPC's end is reported to the core
    # just after the answer is sent, which a heavily loaded machine may delay now and then.
    assert batcher.alone_rows - before_alone >= 3
    assert core.server.metrics.rows.labels("credit-risk", "1", "single")._value.get() - before_rows == 5


def test_a_lone_callers_small_batches_are_scored_on_the_event_loop_and_large_ones_on_a_thread(core, demo_rows) -> None:
    service = core.server.service
    small = ColumnBatch(DEMO_SCHEMA.names, demo_rows[:100])
    large = ColumnBatch(DEMO_SCHEMA.names, np.tile(demo_rows, (5, 1)))  # 2,500 rows: above the loop's limit
    with ScoringClient(core.client_settings()) as client:
        expected = client.score_batch(small, "credit-risk").probabilities  # the first call may take the thread path
        before = service.batches_on_loop
        results = [client.score_batch(small, "credit-risk") for _ in range(5)]
        on_loop = service.batches_on_loop - before
        big = client.score_batch(large, "credit-risk")
        with_reasons = client.score_batch(small, "credit-risk", reason_count=3)  # 100 rows x 10-20 us of reasons
        assert service.batches_on_loop - before == on_loop
    assert all(np.array_equal(r.probabilities, expected) for r in results)
    # Sequential calls are lone callers'; every 8th lone call probes the thread path, and a heavily
    # loaded machine may report an RPC's end after the next one began.
    assert on_loop >= 3
    assert np.array_equal(big.probabilities[:100], expected)
    assert np.array_equal(with_reasons.probabilities, expected) and with_reasons.reason_features.shape == (100, 3)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
                  st.floats(allow_nan=False), st.text(max_size=8)),
        max_size=25,
    )
)
def test_request_features_arrive_in_the_core_as_they_were_sent(features) -> None:
    # The client fills the protobuf map in place and the core reads it back key by key; booleans
    # travel as integers (legacy 0/1 flags), as the contract says.
    request = ScoreRequest(request_id="r", model="m", features=features)
    wire = convert.to_proto_request(request).SerializeToString()
    received = convert.from_proto_features(pb.ScoreRequest.FromString(wire).features)
    expected = {k: int(v) if isinstance(v, bool) else v for k, v in request.features.items()}
    assert received == expected
    assert all(type(received[k]) is type(v) for k, v in expected.items())


def test_a_wide_prediction_gives_the_same_scores(model, demo_rows) -> None:
    scorer = Scorer(model)
    one, two = scorer.score(demo_rows, 0), scorer.score(demo_rows, 0, threads=2)
    np.testing.assert_array_equal(one.probabilities, two.probabilities)
    assert model.runtime.describe().details["wide_threads"] == "2"  # the 2-thread predictor agreed with inplace_predict


def test_a_lone_callers_large_batch_can_use_more_threads(core_factory, models_dir, demo_rows) -> None:
    from scoregate.core.client import ScoringClient
    from scoregate.core.contract import ColumnBatch

    core = core_factory(models_dir=models_dir, lone_batch_threads=2)
    with ScoringClient(core.client_settings()) as client:
        names = client.describe("credit-risk").feature_schema.names
        # Twice: every 8th lone call takes the scoring thread's path to look for company.
        for _ in range(2):
            big = client.score_batch(ColumnBatch(names, np.tile(demo_rows, (2, 1))), "credit-risk")
    scorer = core.server.registry.get("credit-risk", None)
    np.testing.assert_array_equal(big.probabilities, scorer.score(np.tile(demo_rows, (2, 1)), 0).probabilities)
    assert scorer.model.runtime.describe().details["wide_threads"] == "2"
