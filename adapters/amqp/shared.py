"""The reply cache the gateway replicas share (``[state] redis``), beside the process-local one.

Why: a request answered by one replica but not yet acked when that replica died is redelivered
to another, whose own cache is empty; scored again, it was answered twice. With the replies
shared, the other replica finds that it was answered and acks it without a second reply (event
``replayed_replies``).

The order per reply: published at once (Redis is not on the reply's path), stored by this
module's thread meanwhile (``SET NX``, one round trip per batch of replies), and the request is
acked once the broker confirmed the reply *and* it is stored. So every request acked is in the
shared cache, and a replica that dies before an ack leaves the request to the next one, which
acks it without replying if the reply was stored and scores it otherwise. The producer sees a
reply twice only when the kill falls between the reply leaving and its store (one Redis round
trip); never none. A redelivery is looked up (one round trip per batch) only when this process
has no reply for it; fresh requests cost no lookup.

When Redis does not answer, replies are remembered in this process only (counted as
``reply_cache_fallbacks``, named in readiness) and acked as before: redeliveries to this process
are still answered once, those to another replica are scored and answered again there.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from scoregate.adapters.amqp.cache import CacheKey, CachedReply
from scoregate.adapters.amqp.handler import RequestProps
from scoregate.adapters.amqp.replies import Reply
from scoregate.adapters.amqp.stats import Stats
from scoregate.adapters.state.redis_client import RedisStore, StoreUnavailable
from scoregate.adapters.state.redis_replies import RedisReplies

log = logging.getLogger(__name__)


def encode(reply: Reply, model: str, correlation_id: str | None, reply_to: str | None) -> bytes:
    """One line of JSON (the properties), a newline, the body as it is (no base64 to pay for)."""
    return json.dumps({
        "content_type": reply.content_type, "content_encoding": reply.content_encoding, "headers": reply.headers,
        "model": model, "correlation_id": correlation_id, "reply_to": reply_to,
    }, separators=(",", ":"), default=str).encode() + b"\n" + reply.body


def decode(value: bytes, expires: float) -> CachedReply:
    """A stored reply as a local cache entry; it went out, so it counts as confirmed."""
    head, _, body = value.partition(b"\n")
    data = json.loads(head)
    reply = Reply(body, data["content_type"], data["content_encoding"], data["headers"])
    return CachedReply(reply, data["model"], data["correlation_id"], data["reply_to"], expires, confirmed=True)


class ToStore(Protocol):
    """A reply published and waiting to be stored (``publisher.Unstored``)."""

    key: CacheKey
    reply: Reply
    model: str
    props: RequestProps


class SharedReplies:
    """Batch operations on the shared cache; each falls back (returns, counts) when Redis does not
    answer. ``submit`` stores on this object's thread and calls back when done."""

    def __init__(self, store: RedisStore, ttl_s: float, stats: Stats) -> None:
        self.redis = store
        self.replies = RedisReplies(store, ttl_s)
        self.stats = stats
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="amqp-share", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._inbox.put(None)
        self._thread.join(5)

    def submit(self, replies: list[ToStore], done: Callable[[], None]) -> None:
        self._inbox.put((replies, done))

    def _run(self) -> None:
        while (first := self._inbox.get()) is not None:
            batch, stop = [first], False
            while not stop:  # whatever else is waiting goes in the same round trip
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    break
                stop = item is None
                if not stop:
                    batch.append(item)
            try:
                self.store({r.key: encode(r.reply, r.model, r.props.correlation_id, r.props.reply_to)
                            for replies, _ in batch for r in replies})
            except Exception:  # a bug here must not leave the requests unacked for good
                log.exception("amqp: could not store %d replies in the shared cache", sum(len(r) for r, _ in batch))
            for _, done in batch:
                done()
            if stop:
                return

    def fetch(self, keys: Iterable[CacheKey]) -> dict[CacheKey, bytes]:
        try:
            return self.replies.fetch(keys)
        except StoreUnavailable:
            return {}

    def store(self, replies: Mapping[CacheKey, bytes]) -> None:
        try:
            self.replies.store(replies)
        except StoreUnavailable:
            self.stats.add("reply_cache_fallbacks", len(replies))

    def note(self) -> str:
        """For readiness: "" while shared, else why replies are remembered in this process only."""
        return "" if self.redis.available else f"reply cache is process-local: {self.redis.detail}"
