"""Counters of the AMQP channel, shared by the I/O thread and the scoring workers.

Plain counters for now (tests and the benchmark read them); the Prometheus exporter of the
gateway can read ``snapshot()`` when it lands.
"""

from __future__ import annotations

import threading
from collections import Counter

#: Counter names, for readers: received, answered, error_replies, retried, dead_lettered, dropped,
#: replayed, duplicates_suppressed, returned, stale, released, reconnects, batches, scored_rows,
#: publish_nacked, unconfirmed_at_loss.
NAMES = (
    "received", "answered", "error_replies", "retried", "dead_lettered", "dropped", "replayed",
    "duplicates_suppressed", "returned", "stale", "released", "reconnects", "batches", "scored_rows",
    "publish_nacked", "unconfirmed_at_loss",
)


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {name: self._counts[name] for name in NAMES}
