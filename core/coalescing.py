"""Coalescing: single requests in flight at the same time in one process share core calls.

A gRPC call costs the gateway and the core far more CPU than scoring a row does (docs/BENCHMARKS.md:
about 1.7 ms of core CPU per single-row call under 16 SOAP clients). So while ``max_in_flight``
calls to the core are outstanding, a new request waits in a queue; when a call finishes, every
waiting request goes in the next call: one columnar ``ScoreBatch`` (a ``Score`` if it is alone).
A lone caller never waits: with a free slot and an empty queue its request goes out at once, as
the ``Score`` call it would have made anyway.

Each request keeps its own fate: its result, or its own error (a row the core rejects comes back
in ``BatchResult.rejects`` and becomes that request's ``InvalidInput``; a request whose features
cannot even be placed in a matrix goes alone, so the core names the problem exactly as before),
its own deadline (a waiter stops waiting when it passes, whatever its call is doing) and its own
cancellation (a cancelled waiter is left out of its call, or its answer dropped). The client's
fallback and observer stay around each request (``client.py``); a call that fails for a whole
batch raises the same canonical error in every request's caller.

The grouping and the encoding are shared (``Grouper``); the waiting differs: asyncio futures in
:class:`AsyncCoalescer` here, threads with events in ``coalescing_threads.Coalescer``. Each is given its client
(``ScoringClient`` or ``AsyncScoringClient``, typed ``Any``: the client imports this module) and
calls it through its call helpers, so breaker, metadata and errors are the client's own.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from scoregate.core import convert
from scoregate.core.contract import CallerRef, ColumnBatch, ModelDescription, ScoreRequest, ScoreResult
from scoregate.core.encoder import RowEncoder, result_from_batch
from scoregate.core.errors import CoreFailure, CoreUnavailable, DeadlineExpired, InvalidInput, ScoreError, UnknownModel

log = logging.getLogger(__name__)

# Requests that may share a call: same model, pinned version, reason codes, reason bands and channel.
Key = tuple[str, str | None, int, tuple[str, ...], str]


def _key(request: ScoreRequest) -> Key:
    return (request.model, request.version, request.reason_count, request.reason_bands, request.caller.channel)


def remaining_s(request: ScoreRequest) -> float | None:
    """Seconds left before the request's deadline; None without one."""
    if request.deadline is None:
        return None
    return (request.deadline - datetime.now(UTC)).total_seconds()


@dataclass
class CoalescingStats:
    """What coalescing did, for tests and the benchmark."""

    alone: int = 0
    """Requests sent at once, as their own Score call."""
    batches: int = 0
    """ScoreBatch calls carrying coalesced requests."""
    batched_rows: int = 0


@dataclass
class Group:
    """One call's worth of waiters: encoded rows for a ScoreBatch, and those that go alone."""

    key: Key
    description: ModelDescription | None = None
    batch: ColumnBatch | None = None
    rows: list[Any] = field(default_factory=list)
    """Waiters in the batch's row order."""
    alone: list[Any] = field(default_factory=list)


class Grouper:
    """Turns waiting requests into calls; knows nothing of threads or event loops."""

    def __init__(self, refresh_s: float = 2.0) -> None:
        self.refresh_s = refresh_s
        self._defaults: dict[str, tuple[float, ModelDescription]] = {}
        self._encoders: dict[tuple[str, str], RowEncoder] = {}
        self.epoch = 0
        """Counts the default versions found stale: a describe begun before one is not kept."""
        self.stats = CoalescingStats()

    @staticmethod
    def groups(waiters: list[Any]) -> dict[Key, list[Any]]:
        out: dict[Key, list[Any]] = {}
        for waiter in waiters:
            out.setdefault(_key(waiter.request), []).append(waiter)
        return out

    def cached_default(self, model: str) -> ModelDescription | None:
        """The model's default version as described at most ``refresh_s`` ago (versions hot-swap)."""
        cached = self._defaults.get(model)
        return cached[1] if cached and time.monotonic() - cached[0] < self.refresh_s else None

    def remember_default(self, description: ModelDescription, epoch: int) -> None:
        """Keep a description asked for at ``epoch``, unless a lone answer said since that it is stale."""
        if epoch == self.epoch:
            self._defaults[description.name] = (time.monotonic(), description)

    def forget_default(self, model: str) -> None:
        self.epoch += 1
        self._defaults.pop(model, None)

    def answered_alone(self, request: ScoreRequest, result: ScoreResult) -> ScoreResult:
        """A request sent alone learns the core's default version as it is now: when that is no
        longer the described one, describe again before the next batch. Otherwise a caller could see
        a promoted version on a lone call and the old one on its next, batched, call."""
        if request.version is None:
            cached = self._defaults.get(request.model)
            if cached is not None and cached[1].version != result.version:
                self.forget_default(request.model)
        return result

    def encode(self, key: Key, waiters: list[Any], description: ModelDescription) -> Group:
        """Place each waiter's features in one matrix; a row the fast encoder cannot place goes alone."""
        group = Group(key, description)
        encoder = self._encoders.get((description.name, description.version))
        if encoder is None:  # versions are immutable, so an encoder never goes stale
            encoder = self._encoders[(description.name, description.version)] = RowEncoder(description.feature_schema)
        cells: list[list[float]] = []
        for waiter in waiters:
            row = encoder.encode(waiter.request.features)
            if row is None:
                group.alone.append(waiter)
            else:
                cells.append(row)
                group.rows.append(waiter)
        if len(group.rows) == 1:  # a batch of one costs more than a Score call
            group.alone.extend(group.rows)
            group.rows = []
        if group.rows:
            requests = [w.request for w in group.rows]
            group.batch = ColumnBatch(
                encoder.names, np.array(cells, dtype=np.float64),
                row_ids=tuple(r.caller.reference or r.request_id for r in requests),
                request_ids=tuple(r.request_id for r in requests),
            )
            self.stats.batches += 1
            self.stats.batched_rows += len(group.rows)
        self.stats.alone += len(group.alone)
        return group

    @staticmethod
    def message(group: Group, client: Any) -> Any:
        """The ScoreBatch request of a group, pinned to the described version."""
        first = group.rows[0].request
        assert group.batch is not None and group.description is not None
        return convert.to_proto_batch(
            group.batch, group.description.name, group.description.version, first.reason_count,
            batch_id=first.request_id, caller=CallerRef(channel=first.caller.channel), reason_bands=first.reason_bands,
        )

    @staticmethod
    def timeout(group: Group, default: float) -> float:
        """The latest deadline of the group's rows when all have one: no row loses its answer because
        another was in a hurry (each waiter still stops at its own)."""
        remaining = [remaining_s(w.request) for w in group.rows]
        if any(r is None for r in remaining):
            return default
        return max(0.001, max(r for r in remaining if r is not None))

    @staticmethod
    def outcomes(group: Group, response: Any) -> list[ScoreResult | ScoreError]:
        """Each row's own answer: its result, or its own field violations."""
        assert group.description is not None
        result = convert.from_proto_batch_result(response, group.description)
        out: list[ScoreResult | ScoreError] = []
        for row, waiter in enumerate(group.rows):
            rejects = result.rejects.get(row)
            out.append(InvalidInput(rejects) if rejects else result_from_batch(result, row, waiter.request.request_id))
        return out


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(DeadlineExpired())


@dataclass(eq=False)
class _TaskWaiter:
    request: ScoreRequest
    future: asyncio.Future[ScoreResult]

    def settle(self, outcome: ScoreResult | ScoreError) -> None:
        if self.future.done():  # cancelled, or its deadline passed
            return
        if isinstance(outcome, ScoreError):
            self.future.set_exception(outcome)
        else:
            self.future.set_result(outcome)


class AsyncCoalescer:
    """Coalescing for the asyncio client: waiters are futures, each call a task of its own."""

    def __init__(self, client: Any, max_in_flight: int, max_rows: int) -> None:
        self.client = client
        self.max_in_flight = max_in_flight
        self.max_rows = max_rows
        self.grouper = Grouper()
        self._queue: collections.deque[_TaskWaiter] = collections.deque()
        self._in_flight = 0
        self._tasks: set[asyncio.Task] = set()

    @property
    def stats(self) -> CoalescingStats:
        return self.grouper.stats

    async def score(self, request: ScoreRequest, send_alone: Callable[[ScoreRequest], Any]) -> ScoreResult:
        if self._in_flight < self.max_in_flight and not self._queue:
            self._in_flight += 1
            self.grouper.stats.alone += 1
            try:
                return self.grouper.answered_alone(request, await send_alone(request))
            finally:
                self._release(send_alone)
        loop = asyncio.get_running_loop()
        waiter = _TaskWaiter(request, loop.create_future())
        self._queue.append(waiter)
        remaining = remaining_s(request)
        if remaining is None:
            return await waiter.future  # a cancelled caller cancels its future: left out or dropped
        # The deadline as one timer that fails the future (asyncio.wait_for costs a task's worth of
        # callbacks per waiter); a settled or cancelled future ignores it.
        timer = loop.call_later(max(0.0, remaining), _expire, waiter.future)
        try:
            return await waiter.future
        finally:
            timer.cancel()

    def _release(self, send_alone: Callable[[ScoreRequest], Any]) -> None:
        self._in_flight -= 1
        while self._queue and self._in_flight < self.max_in_flight:
            taken = []
            while self._queue and len(taken) < self.max_rows:
                waiter = self._queue.popleft()
                if not waiter.future.done():
                    taken.append(waiter)
            if not taken:
                return
            self._in_flight += 1
            task = asyncio.get_running_loop().create_task(self._send(taken, send_alone))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, waiters: list[_TaskWaiter], send_alone: Callable[[ScoreRequest], Any]) -> None:
        try:
            calls = []
            for key, members in self.grouper.groups(waiters).items():
                calls.append(self._send_group(key, members, send_alone))
            await asyncio.gather(*calls)
        finally:
            self._release(send_alone)

    async def _send_group(self, key: Key, members: list[_TaskWaiter], send_alone: Callable[[ScoreRequest], Any]) -> None:
        try:
            group = self.grouper.encode(key, members, await self._describe(key))
            await asyncio.gather(self._batch_call(group, send_alone), *(self._alone_call(w, send_alone) for w in group.alone))
        except ScoreError as error:
            for w in members:
                w.settle(error)
        except Exception:  # noqa: BLE001 - a bug must reach every waiter, not strand them
            log.exception("coalesced call failed")
            for w in members:
                w.settle(CoreFailure("internal error in the gateway"))

    async def _describe(self, key: Key) -> ModelDescription:
        model, version = key[0], key[1]
        if version:
            return await self.client.describe(model, version)
        cached = self.grouper.cached_default(model)
        if cached is None:
            epoch = self.grouper.epoch
            cached = await self.client.describe(model)
            if self.client._pinned_to_fallback(cached.version):
                raise CoreUnavailable("the core did not describe the model")
            self.grouper.remember_default(cached, epoch)
        return cached

    async def _alone_call(self, waiter: _TaskWaiter, send_alone: Callable[[ScoreRequest], Any]) -> None:
        if waiter.future.done():
            return
        try:
            waiter.settle(self.grouper.answered_alone(waiter.request, await send_alone(waiter.request)))
        except ScoreError as error:
            waiter.settle(error)

    async def _batch_call(self, group: Group, send_alone: Callable[[ScoreRequest], Any]) -> None:
        if not group.rows:
            return
        client = self.client
        try:
            response = await client._call(
                client._stub.ScoreBatch, self.grouper.message(group, client),
                self.grouper.timeout(group, client.settings.timeout_s), group.rows[0].request.request_id,
            )
            outcomes = self.grouper.outcomes(group, response)
        except UnknownModel:
            if group.key[1] is not None:
                raise
            # The described default version was retired meanwhile: each row goes again alone, to
            # whatever the default is now.
            self.grouper.forget_default(group.key[0])
            await asyncio.gather(*(self._alone_call(w, send_alone) for w in group.rows))
            return
        for waiter, outcome in zip(group.rows, outcomes):
            waiter.settle(outcome)
