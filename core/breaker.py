"""A circuit breaker for the scoring client.

Hand-written (about 50 lines) because the maintained libraries either wrap only synchronous
calls (pybreaker) or bring an asyncio-only model; the client needs one breaker shared by its
blocking and asyncio paths, driven by canonical outcomes rather than exceptions.
"""

from __future__ import annotations

import threading
import time
from enum import StrEnum

from scoregate.core.errors import CoreUnavailable


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failures`` consecutive core outages; after ``reset_s`` lets one trial through."""

    def __init__(self, failures: int, reset_s: float, clock=time.monotonic) -> None:  # noqa: ANN001
        self.failures = failures
        self.reset_s = reset_s
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_out = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.reset_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def before_call(self) -> None:
        """Raise CoreUnavailable at once while open (the caller's protocol answers a server error)."""
        with self._lock:
            state = self._state()
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.HALF_OPEN and not self._trial_out:
                self._trial_out = True
                return
        raise CoreUnavailable("scoring core unavailable (circuit breaker open)")

    def try_now(self) -> None:
        """The core answers health checks again: let the next call through as the trial now,
        instead of after the rest of ``reset_s``."""
        with self._lock:
            if self._opened_at is not None and not self._trial_out:
                self._opened_at = min(self._opened_at, self._clock() - self.reset_s)

    def record_success(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._trial_out = False

    def record_failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            self._trial_out = False
            if self._opened_at is not None or self._consecutive >= self.failures:
                self._opened_at = self._clock()
