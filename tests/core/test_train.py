"""The demo model: deterministic data, and a shipped artifact that retraining reproduces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

import scoregate.app
from scoregate.core.contract import FeatureKind, ModelMetadata
from scoregate.core.evaluation import auc
from scoregate.core.train import generate_dataset, train_demo

SHIPPED = Path(scoregate.app.__file__).parent / "defaults" / "models" / "credit-risk" / "1"


@pytest.fixture(scope="module")
def shipped() -> ModelMetadata:
    return ModelMetadata.model_validate_json((SHIPPED / "metadata.json").read_text())


@pytest.fixture(scope="module")
def retrained(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModelMetadata, Path]:
    out = tmp_path_factory.mktemp("credit-risk") / "1"
    return train_demo(out), out  # the defaults are the shipped artifact's


def test_retraining_reproduces_the_shipped_artifact(shipped, retrained, demo_xgboost_line):
    meta, out = retrained
    assert ModelMetadata.model_validate_json((out / "metadata.json").read_text()) == meta
    assert (meta.name, meta.version) == (shipped.name, shipped.version) == ("credit-risk", "1")
    assert meta.feature_schema == shipped.feature_schema
    assert meta.bands == shipped.bands
    assert meta.contributions == shipped.contributions == "approx"
    assert meta.metrics is not None and shipped.metrics is not None
    assert meta.metrics.rows == shipped.metrics.rows
    assert meta.metrics.threshold == shipped.metrics.threshold
    assert meta.distributions.keys() == shipped.distributions.keys()
    for name, dist in meta.distributions.items():  # from the data alone: the same on any XGBoost
        assert dist.edges == pytest.approx(shipped.distributions[name].edges), name
        assert dist.proportions == pytest.approx(shipped.distributions[name].proportions, abs=1e-3), name
    # Another XGBoost release line grows other trees: an equally good model, not the same one.
    same_line, trained_by = demo_xgboost_line
    assert meta.metrics.auc == pytest.approx(shipped.metrics.auc, abs=0.01)
    if not same_line:
        pytest.skip(f"the shipped model was trained by XGBoost {trained_by}: metrics reproduce within that line only")
    for metric in ("auc", "precision", "recall", "f1"):
        assert getattr(meta.metrics, metric) == pytest.approx(getattr(shipped.metrics, metric), abs=1e-3), metric


def test_shipped_booster_scores_generated_rows(shipped, retrained, demo_xgboost_line):
    booster = xgb.Booster(model_file=str(SHIPPED / "model.ubj"))
    assert tuple(booster.feature_names) == shipped.feature_schema.names
    assert booster.num_features() == len(shipped.feature_schema.features)
    matrix, _, _ = generate_dataset(64, seed=7)
    probabilities = booster.inplace_predict(matrix, missing=np.nan, validate_features=False)
    assert probabilities.shape == (64,)
    assert np.all((probabilities > 0) & (probabilities < 1))
    # The shipped trees are the ones retraining produces, not merely equally good ones.
    same_line, trained_by = demo_xgboost_line
    if not same_line:
        pytest.skip(f"the shipped trees were grown by XGBoost {trained_by}: retraining reproduces them within that line only")
    again = xgb.Booster(model_file=str(retrained[1] / "model.ubj"))
    np.testing.assert_allclose(again.inplace_predict(matrix), probabilities, atol=1e-3)


def test_shipped_metrics_are_plausible(shipped):
    m = shipped.metrics
    assert m is not None
    assert m.auc > 0.7
    assert m.rows == shipped.training["holdout_rows"] == 8_000
    assert 0 < m.precision <= 1 and 0 < m.recall <= 1 and 0 < m.f1 <= 1
    assert m.threshold == shipped.bands[-2].upper  # where DECLINE starts
    assert [b.name for b in shipped.bands] == ["APPROVE", "REVIEW", "DECLINE"]
    assert 0.10 <= shipped.training["train_default_rate"] <= 0.20


def test_shipped_distributions_match_the_schema(shipped):
    for spec in shipped.feature_schema.features:
        dist = shipped.distributions[spec.name]
        assert sum(dist.proportions) == pytest.approx(1.0, abs=1e-5), spec.name
        assert 0 <= dist.missing < 1
        assert dist.missing == 0 or spec.nullable, spec.name
        if spec.kind is FeatureKind.CATEGORY:
            assert dist.edges == () and len(dist.proportions) == len(spec.codes)
        else:
            assert len(dist.edges) == len(dist.proportions) - 1 <= 10
            assert list(dist.edges) == sorted(set(dist.edges))


def test_generator_is_deterministic():
    x1, y1, s1 = generate_dataset(3_000, seed=11)
    x2, y2, s2 = generate_dataset(3_000, seed=11)
    assert x1.dtype == np.float64 and x1.shape == (3_000, len(s1.features))
    np.testing.assert_array_equal(x1, x2)  # NaN positions included: NaN == NaN here
    np.testing.assert_array_equal(y1, y2)
    assert s1 == s2
    x3, _, _ = generate_dataset(3_000, seed=12)
    assert not np.array_equal(x1, x3, equal_nan=True)


def test_generator_respects_the_schema():
    matrix, labels, schema = generate_dataset(20_000, seed=3)
    assert len(schema.features) == 20
    assert len({f.reason_code for f in schema.features}) == 20
    assert set(np.unique(labels)) == {0.0, 1.0}
    assert 0.10 <= labels.mean() <= 0.20
    for i, spec in enumerate(schema.features):
        column = matrix[:, i]
        missing = np.isnan(column)
        assert spec.nullable or not missing.any(), f"{spec.name} is not nullable"
        assert not spec.nullable or missing.any(), f"{spec.name} is nullable but never missing"
        present = column[~missing]
        if spec.kind is FeatureKind.CATEGORY:
            assert set(np.unique(present)) == set(range(len(spec.codes))), spec.name
            continue
        if spec.kind is FeatureKind.INTEGER:
            assert np.array_equal(present, np.round(present)), spec.name
        assert spec.minimum is None or present.min() >= spec.minimum, spec.name
        assert spec.maximum is None or present.max() <= spec.maximum, spec.name
    # Months since last delinquency exists whenever there was one in the last two years.
    delinquencies = matrix[:, schema.index("delinquencies_2y")]
    since = matrix[:, schema.index("months_since_last_delinquency")]
    assert np.all(since[delinquencies > 0] < 24)


def test_auc_handles_ties():
    labels = np.array([0, 0, 1, 1, 0, 1])
    assert auc(labels, np.array([0.1, 0.2, 0.8, 0.9, 0.3, 0.7])) == 1.0
    assert auc(labels, np.full(6, 0.5)) == 0.5
    # one positive tied with one negative counts half: (3*3 - 0.5) / 9
    assert auc(labels, np.array([0.1, 0.2, 0.8, 0.9, 0.7, 0.7])) == pytest.approx(8.5 / 9)
