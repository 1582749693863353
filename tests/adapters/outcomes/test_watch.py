"""The gateway's outcome watcher: the gauges hold the latest figures, and the warnings fire."""

from __future__ import annotations

import pytest
from outcome_support import ROWS
from prometheus_client import CollectorRegistry

from scoregate.adapters.outcomes.report import performance
from scoregate.adapters.outcomes.watch import OutcomeWatcher, WatchSettings


def test_gauges_hold_the_latest_figures_and_the_floor_warns(store, loans) -> None:  # noqa: ANN001
    registry = CollectorRegistry()
    watcher = OutcomeWatcher(lambda: store, registry, WatchSettings(auc_floor=0.99, challenger_margin=0.0))
    warnings = watcher.check()
    latest = performance(store, "credit-risk")[("1", "2026-02")]
    value = lambda name, **labels: registry.get_sample_value(name, labels)  # noqa: E731
    assert value("scoregate_model_auc", model="credit-risk", version="1") == pytest.approx(latest["auc"])
    assert value("scoregate_model_coverage", model="credit-risk", version="1") == pytest.approx(latest["coverage"])
    assert value("scoregate_model_outcomes", model="credit-risk", version="2") == ROWS // 2 - 10
    low = value("scoregate_model_auc_difference", model="credit-risk", champion="1", challenger="2", bound="low")
    assert low > 0
    assert value("scoregate_outcomes", state="matched") == ROWS - 10
    assert any("version 1: AUC" in w and "below the floor 0.99" in w for w in warnings)
    assert any("version 2: AUC" in w for w in warnings)
    # The challenger is behind: the margin warning fires only the other way round.
    assert not any("beats champion" in w for w in warnings)
    watcher.settings = WatchSettings(auc_floor=None, challenger_margin=-1.0)
    assert any("challenger 2 beats champion 1" in w and f"on {ROWS - 10} outcomes" in w for w in watcher.check())
    # An intake channel joins the last outcomes itself: the next round still compares on them.
    from outcome_support import outcomes_of  # noqa: PLC0415

    store.add(outcomes_of(loans)[ROWS - 10:])
    store.refresh()
    assert any(f"on {ROWS} outcomes" in w for w in watcher.check())
