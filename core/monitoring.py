"""What the core watches in the data it scores: drift and data quality, per model and channel.

The core is where every channel's requests meet the model's metadata (its training baseline and
feature schema), from every gateway replica, so drift and data quality are measured here once
rather than in each gateway process.

- **Drift**: one :class:`~scoregate.core.drift.DriftMonitor` per model version and channel over
  the rows it scored (rejected rows are data quality, not population); PSI per feature exported
  as ``scoregate_core_feature_psi``; a crossing of the threshold is logged once (drift.py). A
  batch of more than ``DRIFT_SAMPLE_ROWS`` rows is binned as a sample: every k-th row from a
  random start, so the window of 10,000 rows spans more of a file's records.
- **Data quality**: ``scoregate_core_feature_issues_total{model, channel, feature, issue}``:
  ``missing`` values among scored rows (allowed, but worth seeing), and every violation that
  rejected a row or a request (``out_of_range``, ``unknown_category``, ``missing`` where not
  allowed, ...), by the violation's code.

Off the hot path: the service hands each observation to :meth:`InputMonitor.submit` (a queue put,
about a microsecond); one background thread does the binning. When the queue is full the
observation is dropped and counted (``scoregate_core_monitor_dropped_total``): monitoring never
delays an answer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence

import numpy as np
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily

from scoregate.core.contract import ModelMetadata
from scoregate.core.drift import DEFAULT_THRESHOLD, DEFAULT_WINDOW_ROWS, DriftMonitor
from scoregate.core.errors import FieldViolation
from scoregate.core.logcontext import request_context

log = logging.getLogger(__name__)

MAX_PENDING = 10_000
#: Observations taken off the queue at once (single rows among them are binned together).
DRAIN_MAX = 512
#: Pause between drains: the thread wakes a few times a second, not once per request, so it
#: takes little of the GIL from the event loop (single-row calls under load).
DRAIN_PAUSE_S = 0.05
#: Rows of one observation binned for drift, at most. Binning cost about 0.5 ms of CPU per
#: 1000 rows (a fifth of their prediction), competing with scoring on a small machine; PSI
#: compares proportions, which every k-th row of a batch keeps. Data-quality counts stay exact.
DRIFT_SAMPLE_ROWS = 256
#: Distinct channel labels kept; callers name their channel, so a misbehaving one must not
#: create unbounded metric series. Later names count as "other".
MAX_CHANNELS = 16
UNNAMED_CHANNEL = "unknown"

_STOP = object()


class InputMonitor:
    """Drift and data-quality counters of everything the core scores; thread-safe."""

    def __init__(
        self, registry: CollectorRegistry, window_rows: int = DEFAULT_WINDOW_ROWS, threshold: float = DEFAULT_THRESHOLD,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self.window_rows = window_rows
        self.threshold = threshold
        # SimpleQueue: a put is a fraction of a microsecond on the answer's path (queue.Queue's lock
        # and condition cost several); the bound is checked by size instead.
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.max_pending = max_pending
        self._drift: dict[tuple[str, str, str], DriftMonitor | None] = {}
        self._channels: set[str] = set()
        self._lock = threading.Lock()
        self._sample_start = np.random.default_rng()  # the random start of a batch's drift sample
        self.issues = Counter(
            "scoregate_core_feature_issues", "Missing values of scored rows and violations of rejected ones, per feature.",
            ["model", "channel", "feature", "issue"], registry=registry,
        )
        self.dropped = Counter(
            "scoregate_core_monitor_dropped", "Observations dropped because the monitor queue was full.", registry=registry
        )
        registry.register(_PsiCollector(self))
        self._thread = threading.Thread(target=self._run, name="input-monitor", daemon=True)
        self._thread.start()

    def submit(
        self, metadata: ModelMetadata, matrix: np.ndarray | None, channel: str,
        rejects: dict[int, tuple[FieldViolation, ...]] | Sequence[FieldViolation] = (),
    ) -> None:
        """A scored matrix (rows in schema order; ``rejects`` by row) or, with ``matrix`` None,
        the violations of one refused request. The matrix must not change afterwards."""
        if self._queue.qsize() >= self.max_pending:
            self.dropped.inc()
            return
        self._queue.put((metadata, matrix, channel, rejects))

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until everything submitted so far is counted (tests, shutdown)."""
        done = threading.Event()
        self._queue.put((None, None, None, done))
        done.wait(timeout)

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(5)

    def drift(self) -> Iterator[tuple[str, str, str, dict[str, float]]]:
        """(model, version, channel, PSI per feature) for every monitored window."""
        with self._lock:
            monitors = [(key, m) for key, m in self._drift.items() if m is not None]
        for (model, version, channel), monitor in monitors:
            if monitor.rows:
                yield model, version, channel, monitor.psi()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            items = [self._queue.get()]
            # Single requests come one row at a time: bin what is waiting together, in one call
            # per model version and channel, instead of one small call per row.
            while len(items) < DRAIN_MAX:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            singles: dict[tuple[str, str, str], tuple[ModelMetadata, list[np.ndarray]]] = {}
            markers = []
            for item in items:
                if item is _STOP:
                    stopping = True
                    continue
                metadata, matrix, channel, rejects = item
                if metadata is None:
                    markers.append(rejects)  # a drain() marker
                elif matrix is not None and len(matrix) == 1 and not rejects:
                    singles.setdefault((metadata.name, metadata.version, channel), (metadata, []))[1].append(matrix)
                else:
                    self._observe_safely(metadata, matrix, channel, rejects)
            for (_, _, channel), (metadata, rows) in singles.items():
                self._observe_safely(metadata, np.vstack(rows), channel, ())
            for marker in markers:
                marker.set()
            if not stopping and not markers:
                time.sleep(DRAIN_PAUSE_S)

    def _observe_safely(self, metadata: ModelMetadata, matrix: np.ndarray | None, channel: str, rejects) -> None:  # noqa: ANN001
        try:
            self._observe(metadata, matrix, self._channel(channel), rejects)
        except Exception:  # noqa: BLE001 - monitoring must never take the core down
            log.exception("input monitor failed on an observation of %s", metadata.name)

    def _channel(self, name: str) -> str:
        name = name or UNNAMED_CHANNEL
        with self._lock:
            if name in self._channels:
                return name
            if len(self._channels) < MAX_CHANNELS:
                self._channels.add(name)
                return name
        return "other"

    def _observe(self, metadata: ModelMetadata, matrix: np.ndarray | None, channel: str, rejects) -> None:  # noqa: ANN001
        model = metadata.name
        violations = rejects.values() if isinstance(rejects, dict) else [rejects]
        for row in violations:
            for v in row:
                self.issues.labels(model, channel, v.field, v.code.value.lower()).inc()
        if matrix is None or not len(matrix):
            return
        if isinstance(rejects, dict) and rejects:
            good = np.ones(len(matrix), dtype=bool)
            good[list(rejects)] = False
            matrix = matrix[good]
        names = metadata.feature_schema.names
        for feature, count in zip(names, np.isnan(matrix).sum(axis=0).tolist()):
            if count:
                self.issues.labels(model, channel, feature, "missing").inc(count)
        monitor = self._monitor(metadata, channel)
        if len(matrix) > DRIFT_SAMPLE_ROWS:
            step = -(-len(matrix) // DRIFT_SAMPLE_ROWS)
            matrix = matrix[int(self._sample_start.integers(step)) :: step]
        if monitor is not None and len(matrix):
            with request_context(channel=channel):  # a drift warning names the channel it is about
                monitor.observe(matrix, names)

    def _monitor(self, metadata: ModelMetadata, channel: str) -> DriftMonitor | None:
        key = (metadata.name, metadata.version, channel)
        with self._lock:
            if key in self._drift:
                return self._drift[key]
        try:
            monitor = DriftMonitor(metadata, self.window_rows, self.threshold)
        except ValueError as exc:  # a model without a training baseline: no drift, said once
            log.warning("no drift monitoring for %s version %s: %s", metadata.name, metadata.version, exc)
            monitor = None
        with self._lock:
            return self._drift.setdefault(key, monitor)


class _PsiCollector:
    """``scoregate_core_feature_psi`` computed at scrape time from the monitors' windows."""

    def __init__(self, monitor: InputMonitor) -> None:
        self._monitor = monitor

    def collect(self):  # noqa: ANN201 - prometheus collector protocol
        family = GaugeMetricFamily(
            "scoregate_core_feature_psi", "Population stability index of a feature over the recent window.",
            labels=["model", "version", "channel", "feature"],
        )
        for model, version, channel, psi in self._monitor.drift():
            for feature, value in psi.items():
                family.add_metric([model, version, channel, feature], value)
        yield family
