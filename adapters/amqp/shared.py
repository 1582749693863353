"""The reply cache the gateway replicas share (``[state] redis``), beside the process-local one.

Why: a request answered by one replica but not yet acked when that replica died is redelivered
to another, whose own cache is empty; scored again, it was answered twice. With the replies
shared, the other replica finds that it was answered and acks it without a second reply (event
``replayed_replies``).

The order per reply, on the I/O thread: published into pika's buffer, stored in Redis (``SET NX``,
one round trip per batch of replies), then the buffer is written to the socket at once, then the
broker's confirm, then the ack. A stored reply has therefore left, or is about to within
microseconds: a replica killed between the store and the write (that much) leaves a request
that the next replica acks unanswered, one killed before the store leaves one that the next
replica scores and answers. A redelivery is looked up (one round trip per batch) only when this
process has no reply for it; fresh requests cost no lookup.

When Redis does not answer, replies are remembered in this process only (counted as
``reply_cache_fallbacks``, named in readiness): redeliveries to this process are still answered
once, those to another replica are scored and answered again there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from scoregate.adapters.amqp.cache import CacheKey, CachedReply
from scoregate.adapters.amqp.replies import Reply
from scoregate.adapters.amqp.stats import Stats
from scoregate.adapters.state.redis_client import RedisStore, StoreUnavailable
from scoregate.adapters.state.redis_replies import RedisReplies


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


class SharedReplies:
    """Batch operations on the shared cache; each falls back (returns, counts) when Redis does not answer."""

    def __init__(self, store: RedisStore, ttl_s: float, stats: Stats) -> None:
        self.redis = store
        self.replies = RedisReplies(store, ttl_s)
        self.stats = stats

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
