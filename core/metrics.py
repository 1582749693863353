"""Prometheus metrics of the scoring core.

Each CoreServer has its own registry (several cores can live in one test process). Score
distributions are kept as numpy bucket counts and exported by a custom collector: a batch of a
million scores is one ``np.histogram`` call, not a million ``observe`` calls.
"""

from __future__ import annotations

import bisect
import threading

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import HistogramMetricFamily

SCORE_BUCKETS = np.round(np.arange(0.05, 1.0001, 0.05), 2)
_SCORE_BOUNDS = SCORE_BUCKETS.tolist()
_SMALL = 8  # batches up to this size are counted value by value (micro-batches: no numpy temporaries)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 1_000, 10_000, 100_000, 1_000_000)


class _ScoreDistribution:
    """Collector for ``scoregate_core_score`` by model and version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], np.ndarray] = {}  # cumulative ("le") counts per bound
        self._singles: dict[tuple[str, str], list[int]] = {}  # micro-batch scores, per bucket (not cumulative)
        self._sums: dict[tuple[str, str], float] = {}

    def add(self, model: str, version: str, probabilities: np.ndarray) -> None:
        key = (model, version)
        if probabilities.size <= _SMALL:
            # Micro-batches (and lone rows, on the event loop): plain Python, one bucket per score;
            # the cumulative counts are made when scraped.
            scores = [p for p in probabilities.tolist() if p == p]  # NaN (a rejected row) is not a score
            if not scores:
                return
            last = len(_SCORE_BOUNDS) - 1
            with self._lock:
                buckets = self._singles.get(key)
                if buckets is None:
                    buckets = self._singles[key] = [0] * len(_SCORE_BOUNDS)
                for score in scores:
                    buckets[min(bisect.bisect_left(_SCORE_BOUNDS, score), last)] += 1  # the first bound >= score
                self._sums[key] = self._sums.get(key, 0.0) + sum(scores)
            return
        valid = probabilities[~np.isnan(probabilities)]
        if not valid.size:
            return
        counts = np.searchsorted(np.sort(valid), SCORE_BUCKETS, side="right")  # count of scores <= each bound
        with self._lock:
            self._counts[key] = self._counts.get(key, np.zeros(len(SCORE_BUCKETS), dtype=np.int64)) + counts
            self._sums[key] = self._sums.get(key, 0.0) + float(valid.sum())

    def collect(self):  # noqa: ANN201 - prometheus collector protocol
        family = HistogramMetricFamily("scoregate_core_score", "Scores given, by model version.", labels=["model", "version"])
        with self._lock:
            for key in self._sums:
                counts = self._counts.get(key, np.zeros(len(SCORE_BUCKETS), dtype=np.int64))
                if key in self._singles:
                    counts = counts + np.cumsum(self._singles[key])
                buckets = [(f"{b:g}", int(c)) for b, c in zip(SCORE_BUCKETS, counts)]
                buckets[-1] = ("+Inf", int(counts[-1]))
                family.add_metric(list(key), buckets, self._sums[key])
        yield family


class CoreMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.rows = Counter(
            "scoregate_core_rows_scored", "Rows scored, by model version and RPC path.",
            ["model", "version", "path"], registry=self.registry,
        )
        self.rejected = Counter(
            "scoregate_core_rows_rejected", "Batch rows rejected by validation.", ["model", "version"], registry=self.registry
        )
        self.errors = Counter(
            "scoregate_core_errors", "Calls answered with a canonical error, by kind.", ["kind"], registry=self.registry
        )
        self.batch_rows = Histogram(
            "scoregate_core_batch_rows", "Rows per XGBoost call (micro-batches and batches).", ["path"],
            buckets=BATCH_BUCKETS, registry=self.registry,
        )
        self.queue_wait = Histogram(
            "scoregate_core_microbatch_wait_seconds", "Time a single-row request waited for its micro-batch.",
            buckets=(0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1), registry=self.registry,
        )
        self.scoring_seconds = Histogram(
            "scoregate_core_scoring_seconds", "Time of one XGBoost call (with reason codes when asked).",
            ["path"], registry=self.registry,
        )
        self.model_events = Counter(
            "scoregate_core_model_events", "Model versions loaded, failed or removed.", ["model", "version", "event"],
            registry=self.registry,
        )
        self.calls = Counter(
            "scoregate_core_calls", "Calls by caller (the access file's name for it, certificate or anonymous) and "
            "outcome (allowed, unauthenticated, denied).", ["caller", "outcome"], registry=self.registry,
        )
        self._call_children: dict[tuple[str, str], object] = {}
        self.scores = _ScoreDistribution()
        self.registry.register(self.scores)
        # Labelled children per (model, version, path): ``labels()`` takes a lock and builds a
        # key on every call, and ``scored`` runs once per micro-batch.
        self._children: dict[tuple[str, str, str], tuple] = {}

    def call(self, caller: str, outcome: str) -> None:
        """Count one call; ``caller`` is bounded by the access file (core/auth.py)."""
        child = self._call_children.get((caller, outcome))
        if child is None:
            child = self._call_children.setdefault((caller, outcome), self.calls.labels(caller, outcome))
        child.inc()

    def scored(self, model: str, version: str, path: str, probabilities: np.ndarray, rejected: int, seconds: float) -> None:
        key = (model, version, path)
        children = self._children.get(key)
        if children is None:
            children = self._children.setdefault(
                key, (self.rows.labels(model, version, path), self.batch_rows.labels(path), self.scoring_seconds.labels(path))
            )
        rows, batch_rows, scoring_seconds = children
        rows.inc(len(probabilities) - rejected)
        if rejected:
            self.rejected.labels(model, version).inc(rejected)
        batch_rows.observe(len(probabilities))
        scoring_seconds.observe(seconds)
        self.scores.add(model, version, probabilities)
