"""The scoring worker: takes deliveries from the I/O thread, scores whatever is waiting in one
batch, and hands the decisions back. Blocking gRPC happens here and only here, so pika's I/O loop
(and its heartbeats) never waits for the core.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scoregate.adapters.amqp import cache as cache_keys
from scoregate.adapters.amqp.batching import BatchScorer
from scoregate.adapters.amqp.cache import CacheKey, ReplyCache
from scoregate.adapters.amqp.handler import Prepared, RequestHandler, RequestProps
from scoregate.adapters.amqp.replies import Outcome
from scoregate.adapters.amqp.shared import SharedReplies, decode
from scoregate.adapters.amqp.stats import Stats
from scoregate.adapters.channel import Disposition
from scoregate.core.contract import ScoreResult
from scoregate.core.errors import CoreFailure, ScoreError

log = logging.getLogger(__name__)

_STOP = object()


@dataclass(frozen=True)
class Delivery:
    """One delivered request, as the I/O thread hands it over."""

    generation: int
    """Which connection it came on; a decision for an older connection is void (redelivered)."""
    delivery_tag: int
    body: bytes
    props: RequestProps
    properties: Any
    """pika's BasicProperties, opaque here; the I/O thread republishes with them (retry, dead letter)."""
    started: float = 0.0
    """When it was taken (``Stats.received``): its latency runs from here to its ack."""


@dataclass(frozen=True)
class Decision:
    delivery: Delivery
    outcome: Outcome
    cache_key: CacheKey | None = None
    """Where the reply is remembered; the I/O thread marks it confirmed."""
    suppress: bool = False
    """A redelivery whose reply the broker already confirmed: ack, do not reply again."""


def _log_expired(decisions: list[Decision]) -> None:
    """One line per batch for the requests whose producer stopped waiting (acked unscored)."""
    expired = [d for d in decisions if d.outcome.disposition is Disposition.DROPPED]
    if expired:
        first = expired[0]
        log.info("amqp: %d expired request(s) not scored, first on %s (correlation id %s): %s", len(expired),
                 first.delivery.props.queue, first.delivery.props.correlation_id, first.outcome.detail)


class ScoringWorker:
    """``workers`` threads draining one inbox; each batch is at most ``max_batch`` deliveries."""

    def __init__(
        self, handlers: dict[str, RequestHandler], scorer: BatchScorer, cache: ReplyCache,
        deliver: Callable[[list[Decision]], None], on_exit: Callable[[], None], *,
        max_batch: int, workers: int = 1, linger_s: float = 0.0, stats: Stats | None = None,
        shared: SharedReplies | None = None,
    ) -> None:
        self.handlers = handlers
        self.scorer = scorer
        self.cache = cache
        self.shared = shared
        """The cache the replicas share (Redis), consulted for redeliveries this process has no reply for."""
        self.deliver = deliver
        self.on_exit = on_exit
        self.max_batch = max_batch
        self.linger_s = linger_s
        self._busy = False
        self.stats = stats or Stats()
        self._inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._run, name=f"amqp-score-{i}", daemon=True) for i in range(workers)]
        self._alive = len(self._threads)
        self._lock = threading.Lock()

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def submit(self, delivery: Delivery) -> None:
        self._inbox.put(delivery)

    def close(self) -> None:
        """Finish what was submitted, then exit; ``on_exit`` is called once, after the last decisions."""
        for _ in self._threads:
            self._inbox.put(_STOP)

    def join(self, timeout: float | None = None) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            while True:
                first = self._inbox.get()
                if first is _STOP:
                    return
                batch, stop = [first], False
                # Linger only after a batch of several: a lone producer is never delayed, a busy
                # channel waits a moment so that the core sees fewer, larger calls.
                linger_until = time.monotonic() + self.linger_s if self._busy else 0.0
                while len(batch) < self.max_batch:
                    try:
                        remaining = linger_until - time.monotonic()
                        item = self._inbox.get(timeout=remaining) if remaining > 0 else self._inbox.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stop = True
                        break
                    batch.append(item)
                self._busy = len(batch) > 1
                self._process_safely(batch)
                if stop:
                    return
        finally:
            with self._lock:
                self._alive -= 1
                last = self._alive == 0
            if last:
                self.on_exit()

    def _process_safely(self, batch: list[Delivery]) -> None:
        try:
            decisions = self.process(batch)
        except Exception:  # a bug here must not kill the worker and strand the deliveries
            log.exception("scoring worker failed on a batch of %d; retrying them later", len(batch))
            failure = CoreFailure("internal error in the gateway")
            decisions = [self._retry_later(d, failure) for d in batch]
        self.deliver(decisions)

    def _retry_later(self, delivery: Delivery, error: ScoreError) -> Decision:
        attempt = delivery.props.attempt
        if attempt >= self.handlers[delivery.props.queue].retry.max_attempts:
            return Decision(delivery, Outcome(Disposition.DEAD_LETTER, reason="gateway_error", detail=error.message,
                                              kind=error.kind))
        return Decision(delivery, Outcome(Disposition.RETRY, reason="gateway_error", detail=error.message,
                                          next_attempt=attempt + 1, retry_delay_s=0.0, kind=error.kind))

    def process(self, deliveries: list[Delivery]) -> list[Decision]:
        """Decisions for a batch of deliveries: replays from the cache, prepare, one scoring pass, answer."""
        decisions: list[Decision] = []
        waiting: list[tuple[Delivery, Prepared]] = []
        from_shared = self._fetch_shared(deliveries) if self.shared is not None else set()
        for delivery in deliveries:
            replay = self._replay(delivery, from_shared)
            if replay is not None:
                decisions.append(replay)
                continue
            handler = self.handlers[delivery.props.queue]
            prepared = handler.prepare(delivery.body, delivery.props)
            if isinstance(prepared, Outcome):
                decisions.append(self._remember(delivery, prepared))
            else:
                waiting.append((delivery, prepared))
        if waiting:
            results = self.scorer.score([p.request for _, p in waiting])
            self.stats.add("batches")
            # Rows the core scored; a row it rejected (bad input) or could not reach is not one.
            self.stats.add("scored_rows", sum(isinstance(r, ScoreResult) for r in results))
            for (delivery, prepared), result in zip(waiting, results):
                outcome = self.handlers[delivery.props.queue].answer(prepared, result)
                decisions.append(self._remember(delivery, outcome))
        _log_expired(decisions)
        return decisions

    def _fetch_shared(self, deliveries: list[Delivery]) -> set[CacheKey]:
        """Replies the replicas sent for this batch's redeliveries, copied into the local cache as
        confirmed (one round trip); returns their keys."""
        assert self.shared is not None
        keys = [key for d in deliveries if d.props.redelivered
                and (key := cache_keys.get_key(d.props, d.body)) is not None and self.cache.get(key) is None]
        found = self.shared.fetch(keys) if keys else {}
        for key, value in found.items():
            entry = decode(value, time.monotonic() + self.cache.ttl_s)
            self.cache.put(key, entry.reply, entry.model, RequestProps("", entry.reply_to, entry.correlation_id),
                           confirmed=True)
        return set(found)

    def _replay(self, delivery: Delivery, from_shared: set[CacheKey] = frozenset()) -> Decision | None:
        key = cache_keys.get_key(delivery.props, delivery.body)
        entry = self.cache.get(key) if key else None
        if entry is None:
            return None
        if key in from_shared:
            self.stats.add("replayed_replies")  # answered from the replicas' cache, not scored again
        props = delivery.props
        same = entry.correlation_id == props.correlation_id and entry.reply_to == props.reply_to
        outcome = Outcome(Disposition.ANSWERED, entry.reply, model=entry.model)
        if entry.confirmed and props.redelivered and same:
            self.stats.add("duplicates_suppressed")
            return Decision(delivery, outcome, key, suppress=True)
        self.stats.add("replayed")
        return Decision(delivery, outcome, key)

    def _remember(self, delivery: Delivery, outcome: Outcome) -> Decision:
        key = cache_keys.put_key(delivery.props, delivery.body)
        if key is None or outcome.disposition is not Disposition.ANSWERED or outcome.reply is None:
            return Decision(delivery, outcome)
        self.cache.put(key, outcome.reply, outcome.model, delivery.props)
        return Decision(delivery, outcome, key)
