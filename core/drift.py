"""Drift: population stability of each feature in recent requests against its training baseline.

The baseline is ``ModelMetadata.distributions`` (core/evaluation.py bins the training data): per
numeric feature, inner bin edges and the share of present values per bin; per category, the share
per code; plus the share missing. :class:`DriftMonitor` counts incoming rows into the same bins
(missing values get a bin of their own) over a sliding window and reports the population
stability index (PSI) per feature::

    PSI = sum over bins of (actual - expected) * ln(actual / expected)

with both shares floored at ``EPSILON`` so an empty bin costs a bounded amount instead of
infinity. Rules of thumb: below 0.1 stable, 0.1-0.25 moderate shift, above 0.25 a real shift.

Cost: ``observe`` is a few whole-matrix numpy steps and one ``bincount`` per call, whatever the
row count (no Python loop per row); the PSI is computed when a bucket of rows closes (every
``window_rows / BUCKETS`` rows), not per request.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from scoregate.core.contract import FeatureKind, ModelMetadata

log = logging.getLogger(__name__)

DEFAULT_WINDOW_ROWS = 10_000
DEFAULT_THRESHOLD = 0.2
#: Floor for a bin's share in the PSI (an empty bin would make the index infinite).
EPSILON = 1e-4
#: The window is kept as this many buckets of rows: it slides by one bucket at a time.
BUCKETS = 20
#: Calls of up to this many rows bin every numeric feature in one broadcast comparison.
SMALL_CALL_ROWS = 256


@dataclass(frozen=True)
class Crossing:
    """A feature whose PSI went above the threshold (reported once until it falls back below)."""

    feature: str
    psi: float
    rows: int
    """Rows in the window when the crossing was seen."""


class DriftMonitor:
    """PSI per feature over the last ``window_rows`` observed rows; thread-safe.

    Once that many were seen, the window holds at least ``window_rows`` rows and at most one
    bucket (``window_rows / BUCKETS``) plus one ``observe`` call more. Crossings are checked when
    a bucket closes and only once the window holds ``min_rows`` rows (a PSI over few rows is
    mostly noise). A feature is reported when its
    PSI rises above ``threshold`` and re-armed when it falls below ``threshold * (1 - hysteresis)``,
    so a PSI hovering at the threshold does not warn on every bucket.
    """

    def __init__(
        self,
        metadata: ModelMetadata,
        window_rows: int = DEFAULT_WINDOW_ROWS,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        min_rows: int | None = None,
        hysteresis: float = 0.1,
        on_crossing: Callable[[Crossing], None] | None = None,
    ) -> None:
        if window_rows < 1:
            raise ValueError("window_rows must be at least 1")
        self.model = metadata.name
        self.version = metadata.version
        self.window_rows = window_rows
        self.threshold = threshold
        self.rearm_below = threshold * (1.0 - hysteresis)
        self.min_rows = min(window_rows, 1_000) if min_rows is None else min_rows
        self.on_crossing = on_crossing
        self._bucket_rows = max(1, window_rows // BUCKETS)
        specs = [f for f in metadata.feature_schema.features if f.name in metadata.distributions]
        if not specs:
            raise ValueError(f"model {metadata.name} version {metadata.version} has no training baseline")
        self.features: tuple[str, ...] = tuple(f.name for f in specs)
        # One flat vector of bins for all features: [bins of f0..., missing of f0, bins of f1, ...].
        # Categories get one extra bin for codes outside the schema (expected share 0).
        expected: list[np.ndarray] = []
        numeric: list[tuple[int, np.ndarray]] = []
        categories: list[tuple[int, int]] = []
        for j, spec in enumerate(specs):
            dist = metadata.distributions[spec.name]
            present = np.asarray(dist.proportions, dtype=np.float64) * (1.0 - dist.missing)
            if spec.kind is FeatureKind.CATEGORY:
                categories.append((j, len(present)))
                present = np.append(present, 0.0)
            else:
                numeric.append((j, np.asarray(dist.edges, dtype=np.float64)))
            expected.append(np.append(present, dist.missing))
        widths = np.array([len(e) for e in expected], dtype=np.int64)
        self._expected = np.maximum(np.concatenate(expected), EPSILON)
        self._offsets = np.concatenate([[0], np.cumsum(widths)])
        self._missing_bin = widths - 1
        self._num_cols = np.array([j for j, _ in numeric], dtype=np.int64)
        self._num_edges = [edges for _, edges in numeric]
        # Edges padded with +inf, for counting "edges below x" of small calls in one broadcast.
        longest = max((len(e) for e in self._num_edges), default=0)
        self._num_padded = np.full((len(numeric), longest), np.inf)
        for i, edges in enumerate(self._num_edges):
            self._num_padded[i, : len(edges)] = edges
        self._cat_cols = np.array([j for j, _ in categories], dtype=np.int64)
        self._cat_sizes = np.array([n for _, n in categories], dtype=np.float64)
        self._columns: dict[tuple[str, ...], np.ndarray] = {}
        self._lock = threading.Lock()
        self._buckets: deque[tuple[int, np.ndarray]] = deque()
        self._current = np.zeros(int(self._offsets[-1]), dtype=np.int64)
        self._current_rows = 0
        self._window = np.zeros(int(self._offsets[-1]), dtype=np.int64)  # completed buckets + current
        self._window_rows = 0
        self._above: set[str] = set()
        self._pending: list[Crossing] = []

    @property
    def rows(self) -> int:
        """Rows in the window now."""
        with self._lock:
            return self._window_rows

    def observe(self, matrix: np.ndarray, feature_names: Sequence[str]) -> None:
        """Count rows (float64, NaN for missing, categories as code indexes) into the window."""
        if matrix.ndim != 2 or matrix.shape[1] != len(feature_names):
            raise ValueError(f"matrix shape {matrix.shape} does not match {len(feature_names)} feature names")
        if len(matrix) > self.window_rows:
            matrix = matrix[-self.window_rows :]  # older rows would leave the window at once
        counts = self._count(matrix, self._columns_of(tuple(feature_names)))
        rows = len(matrix)
        with self._lock:
            self._current += counts
            self._current_rows += rows
            self._window += counts
            self._window_rows += rows
            if self._current_rows < self._bucket_rows:
                return
            self._buckets.append((self._current_rows, self._current))
            self._current = np.zeros_like(self._current)
            self._current_rows = 0
            while self._buckets and self._window_rows - self._buckets[0][0] >= self.window_rows:
                old_rows, old = self._buckets.popleft()
                self._window -= old
                self._window_rows -= old_rows
            crossings = self._check()
        for crossing in crossings:
            log.warning(
                "drift: model %s version %s feature %s PSI %.3f above %.3f over the last %d rows",
                self.model, self.version, crossing.feature, crossing.psi, self.threshold, crossing.rows,
            )
            if self.on_crossing is not None:
                self.on_crossing(crossing)

    def psi(self) -> dict[str, float]:
        """PSI per feature over the window now (0.0 for every feature while the window is empty)."""
        with self._lock:
            return dict(zip(self.features, self._psi().tolist()))

    def crossings(self) -> list[Crossing]:
        """Crossings seen since the last call (each also logged as a warning when it happened)."""
        with self._lock:
            pending, self._pending = self._pending, []
        return pending

    def _columns_of(self, names: tuple[str, ...]) -> np.ndarray:
        columns = self._columns.get(names)
        if columns is None:
            positions = {name: i for i, name in enumerate(names)}
            missing = [f for f in self.features if f not in positions]
            if missing:
                raise ValueError(f"matrix lacks features {missing}")
            columns = self._columns[names] = np.array([positions[f] for f in self.features], dtype=np.int64)
        return columns

    def _count(self, matrix: np.ndarray, columns: np.ndarray) -> np.ndarray:
        data = matrix[:, columns]
        bins = np.empty(data.shape, dtype=np.int64)
        numbers = data[:, self._num_cols]
        # Bin = number of edges strictly below x: searchsorted's left side, as core/evaluation.py
        # bins the training data. Small calls (single requests) broadcast over all features at once.
        if len(data) <= SMALL_CALL_ROWS:
            bins[:, self._num_cols] = (self._num_padded < numbers[:, :, None]).sum(axis=2)
        else:
            for i, edges in enumerate(self._num_edges):
                bins[:, self._num_cols[i]] = np.searchsorted(edges, numbers[:, i])
        codes = data[:, self._cat_cols]
        valid = (codes >= 0) & (codes < self._cat_sizes) & (codes == np.floor(codes))
        bins[:, self._cat_cols] = np.where(valid, codes, self._cat_sizes)  # outside the codes: extra bin
        bins = np.where(np.isnan(data), self._missing_bin, bins)
        return np.bincount((bins + self._offsets[:-1]).ravel(), minlength=int(self._offsets[-1]))

    def _psi(self) -> np.ndarray:
        if not self._window_rows:
            return np.zeros(len(self.features))
        actual = np.maximum(self._window / self._window_rows, EPSILON)
        terms = (actual - self._expected) * np.log(actual / self._expected)
        return np.add.reduceat(terms, self._offsets[:-1])

    def _check(self) -> list[Crossing]:
        if self._window_rows < self.min_rows:
            return []
        crossings = []
        for feature, value in zip(self.features, self._psi().tolist()):
            if feature not in self._above and value > self.threshold:
                self._above.add(feature)
                crossings.append(Crossing(feature, round(value, 6), self._window_rows))
            elif feature in self._above and value < self.rearm_below:
                self._above.discard(feature)
                log.info("drift: model %s feature %s PSI %.3f back below %.3f", self.model, feature, value, self.threshold)
        self._pending.extend(crossings)
        return crossings
