"""Callers that keep a real core busy while a test changes what it serves."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.settings import ClientSettings


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.05)


class ScoringLoad:
    """``callers`` threads, each with its own client, scoring ``request`` until the block ends.

    Every answer is kept as (monotonic time, version) in ``answers``, every exception in
    ``failures``."""

    def __init__(self, settings: ClientSettings, request: ScoreRequest, callers: int) -> None:
        self.answers: list[tuple[float, str]] = []
        self.failures: list[BaseException] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._call, args=(settings, request)) for _ in range(callers)]

    @property
    def versions(self) -> list[str]:
        return [version for _, version in self.answers]

    def _call(self, settings: ClientSettings, request: ScoreRequest) -> None:
        with ScoringClient(settings) as client:
            while not self._stop.is_set():
                try:
                    self.answers.append((time.monotonic(), client.score(request).version))
                except BaseException as exc:  # noqa: BLE001 - collected and asserted by the test
                    self.failures.append(exc)

    def __enter__(self) -> ScoringLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(10)
