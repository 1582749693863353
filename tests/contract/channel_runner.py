"""Running any :class:`~scoregate.adapters.channel.Channel` from a blocking test, as the gateway runs it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from scoregate.adapters.channel import Channel


def free_port() -> int:
    """A port nobody listens on now (the kernel's pick, released at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str | Callable[[], str], step: float = 0.05) -> None:
    """Poll ``predicate`` until it holds; else fail saying ``what`` was awaited (a callable: the state then)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what() if callable(what) else what}")
        time.sleep(step)


class ChannelRunner:
    """Any :class:`Channel` in its own event loop on a background thread, as the gateway runs it."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=f"{channel.name}-channel", daemon=True)
        self.stopped = False

    def _run(self, coroutine: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self, timeout: float = 30) -> ChannelRunner:
        self._thread.start()
        self._run(self.channel.start(), timeout)
        return self

    def stop(self, grace: float, timeout: float = 30) -> None:
        """``await channel.stop(grace)``, then the loop ends; safe to call twice."""
        if self.stopped:
            return
        self.stopped = True
        try:
            self._run(self.channel.stop(grace), timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            if not self._thread.is_alive():
                self.loop.close()
