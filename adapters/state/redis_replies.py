"""The AMQP reply cache in Redis: the reply each request got, by the request's key.

One key per request, ``<prefix>reply:<key>``, holding the reply (opaque bytes, the channel's own
encoding) for the cache's time to live. It is written with ``SET NX`` just before the reply's
bytes leave for the broker, so it means "this request was answered": the first answer stays the
answer, whichever replica receives the request again.

Each method is one round trip for a whole batch, and raises
:class:`~scoregate.adapters.state.redis_client.StoreUnavailable` instead of waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scoregate.adapters.state.redis_client import RedisStore


class RedisReplies:
    def __init__(self, store: RedisStore, ttl_s: float) -> None:
        self.redis = store
        self.ttl_ms = max(1, int(ttl_s * 1000))

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

        def write(client) -> None:  # noqa: ANN001 - redis.Redis
            pipe = client.pipeline(transaction=False)
            for key, value in replies.items():
                pipe.set(self.redis.key("reply", key), value, nx=True, px=self.ttl_ms)
            pipe.execute()

        self.redis.run(write)
