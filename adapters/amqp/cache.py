"""Replies remembered by request, so a redelivered request gets the same answer, not a new score.

The key (:func:`reply_key`) is the request's ``message_id``; without one, a digest of
``reply_to``, ``correlation_id`` and the body (some producers reuse one correlation id for
everything, and a wrong answer is worse than a second scoring). The same key serves the
process-local cache here and the one the replicas share (``shared.py``, Redis). An entry knows
whether the broker confirmed its reply: a redelivery of a request whose reply was confirmed is
acked without replying again (the producer has its answer), otherwise the remembered reply is
published.

This cache alone covers redeliveries to this process (after a lost connection). A redelivery
that lands on *another* gateway process (after a crash, or with competing consumers) is found
only with ``[state] redis`` in the gateway file; without it, it is scored again there, to the
same answer as long as the model version is the same (the reply's ``x-scoregate-model`` says
which).
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

CacheKey = str


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


def reply_key(props: RequestProps, body: bytes) -> CacheKey | None:
    """The key a reply to this request is remembered under (None: no reply to remember)."""
    digest = hashlib.blake2b(props.queue.encode(), digest_size=16)
    if props.message_id:
        digest.update(b"\0id\0" + props.message_id.encode())
    elif props.reply_to:
        for part in (props.reply_to, props.correlation_id or ""):
            digest.update(b"\0" + part.encode())
        digest.update(b"\0" + body)
    else:
        return None
    return digest.hexdigest()


def put_key(props: RequestProps, body: bytes) -> CacheKey | None:
    """The key a reply to this request is remembered under."""
    return reply_key(props, body)


def get_key(props: RequestProps, body: bytes) -> CacheKey | None:
    """The key to look a request up by. Without a message id only a redelivery is looked up: a
    fresh message with the same correlation id and body is a new request as far as anyone knows."""
    return reply_key(props, body) if props.message_id or props.redelivered else None


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

    def put(self, key: CacheKey, reply: Reply, model: str, props: RequestProps, *, confirmed: bool = False) -> CachedReply:
        entry = CachedReply(reply, model, props.correlation_id, props.reply_to, self._clock() + self.ttl_s, confirmed)
        if self.size <= 0:
            return entry
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry

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
