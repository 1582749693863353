"""The WS-Security nonce cache in Redis: a UsernameToken nonce is accepted once by all replicas.

``SET <prefix>nonce:<sha256(nonce)> 1 NX PX <ttl>`` per authenticated request: the first replica
to set it accepts, every later use (at any replica, within the time to live) is refused. The
local cache (per process, or per host with ``nonce_store``) records every nonce too, so that
while Redis does not answer this process still refuses what it has seen, and a nonce seen here
during an outage stays refused here once Redis is back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol

from scoregate.adapters.state.redis_client import RedisStore, StoreUnavailable


class NonceCache(Protocol):
    def first_use(self, nonce: bytes) -> bool:
        """Record ``nonce``; False if it was already used within the window."""


class RedisNonces:
    def __init__(self, store: RedisStore, ttl_s: float, local: NonceCache, on_fallback: Callable[[], None] | None = None) -> None:
        self.redis = store
        self.ttl_ms = max(1, int(ttl_s * 1000))
        self.local = local
        self.on_fallback = on_fallback
        """Called for each nonce checked by the local cache alone (Redis down): the channel counts it."""

    def first_use(self, nonce: bytes) -> bool:
        fresh_here = self.local.first_use(nonce)
        key = self.redis.key("nonce", hashlib.sha256(nonce).hexdigest())
        try:
            fresh_everywhere = self.redis.run(lambda client: client.set(key, b"1", nx=True, px=self.ttl_ms))
        except StoreUnavailable:
            if self.on_fallback is not None:
                self.on_fallback()
            return fresh_here
        return fresh_here and bool(fresh_everywhere)

    def note(self) -> str:
        """For readiness: "" while shared, else why nonces are checked by this process only."""
        return "" if self.redis.available else f"nonce cache is process-local: {self.redis.detail}"
