"""Micro-batching of concurrent single-row requests.

Rows that arrive while a batch is being scored wait in a queue and go together into the next
``inplace_predict`` call, so XGBoost's fixed per-call cost (0.2-0.3 ms) is paid once per batch.
A lone caller is not delayed beyond ``max_wait``: with an empty queue the batch is just its row.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from scoregate.core.contract import BatchResult
from scoregate.core.metrics import CoreMetrics
from scoregate.core.scoring import Scorer


@dataclass
class _Pending:
    scorer: Scorer
    row: np.ndarray
    reason_count: int
    future: asyncio.Future[tuple[BatchResult, int]] = field(repr=False)
    enqueued: float = 0.0


class MicroBatcher:
    """Collects single rows into batches per (model version, reason count) and scores them.

    ``workers`` collector tasks each score one batch at a time in ``executor``; with one worker,
    batches never compete for the cores with each other.
    """

    def __init__(
        self, executor: Executor, max_batch_size: int = 64, max_wait: float = 0.0, workers: int = 1,
        metrics: CoreMetrics | None = None,
    ) -> None:
        self.executor = executor
        self.metrics = metrics
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait
        self.workers = workers
        self._queue: asyncio.Queue[_Pending] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.batch_sizes: list[int] = []  # recent sizes, for metrics and the benchmark
        self._carry: list[_Pending] = []

    def start(self) -> None:
        self._queue = asyncio.Queue()
        self._tasks = [asyncio.create_task(self._collect(), name=f"micro-batcher-{i}") for i in range(self.workers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def score(self, scorer: Scorer, row: np.ndarray, reason_count: int) -> tuple[BatchResult, int]:
        """Score one 1 x n row; returns the batch result it was scored in and its row index."""
        assert self._queue is not None, "MicroBatcher.start() was not called"
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[BatchResult, int]] = loop.create_future()
        self._queue.put_nowait(_Pending(scorer, row, reason_count, future, loop.time()))
        return await future

    async def _next_batch(self) -> list[_Pending]:
        assert self._queue is not None
        first = self._carry.pop(0) if self._carry else await self._queue.get()
        key = (first.scorer, first.reason_count)
        # Rows set aside earlier for this model and reason count join first, in arrival order.
        batch = [first] + [p for p in self._carry if (p.scorer, p.reason_count) == key][: self.max_batch_size - 1]
        taken = {id(p) for p in batch}
        self._carry = [p for p in self._carry if id(p) not in taken]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        while len(batch) < self.max_batch_size:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                # Wait for more only under concurrency: a lone caller is never delayed.
                # (asyncio rounds sub-millisecond timeouts up to about 1 ms.)
                remaining = deadline - loop.time()
                if remaining <= 0 or len(batch) == 1:
                    break
                try:
                    item = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    break
            if (item.scorer, item.reason_count) == key:
                batch.append(item)
            else:
                self._carry.append(item)  # another model or reason count: a later batch
        return batch

    async def _collect(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._next_batch()
            live = [p for p in batch if not p.future.cancelled()]
            if not live:
                continue
            matrix = np.concatenate([p.row for p in live]) if len(live) > 1 else live[0].row
            self.batch_sizes.append(len(live))
            del self.batch_sizes[:-1000]
            if self.metrics:
                now = loop.time()
                for p in live:
                    self.metrics.queue_wait.observe(now - p.enqueued)
            try:
                result = await loop.run_in_executor(self.executor, live[0].scorer.score, matrix, live[0].reason_count)
            except Exception as exc:  # noqa: BLE001 - every waiter gets the failure, none hangs
                for p in live:
                    if not p.future.done():
                        p.future.set_exception(exc)
                continue
            if self.metrics:
                self.metrics.scored(result.model, result.version, "single", result.probabilities, 0, result.core_micros / 1e6)
            for i, p in enumerate(live):
                if not p.future.done():
                    p.future.set_result((result, i))
