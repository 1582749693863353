"""The AMQP reply cache in Redis: the reply each request got, by the request's key.

One key per request, ``<prefix>reply:<key>``, holding the reply (opaque bytes, the channel's own
encoding) for the cache's time to live. It is written with ``SET NX`` just before the reply's
bytes leave for the broker, so it means "this request was answered": the first answer stays the
answer, whichever replica receives the request again.

Each method is one round trip and one command for a whole batch (the store is a Lua script: a
pipeline of one ``SET`` per reply costs the client 2.5 times the CPU), and raises
:class:`~scoregate.adapters.state.redis_client.StoreUnavailable` instead of waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scoregate.adapters.state.redis_client import RedisStore


# KEYS: the reply keys; ARGV: a value per key, then the time to live in milliseconds.
_STORE = "for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[i], 'NX', 'PX', ARGV[#ARGV]) end"


class RedisReplies:
    def __init__(self, store: RedisStore, ttl_s: float) -> None:
        self.redis = store
        self.ttl_ms = max(1, int(ttl_s * 1000))
        self._store = store.client.register_script(_STORE)  # EVALSHA, loaded again after a restart

    def fetch(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The replies stored for any of ``keys``."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        values = self.redis.run(lambda client: client.mget([self.redis.key("reply", key) for key in keys]))
        return {key: value for key, value in zip(keys, values) if value is not None}

    def store(self, replies: Mapping[str, bytes]) -> None:
        """Remember each reply unless one is remembered for its key already (``SET NX``)."""
        if not replies:
            return
        keys = [self.redis.key("reply", key) for key in replies]
        args = [*replies.values(), self.ttl_ms]
        self.redis.run(lambda client: self._store(keys=keys, args=args, client=client))
