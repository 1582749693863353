"""Micro-batching of concurrent single-row requests.

Rows that arrive while a batch is being scored wait in a queue and go together into the next
XGBoost call, so its fixed per-call cost (0.1-0.3 ms) is paid once per batch. A lone caller is
not delayed beyond ``max_wait``: with an empty queue the batch is just its row.

Scoring runs on dedicated threads fed by a ``queue.SimpleQueue``; each batch's results go back to
the event loop in one ``call_soon_threadsafe``. That is two thread hand-offs per batch, against
four loop iterations and two future chains for an ``asyncio.Queue`` plus ``run_in_executor``
(bench/_breakdown.py, in process: 35 us instead of 220 us). XGBoost releases the GIL, so the loop
keeps serving calls while a batch is scored.

A lone caller skips even that hand-off: ``score_alone`` scores its row on the event loop. Only the
service can tell a lone caller, from the Score RPCs it has open (ScoringService._lone_caller); a
row's own arrival says nothing: rows scored on the loop never overlap, so "nothing queued" held
for every call of a 32-caller load, which then ran one row at a time on a blocked loop.
"""

from __future__ import annotations

import asyncio
import collections
import queue
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from scoregate.core.contract import BatchResult
from scoregate.core.metrics import CoreMetrics
from scoregate.core.scoring import Scorer

_STOP = None  # queue sentinel: a scoring thread that takes it exits


@dataclass
class _Pending:
    scorer: Scorer
    row: np.ndarray
    reason_count: int
    future: asyncio.Future[tuple[BatchResult, int]] = field(repr=False)
    enqueued: float = 0.0
    bands: np.ndarray | None = None
    """Reasons only for these decisions (``Scorer.reason_bands``); None: for every row."""

    @property
    def key(self) -> tuple:
        """Rows of one key go into one batch: same version, reason count and reason bands."""
        return (self.scorer, self.reason_count, None if self.bands is None else self.bands.tobytes())


class MicroBatcher:
    """Collects single rows into batches per (model version, reason count) and scores them.

    ``workers`` scoring threads each score one batch at a time; with one, batches never compete
    for the cores with each other.
    """

    def __init__(
        self, max_batch_size: int = 64, max_wait: float = 0.0, workers: int = 1, metrics: CoreMetrics | None = None,
    ) -> None:
        self.metrics = metrics
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait
        self.workers = workers
        self.batch_sizes: collections.deque[int] = collections.deque(maxlen=1000)  # recent sizes, for the benchmark
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.alone_rows = 0  # rows of lone callers, scored on the event loop

    def start(self) -> None:
        """Start the scoring threads; call from the event loop whose calls they will answer."""
        self._loop = asyncio.get_running_loop()
        self._queue = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._run, name=f"micro-batcher-{i}", daemon=True) for i in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()

    async def stop(self) -> None:
        """Let the threads finish the batch in hand and exit."""
        for _ in self._threads:
            self._queue.put(_STOP)
        threads, self._threads = self._threads, []
        for thread in threads:
            await asyncio.to_thread(thread.join)

    async def score(
        self, scorer: Scorer, row: np.ndarray, reason_count: int, bands: np.ndarray | None = None,
    ) -> tuple[BatchResult, int]:
        """Score one 1 x n row; returns the batch result it was scored in and its row index."""
        assert self._loop is not None, "MicroBatcher.start() was not called"
        future: asyncio.Future[tuple[BatchResult, int]] = self._loop.create_future()
        self._queue.put(_Pending(scorer, row, reason_count, future, time.monotonic(), bands))
        return await future

    def score_alone(self, scorer: Scorer, row: np.ndarray, reason_count: int, bands: np.ndarray | None = None) -> BatchResult:
        """Score a lone caller's row right here, on the event loop: a batch of one, no hand-off."""
        self.alone_rows += 1
        result, error = self._score_rows(scorer, [row], reason_count, [time.monotonic()], bands)
        if error is not None:
            raise error
        return result

    # The scoring threads.

    def _run(self) -> None:
        carry: list[_Pending] = []  # rows of another model or reason count, for a later batch
        while True:
            batch = self._next_batch(carry)
            if batch is None:
                return
            live = [p for p in batch if not p.future.cancelled()]  # a cancelled caller is gone
            if live:
                self._score(live)

    def _next_batch(self, carry: list[_Pending]) -> list[_Pending] | None:
        first = carry.pop(0) if carry else self._queue.get()
        if first is _STOP:
            return None
        key = first.key
        # Rows set aside earlier for this model and reason count join first, in arrival order.
        batch = [first] + [p for p in carry if p.key == key][: self.max_batch_size - 1]
        taken = {id(p) for p in batch}
        carry[:] = [p for p in carry if id(p) not in taken]
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.max_batch_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                # Wait for more only under concurrency: a lone caller is never delayed.
                remaining = deadline - time.monotonic()
                if remaining <= 0 or len(batch) == 1:
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if item is _STOP:
                self._queue.put(_STOP)  # exit after this batch
                break
            if item.key == key:
                batch.append(item)
            else:
                carry.append(item)
        return batch

    def _score(self, live: list[_Pending]) -> None:
        first = live[0]
        result, error = self._score_rows(
            first.scorer, [p.row for p in live], first.reason_count, [p.enqueued for p in live], first.bands)
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(_deliver, live, result, error)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    def _score_rows(
        self, scorer: Scorer, rows: list[np.ndarray], reason_count: int, enqueued: list[float],
        bands: np.ndarray | None = None,
    ) -> tuple[BatchResult | None, Exception | None]:
        started = time.monotonic()
        matrix = np.concatenate(rows) if len(rows) > 1 else rows[0]
        self.batch_sizes.append(len(rows))
        try:
            result: BatchResult | None = scorer.score(matrix, reason_count, bands=bands)
            error: Exception | None = None
        except Exception as exc:  # noqa: BLE001 - every waiter gets the failure, none hangs
            result, error = None, exc
        if self.metrics:
            # On the scoring thread, except for lone callers: the loop is the busier thread under load.
            for at in enqueued:
                self.metrics.queue_wait.observe(started - at)
            if result is not None:
                self.metrics.scored(result.model, result.version, "single", result.probabilities, 0, result.core_micros / 1e6)
        return result, error


def _deliver(live: list[_Pending], result: BatchResult | None, error: Exception | None) -> None:
    """On the event loop: wake every caller of a scored batch."""
    for i, p in enumerate(live):
        if p.future.done():
            continue
        if error is not None:
            p.future.set_exception(error)
        else:
            p.future.set_result((result, i))

