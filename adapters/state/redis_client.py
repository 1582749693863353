"""One Redis connection pool per gateway, behind a breaker: a shared store never holds up an answer.

Every call runs through :meth:`RedisStore.run`. A call that fails (refused, timed out after
``timeout_s``, a server error) opens the breaker: for ``retry_s`` no call goes to Redis at all,
each raises :class:`StoreUnavailable` at once and its caller uses its process-local cache. A probe
thread pings meanwhile, so the store is back (and readiness says so) without waiting for traffic.

redis-py's client is thread-safe (a connection pool); its own retries are turned off, because a
retry is exactly the wait an answer must not have.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

T = TypeVar("T")


class StoreUnavailable(Exception):
    """The shared store did not answer (or is not asked for a while); the message says why."""


def where(url: str) -> str:
    """``host:port/db`` of a Redis URL, never its credentials."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or '/0'}"


class RedisStore:
    """The gateway's Redis, shared by the caches that live there; ``available`` and ``detail`` for readiness."""

    def __init__(self, url: str, prefix: str = "scoregate:", *, timeout_s: float = 0.1, retry_s: float = 1.0) -> None:
        self.url = url
        self.prefix = prefix
        self.where = where(url)
        self.timeout_s = timeout_s
        self.retry_s = retry_s
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, retry=Retry(NoBackoff(), 0),
            health_check_interval=0, client_name="scoregate",
        )
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._down_since: float | None = None
        self.detail = ""
        """Why the store is not used now ("" while it is)."""
        self._closed = threading.Event()
        self._probe: threading.Thread | None = None

    def patient(self, timeout_s: float) -> RedisStore:
        """The same server with a longer timeout, for work that no answer waits for (its own pool)."""
        return RedisStore(self.url, self.prefix, timeout_s=max(timeout_s, self.timeout_s), retry_s=self.retry_s)

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    @property
    def available(self) -> bool:
        return self._down_since is None

    def run(self, action: Callable[[redis.Redis], T]) -> T:
        """``action(client)``, or StoreUnavailable at once while the breaker is open."""
        if self._down_since is not None and time.monotonic() < self._retry_at:
            raise StoreUnavailable(self.detail)
        try:
            result = action(self.client)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            raise StoreUnavailable(self.detail) from None
        if self._down_since is not None:
            self._recovered()
        return result

    def ping(self) -> bool:
        try:
            self.run(lambda client: client.ping())
        except StoreUnavailable:
            return False
        return True

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            first = self._down_since is None
            self._retry_at = time.monotonic() + self.retry_s
            self.detail = f"Redis at {self.where} unreachable: {_reason(exc)}"
            if first:
                self._down_since = time.monotonic()
                log.warning("state: %s; using the process-local caches until it answers", self.detail)
                if self._probe is None or not self._probe.is_alive():
                    self._probe = threading.Thread(target=self._probing, name="redis-probe", daemon=True)
                    self._probe.start()

    def _recovered(self) -> None:
        with self._lock:
            if self._down_since is None:
                return
            log.info("state: Redis at %s answers again after %.1f s", self.where, time.monotonic() - self._down_since)
            self._down_since, self.detail = None, ""

    def _probing(self) -> None:
        """While the store is down, ask it every ``retry_s`` (readiness recovers with no traffic)."""
        while not self._closed.wait(self.retry_s) and self._down_since is not None:
            try:
                self.client.ping()
            except (redis.RedisError, OSError) as exc:
                self._failed(exc)
            else:
                self._recovered()

    def close(self) -> None:
        self._closed.set()
        self.client.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
