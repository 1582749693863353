"""Reason codes for chosen decision bands only: scored first, contributions for that subset."""

from __future__ import annotations

import numpy as np
import pytest

from scoregate.core.client import ScoringClient
from scoregate.core.contract import ColumnBatch, ScoreRequest
from scoregate.core.errors import InvalidInput
from scoregate.core.scoring import Scorer
from scoregate.core.registry import load_version

MODEL = "credit-risk"
ADVERSE = ("DECLINE", "REVIEW")


@pytest.fixture(scope="module")
def scorer(demo_artifact) -> Scorer:
    return Scorer(load_version(demo_artifact))


def test_only_rows_in_the_bands_get_reasons_and_theirs_are_unchanged(scorer, demo_rows) -> None:
    full = scorer.score(demo_rows, 4)
    banded = scorer.score(demo_rows, 4, bands=scorer.reason_bands(ADVERSE))
    adverse = np.isin([full.decision(i) for i in range(full.rows)], ADVERSE)
    assert adverse.any() and not adverse.all(), "the demo rows should hold approvals and adverse decisions"
    np.testing.assert_array_equal(banded.probabilities, full.probabilities)
    np.testing.assert_array_equal(banded.decisions, full.decisions)
    np.testing.assert_array_equal(banded.reason_features[adverse], full.reason_features[adverse])
    np.testing.assert_allclose(banded.reason_contributions[adverse], full.reason_contributions[adverse], rtol=1e-6)
    assert (banded.reason_features[~adverse] == -1).all() and (banded.reason_contributions[~adverse] == 0).all()
    assert all(banded.reasons(i) == () for i in np.flatnonzero(~adverse))


def test_rejected_rows_and_banded_reasons_together(scorer, demo_rows) -> None:
    rows = demo_rows[:40]
    rejects = {3: (), 17: ()}
    full = scorer.score(rows, 3, rejects)
    banded = scorer.score(rows, 3, rejects, scorer.reason_bands(("DECLINE",)))
    for i in range(rows.shape[0]):
        expected = full.reasons(i) if full.decision(i) == "DECLINE" else ()
        assert banded.reasons(i) == expected
    assert banded.decision(3) is None and banded.decision(17) is None


def test_an_unknown_band_is_the_callers_mistake(scorer) -> None:
    with pytest.raises(InvalidInput) as caught:
        scorer.reason_bands(("DECLINED",))
    assert caught.value.violations[0].field == "reason_bands"
    assert "APPROVE, REVIEW, DECLINE" in caught.value.violations[0].message


def test_the_core_answers_reasons_for_the_chosen_bands_over_every_call(shared_core, demo_rows) -> None:
    with ScoringClient(shared_core.client_settings()) as client:
        description = client.describe(MODEL)
        names = description.feature_schema.names
        rows = demo_rows[:60]
        full = client.score_batch(ColumnBatch(names, rows), MODEL, reason_count=3)
        banded = client.score_batch(ColumnBatch(names, rows), MODEL, reason_count=3, reason_bands=ADVERSE)
        streamed = next(client.score_stream([ColumnBatch(names, rows)], MODEL, reason_count=3, reason_bands=ADVERSE))
        for i in range(rows.shape[0]):
            expected = full.reasons(i) if full.decision(i) in ADVERSE else ()
            assert banded.reasons(i) == expected and streamed.reasons(i) == expected
        # Single requests (Score): the same rows as features.
        for i in (0, 1, 2, 3, 4, 5):
            features = {}
            for spec, value in zip(description.feature_schema.features, rows[i]):
                if np.isnan(value):
                    features[spec.name] = None
                elif spec.codes:
                    features[spec.name] = spec.codes[int(value)]
                else:
                    features[spec.name] = int(value) if spec.kind.value == "integer" else float(value)
            one = client.score(ScoreRequest(request_id=f"b{i}", model=MODEL, features=features, reason_count=3,
                                            reason_bands=ADVERSE))
            assert [r.feature for r in one.reasons] == [r.feature for r in (full.reasons(i) if full.decision(i) in ADVERSE else ())]
        with pytest.raises(InvalidInput):
            client.score_batch(ColumnBatch(names, rows), MODEL, reason_count=3, reason_bands=("MAYBE",))
