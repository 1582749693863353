"""Figures on outcomes drawn from the demo data's own label process (``core.train.generate_dataset``),
scored by the shipped demo model, against scikit-learn's computation on the same rows; champion
against a deliberately weakened challenger (the same model, blind to the bureau features)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from outcome_support import ROWS, band
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

from scoregate.adapters.decisions.records import DecisionRecord
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.outcomes.records import Outcome
from scoregate.adapters.outcomes.report import compare_outcomes, performance
from scoregate.adapters.outcomes.store import open_outcome_store
from scoregate.core import performance as perf

def test_figures_match_a_direct_computation_on_the_same_rows(store, loans: dict[str, np.ndarray]) -> None:
    result = performance(store, "credit-risk")
    assert list(result) == [("1", "2026-01"), ("2", "2026-01"), ("1", "2026-02"), ("2", "2026-02")]
    for (version, period), got in result.items():
        rows = loans["month"] == int(period[-2:])
        rows[ROWS - 10:] = False
        bad, p = loans["bad"][rows], loans["champion" if version == "1" else "challenger"][rows]
        assert got["outcomes"] == rows.sum() and got["defaults"] == bad.sum()
        assert got["auc"] == pytest.approx(roc_auc_score(bad, p), abs=1e-12)
        assert got["gini"] == pytest.approx(2 * roc_auc_score(bad, p) - 1, abs=1e-12)
        assert got["brier"] == pytest.approx(brier_score_loss(bad, p), abs=1e-12)
        fpr, tpr, _ = roc_curve(bad, p)
        assert got["ks"] == pytest.approx(np.max(tpr - fpr), abs=1e-12)
        decile = np.clip((np.argsort(np.argsort(p, kind="stable")) * 10) // len(p), 0, 9)  # no ties among these scores
        assert [c["count"] for c in got["calibration"]] == np.bincount(decile).tolist()
        assert [c["observed"] for c in got["calibration"]] == pytest.approx([bad[decile == d].mean() for d in range(10)])
        assert [c["predicted"] for c in got["calibration"]] == pytest.approx([p[decile == d].mean() for d in range(10)])
        declined = np.array([band(x) == "DECLINE" for x in p])
        last = got["bands"][-1]
        assert last["band"] == "DECLINE" and last["precision"] == pytest.approx(bad[declined].mean())
        assert last["recall"] == pytest.approx(bad[declined].sum() / bad.sum())
        everyone = rows | (loans["month"] == int(period[-2:]))
        approved = np.array([band(x) == "APPROVE" for x in loans["champion" if version == "1" else "challenger"][everyone]])
        assert got["decisions"] == everyone.sum() and got["approval_rate"] == pytest.approx(approved.mean())
        assert got["coverage"] == pytest.approx(rows.sum() / everyone.sum())


def test_figures_are_kept_and_only_the_period_a_new_outcome_falls_in_is_computed_again(store, loans) -> None:
    first = performance(store, "credit-risk")
    assert set(store.cached("credit-risk", "month")) == set(first)
    store.add([Outcome.parse(f"A{ROWS - 1:07d}", "paid", "2026-10-31")])
    store.refresh()
    assert set(store.cached("credit-risk", "month")) == {("1", "2026-01"), ("2", "2026-01")}
    assert store.counts().late == 1
    again = performance(store, "credit-risk")
    assert again[("1", "2026-02")]["outcomes"] == first[("1", "2026-02")]["outcomes"] + 1
    assert again[("1", "2026-01")] == first[("1", "2026-01")]
    by_quarter = performance(store, "credit-risk", by="quarter", version="2")
    assert list(by_quarter) == [("2", "2026-Q1")] and by_quarter[("2", "2026-Q1")]["outcomes"] == ROWS - 9


def test_the_champion_beats_a_weakened_challenger_with_an_interval_that_excludes_zero(store, loans) -> None:
    result = compare_outcomes(store, "credit-risk")
    assert (result.champion, result.challenger, result.loans) == ("1", "2", ROWS - 10)
    bad, a, b = loans["bad"][: ROWS - 10], loans["champion"][: ROWS - 10], loans["challenger"][: ROWS - 10]
    assert result.auc.first == pytest.approx(roc_auc_score(bad, a), abs=1e-12)
    assert result.auc.difference == pytest.approx(roc_auc_score(bad, a) - roc_auc_score(bad, b), abs=1e-12)
    assert result.auc.low > 0 and result.auc.significant


def test_delong_interval_covers_a_bootstrap_estimate(loans) -> None:
    """The interval's width against the bootstrap's spread of the same difference (a method check)."""
    bad, a, b = loans["bad"], loans["champion"], loans["challenger"]
    result = perf.delong(bad, a, b)
    rng = np.random.default_rng(5)
    draws = []
    for _ in range(200):
        i = rng.integers(0, len(bad), len(bad))
        draws.append(perf.auc(bad[i], a[i]) - perf.auc(bad[i], b[i]))
    assert (result.high - result.low) / (2 * perf.Z95) == pytest.approx(np.std(draws), rel=0.25)


def test_too_few_outcomes_give_counts_without_figures(tmp_path: Path) -> None:
    audit = tmp_path / "audit.sqlite"
    at = datetime(2026, 5, 1, tzinfo=UTC)
    with AuditLog(audit) as log:
        log.record([DecisionRecord(time=at, channel="soap", reference=f"R{i}", request_id=f"q{i}", model="m", version="1",
                                   probability=0.1 * i, decision="APPROVE" if i < 2 else "DECLINE") for i in range(5)])
    with open_outcome_store("sqlite", audit=audit) as store:
        store.add([Outcome.parse("R1", "paid", "2026-06-01"), Outcome.parse("R4", "default", "2026-06-01")])
        got = performance(store, "m", min_outcomes=3)[("1", "2026-05")]
        assert "auc" not in got and (got["decisions"], got["outcomes"], got["coverage"], got["approval_rate"]) == (5, 2, 0.4, 0.4)
