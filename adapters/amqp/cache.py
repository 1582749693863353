"""Replies remembered by request, so a redelivered request gets the same answer, not a new score.

Keyed by ``message_id``; a redelivery without one is matched by ``correlation_id`` + ``reply_to``
+ a digest of the body (some producers reuse one correlation id for everything, and a wrong
answer is worse than a second scoring). An entry knows whether the broker
confirmed its reply: a redelivery of a request whose reply was confirmed is acked without
replying again (the producer has its answer), otherwise the remembered reply is published.

What this does not cover, by design: a redelivery that lands on *another* gateway process (after
a crash, or with competing consumers) is scored again there. The answer is the same as long as
the model version is (scoring is a pure function of the request and the version); during a hot
swap it may come from the newer version, and the reply's ``x-scoregate-model`` header says which.
Pinning ``request.version`` in the queue mapping closes that window; a cache shared between
replicas (Redis, say) would close it too at the price of one more service to run.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from scoregate.adapters.amqp.handler import RequestProps
from scoregate.adapters.amqp.replies import Reply

CacheKey = tuple[str, ...]


@dataclass
class CachedReply:
    reply: Reply
    model: str
    correlation_id: str | None
    reply_to: str | None
    expires: float
    confirmed: bool = False
    settled: bool = False
    """The request was acked (and counted): a redelivery of it means the ack was lost."""


def put_key(props: RequestProps, body: bytes) -> CacheKey | None:
    """The key a reply to this request is remembered under."""
    if props.message_id:
        return ("id", props.queue, props.message_id)
    if props.correlation_id and props.reply_to:
        return ("corr", props.queue, props.correlation_id, props.reply_to, hashlib.blake2b(body, digest_size=16).hexdigest())
    return None


def get_key(props: RequestProps, body: bytes) -> CacheKey | None:
    """The key to look a request up by. Without a message id only a redelivery is looked up: a
    fresh message with the same correlation id and body is a new request as far as anyone knows."""
    if props.message_id:
        return ("id", props.queue, props.message_id)
    return put_key(props, body) if props.redelivered else None


class ReplyCache:
    """Bounded LRU with a time to live; thread-safe (workers write, the I/O thread confirms)."""

    def __init__(self, size: int, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[CacheKey, CachedReply] = OrderedDict()

    def get(self, key: CacheKey) -> CachedReply | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: CacheKey, reply: Reply, model: str, props: RequestProps) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = CachedReply(reply, model, props.correlation_id, props.reply_to, self._clock() + self.ttl_s)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def confirmed(self, key: CacheKey) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.confirmed = True

    def settled(self, key: CacheKey) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.settled = True

    def was_settled(self, key: CacheKey) -> bool:
        with self._lock:
            entry = self._entries.get(key)
            return entry is not None and entry.settled

    def __len__(self) -> int:
        return len(self._entries)
