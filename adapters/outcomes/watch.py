"""The gateway's outcome watcher: joins new outcomes and decisions every ``refresh_s``, sets the
Prometheus gauges of each model version's latest figures, and warns (log) when a version's AUC
falls below the floor or the challenger beats the champion by the margin.

Gauges (labels ``model``, ``version``; the figures of the latest period with enough outcomes):
``scoregate_model_auc``, ``_gini``, ``_ks``, ``_brier``, ``_default_rate``, ``_coverage``,
``_approval_rate``, ``_outcomes``; ``scoregate_model_auc_difference{model, champion, challenger,
bound}`` (bound: estimate, low, high of DeLong's 95% interval); ``scoregate_outcomes{state}``
(matched, unknown, duplicate, contradictory, late).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Gauge

from scoregate.adapters.outcomes.report import DEFAULT_MIN_OUTCOMES, compare_outcomes, performance
from scoregate.adapters.outcomes.store import OutcomeStore
from scoregate.adapters.state.postgres_pool import StateUnavailable

log = logging.getLogger(__name__)

FIGURES = ("auc", "gini", "ks", "brier", "default_rate", "coverage", "approval_rate", "outcomes")
STATES = ("matched", "unknown", "duplicate", "contradictory", "late")


@dataclass(frozen=True)
class WatchSettings:
    auc_floor: float | None = None
    """Warn when a version's latest AUC is below this; None: no floor."""
    challenger_margin: float = 0.01
    """Warn when the shadow version's AUC beats the answering one's by this much."""
    min_outcomes: int = DEFAULT_MIN_OUTCOMES
    refresh_s: float = 60.0


class OutcomeWatcher:
    def __init__(self, store: Callable[[], OutcomeStore], registry: CollectorRegistry, settings: WatchSettings) -> None:
        self._store = store
        self.settings = settings
        self.gauges = {
            name: Gauge(f"scoregate_model_{name}", f"Latest {name.replace('_', ' ')} of a model version on real outcomes.",
                        ["model", "version"], registry=registry)
            for name in FIGURES
        }
        self.difference = Gauge("scoregate_model_auc_difference", "Champion AUC minus challenger AUC on the same"
                                " requests' outcomes (DeLong 95% interval bounds).",
                                ["model", "champion", "challenger", "bound"], registry=registry)
        self.states = Gauge("scoregate_outcomes", "Outcomes received, by what became of them.", ["state"], registry=registry)
        self.warnings: list[str] = []
        """The warnings of the latest round (also logged)."""
        self._compared: dict[str, object] = {}
        self._generation = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[str]:
        """One round: join what is new, set the gauges, return (and log) the warnings."""
        store, s, warnings = self._store(), self.settings, []
        store.refresh()
        generation = store.generation()  # an intake channel's own refresh counts too
        if generation != self._generation:
            self._compared, self._generation = {}, generation
        counts = store.counts()
        for state in STATES:
            self.states.labels(state).set(getattr(counts, state))
        for model in store.models():
            latest: dict[str, tuple[str, dict]] = {}
            for (version, period), f in performance(store, model, "month", min_outcomes=s.min_outcomes, refresh=False).items():
                if f.get("auc") is not None:
                    latest[version] = (period, f)
            for version, (period, f) in latest.items():
                for name in FIGURES:
                    if f.get(name) is not None:
                        self.gauges[name].labels(model, version).set(f[name])
                if s.auc_floor is not None and f["auc"] < s.auc_floor:
                    warnings.append(f"{model} version {version}: AUC {f['auc']:.3f} in {period} is below the floor {s.auc_floor}")
            if model not in self._compared:  # it reads every joined row of the model: only when they changed
                self._compared[model] = compare_outcomes(store, model, refresh=False)
            result = self._compared[model]
            if result is not None and result.auc is not None:
                d = result.auc
                for bound, value in (("estimate", d.difference), ("low", d.low), ("high", d.high)):
                    self.difference.labels(model, result.champion, result.challenger, bound).set(value)
                if d.second - d.first >= s.challenger_margin:
                    warnings.append(f"{model}: challenger {result.challenger} beats champion {result.champion} by"
                                    f" {d.second - d.first:.4f} AUC on {result.loans} outcomes (95% CI of champion minus"
                                    f" challenger [{d.low:+.4f}, {d.high:+.4f}])")
        for line in warnings:
            log.warning("outcomes: %s", line)
        self.warnings = warnings
        return warnings

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outcome-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        down = ""
        while not self._stop.is_set():
            try:
                self.check()
                down = ""
            except StateUnavailable as error:  # PostgreSQL down: said once, not a traceback a round
                if str(error) != down:
                    log.warning("outcomes: %s; the figures wait", error)
                down = str(error)
            except Exception:  # noqa: BLE001 - the watcher must outlive one bad round (a locked file)
                log.exception("outcomes: the figures could not be computed this round")
            self._stop.wait(self.settings.refresh_s)
