"""Figures per model version and period from an :class:`OutcomeStore`, and champion against
challenger on the same requests (``scoregate models performance`` / ``models compare``).

Incremental: :func:`performance` joins what is new (``store.refresh``), takes the figures the
store kept for periods nothing new fell in, and computes only the others, one period at a time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from scoregate.adapters.outcomes.records import months_of, period_of
from scoregate.adapters.outcomes.store import OutcomeStore
from scoregate.core import performance as perf

DEFAULT_MIN_OUTCOMES = 100
"""Fewer outcomes in a period (or no bad or no good one among them): counts only, no figures."""


def _band_order(volume_rows: list[tuple]) -> list[str]:
    """Decision bands least risky first: by the lowest probability each was given."""
    floors: dict[str, float] = {}
    for _v, _m, _s, decision, floor, _n in volume_rows:
        floors[decision] = min(floor, floors.get(decision, floor))
    return sorted(floors, key=floors.__getitem__)


def figures(bad: np.ndarray, probability: np.ndarray, decision: np.ndarray, bands: list[str],
            decisions: Counter, min_outcomes: int) -> dict:
    """One version's figures for one period (``decisions``: band -> decisions made, with or without outcome)."""
    made = sum(decisions.values())
    out: dict = {
        "decisions": made, "outcomes": int(len(bad)), "defaults": int(bad.sum()),
        "coverage": len(bad) / made if made else None,
        "approval_rate": decisions.get(bands[0], 0) / made if made and bands else None,
        "default_rate": float(bad.mean()) if len(bad) else None,
    }
    if len(bad) < min_outcomes or out["defaults"] in (0, len(bad)):
        return out
    auc = perf.auc(bad, probability)
    out.update(auc=auc, gini=2 * auc - 1, ks=perf.ks(bad, probability), brier=perf.brier(bad, probability),
               bands=perf.band_figures(bad, decision, bands), calibration=perf.calibration(bad, probability))
    return out


def performance(store: OutcomeStore, model: str, by: str = "month", version: str | None = None,
                min_outcomes: int = DEFAULT_MIN_OUTCOMES, refresh: bool = True) -> dict[tuple[str, str], dict]:
    """(version, period) -> figures, oldest period first; the store keeps what it computed.
    ``refresh``: join what is new first (False: the caller just did)."""
    if refresh:
        store.refresh()
    volume = store.volume(model)
    bands = _band_order(volume.rows)
    made: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for v, month, _s, decision, _f, n in volume.rows:
        made[(v, period_of(month, by))][decision] += n
    kept = store.cached(model, by)
    todo = sorted({p for (v, p) in made if (v, p) not in kept})
    computed: dict[tuple[str, str], dict] = {}
    for period in todo:
        joined = store.joined(model, months_of(period, by))
        for v in sorted({v for (v, p) in made if p == period}):
            rows = joined.version == v
            computed[(v, period)] = figures(joined.bad[rows], joined.probability[rows], joined.decision[rows], bands,
                                            made[(v, period)], min_outcomes)
    if computed:
        store.keep(model, by, computed)
    result = {**kept, **computed}
    return {k: result[k] for k in sorted(result, key=lambda k: (k[1], k[0])) if version is None or k[0] == version}


@dataclass
class OutcomeComparison:
    """The answered (champion) and the shadow (challenger) version on the same requests with an outcome."""

    champion: str
    challenger: str
    loans: int
    defaults: int
    auc: perf.AucDifference | None
    """DeLong's interval for champion minus challenger; None with too few loans of either class."""
    brier: tuple[float, float] | None = None


def compare_outcomes(store: OutcomeStore, model: str, months: list[str] | None = None,
                     refresh: bool = True) -> OutcomeComparison | None:
    """Champion against challenger on the requests both scored and that have an outcome; None if none."""
    if refresh:
        store.refresh()
    p = store.pairs(model, months)
    champion, challenger, bad, first, second = (p.champion, p.challenger, p.bad, p.champion_probability,
                                                p.challenger_probability)
    if not len(bad):
        return None
    try:
        difference = perf.delong(bad, first, second)
    except ValueError:
        difference = None
    return OutcomeComparison(champion, challenger, len(bad), int(bad.sum()), difference,
                             (perf.brier(bad, first), perf.brier(bad, second)))
