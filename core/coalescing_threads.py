"""Coalescing for the blocking client (``ScoringClient``): see ``coalescing.py`` for what it does.

Waiting threads each hold an event; when a call frees its slot, the oldest waiter is woken to send
the next call for everyone waiting. It does not block on that call: ``ScoreBatch`` goes out as a
gRPC future whose callback settles every row, so each waiter (the sender included) waits for its
own answer or its own deadline only.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc

from scoregate.core.coalescing import CoalescingStats, Group, Grouper, Key, log, remaining_s
from scoregate.core.contract import ModelDescription, ScoreRequest, ScoreResult
from scoregate.core.errors import CoreFailure, CoreUnavailable, DeadlineExpired, ScoreError, UnknownModel

_BUG = "internal error in the gateway"


@dataclass(eq=False)
class _ThreadWaiter:
    request: ScoreRequest
    lock: threading.Lock
    """The coalescer's: settling and waking to lead are seen together, never one lost to the other."""
    event: threading.Event = field(default_factory=threading.Event)
    outcome: ScoreResult | ScoreError | None = None
    lead: list[_ThreadWaiter] | None = None
    """Set when this waiter is to send the next call (for everyone in it)."""
    gone: bool = False
    """Its caller stopped waiting (deadline): left out of a call not yet sent."""

    def settle(self, outcome: ScoreResult | ScoreError) -> None:
        with self.lock:
            if self.outcome is None:
                self.outcome = outcome
                self.event.set()


class Coalescer:
    """Coalescing for the blocking client: waiting threads, and the oldest of them sends the call."""

    def __init__(self, client: Any, max_in_flight: int, max_rows: int) -> None:
        self.client = client
        self.max_in_flight = max_in_flight
        self.max_rows = max_rows
        self.grouper = Grouper()
        self._lock = threading.Lock()
        self._queue: collections.deque[_ThreadWaiter] = collections.deque()
        self._in_flight = 0

    @property
    def stats(self) -> CoalescingStats:
        return self.grouper.stats

    def score(self, request: ScoreRequest, send_alone: Callable[[ScoreRequest], ScoreResult]) -> ScoreResult:
        with self._lock:
            lone = self._in_flight < self.max_in_flight and not self._queue
            if lone:
                self._in_flight += 1
            else:
                waiter = _ThreadWaiter(request, self._lock)
                self._queue.append(waiter)
        if lone:
            self.grouper.stats.alone += 1
            try:
                return self.grouper.answered_alone(request, send_alone(request))
            finally:
                self._release()
        return self._wait(waiter, send_alone)

    def _release(self) -> None:
        """A call finished: the oldest waiter sends the next one, for everyone waiting."""
        with self._lock:
            self._in_flight -= 1
            if not self._queue or self._in_flight >= self.max_in_flight:
                return
            taken = [self._queue.popleft() for _ in range(min(self.max_rows, len(self._queue)))]
            self._in_flight += 1
            leader = taken[0]
            leader.lead = taken
        leader.event.set()

    def _wait(self, waiter: _ThreadWaiter, send_alone: Callable[[ScoreRequest], ScoreResult]) -> ScoreResult:
        remaining = remaining_s(waiter.request)
        until = None if remaining is None else time.monotonic() + remaining
        while True:
            left = None if until is None else max(0.0, until - time.monotonic())
            woken = waiter.event.wait(left)
            with self._lock:
                lead, waiter.lead = waiter.lead, None
                if waiter.outcome is None:
                    if woken:
                        waiter.event.clear()  # woken to lead: wait again for the answer
                    else:
                        waiter.gone = True
                        if waiter in self._queue:
                            self._queue.remove(waiter)
            if lead is not None:
                self._send(lead, send_alone)
            if waiter.outcome is not None:
                if isinstance(waiter.outcome, ScoreError):
                    raise waiter.outcome
                return waiter.outcome
            if waiter.gone:
                raise DeadlineExpired()

    def _send(self, waiters: list[_ThreadWaiter], send_alone: Callable[[ScoreRequest], ScoreResult]) -> None:
        """Send one call's worth of waiters (several groups: one call each); release the slot when all end."""
        live = [w for w in waiters if not w.gone]
        calls: list[Callable[[], None]] = []
        pending = [0]

        def one_done() -> None:
            with self._lock:
                pending[0] -= 1
                last = pending[0] == 0
            if last:
                self._release()

        for key, members in self.grouper.groups(live).items():
            try:
                group = self.grouper.encode(key, members, self._describe(key))
            except ScoreError as error:
                for w in members:
                    w.settle(error)
                continue
            except Exception:  # noqa: BLE001 - a bug must reach every waiter, not strand them
                log.exception("coalesced call failed")
                for w in members:
                    w.settle(CoreFailure(_BUG))
                continue
            if group.rows:
                calls.append(lambda g=group: self._batch_call(g, one_done))
            for w in group.alone:
                calls.append(lambda w=w: self._alone_call(w, send_alone, one_done))
        pending[0] = len(calls) + 1  # +1: this thread's own share, released below
        for call in calls:
            call()
        one_done()

    def _describe(self, key: Key) -> ModelDescription:
        model, version = key[0], key[1]
        if version:
            return self.client.describe(model, version)  # the client caches pinned versions
        cached = self.grouper.cached_default(model)
        if cached is None:
            epoch = self.grouper.epoch
            cached = self.client.describe(model)
            if self.client._pinned_to_fallback(cached.version):
                raise CoreUnavailable("the core did not describe the model")  # each request falls back
            self.grouper.remember_default(cached, epoch)
        return cached

    def _alone_call(
        self, waiter: _ThreadWaiter, send_alone: Callable[[ScoreRequest], ScoreResult], done: Callable[[], None],
    ) -> None:
        # In the sending thread: a lone row of a coalesced call (rare: a row only the core can judge).
        try:
            waiter.settle(self.grouper.answered_alone(waiter.request, send_alone(waiter.request)))
        except ScoreError as error:
            waiter.settle(error)
        except Exception:  # noqa: BLE001 - a bug must reach its waiter, not strand it
            log.exception("coalesced call failed")
            waiter.settle(CoreFailure(_BUG))
        finally:
            done()

    def _batch_call(self, group: Group, done: Callable[[], None]) -> None:
        client = self.client
        try:
            client._begin()
            future = client._stub.ScoreBatch.future(
                self.grouper.message(group, client), timeout=self.grouper.timeout(group, client.settings.timeout_s),
                metadata=client._metadata(group.rows[0].request.request_id),
            )
        except Exception as error:  # noqa: BLE001 - every waiter gets the failure; the slot is freed
            if not isinstance(error, ScoreError):
                log.exception("coalesced call failed")
                error = CoreFailure(_BUG)
            for w in group.rows:
                w.settle(error)
            done()
            return
        future.add_done_callback(lambda f: self._batch_done(group, f, done))

    def _batch_done(self, group: Group, future: grpc.Future, done: Callable[[], None]) -> None:
        # On gRPC's callback thread: nothing here may block.
        try:
            try:
                response = future.result()
            except grpc.RpcError as error:
                raise self.client._failed(error) from None
            self.client.breaker.record_success()
            outcomes = self.grouper.outcomes(group, response)
        except UnknownModel as error:
            if group.key[1] is None:
                # The described default version was retired meanwhile: each row goes again alone, to
                # whatever the default is now (blocking calls, so on a thread of their own).
                self.grouper.forget_default(group.key[0])
                threading.Thread(target=self._resend_alone, args=(group.rows, done), daemon=True).start()
                return
            outcomes = [error] * len(group.rows)
        except ScoreError as error:
            outcomes = [error] * len(group.rows)
        except Exception:  # noqa: BLE001 - a bug must reach every waiter, not strand them
            log.exception("coalesced call failed")
            outcomes = [CoreFailure(_BUG)] * len(group.rows)
        for waiter, outcome in zip(group.rows, outcomes):
            waiter.settle(outcome)
        done()

    def _resend_alone(self, waiters: list[_ThreadWaiter], done: Callable[[], None]) -> None:
        try:
            for waiter in waiters:
                if not waiter.gone:
                    self._alone_call(waiter, self.client._score_alone, lambda: None)
        finally:
            done()
