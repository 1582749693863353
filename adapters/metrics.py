"""Prometheus metrics every channel reports the same way, so one dashboard covers them all.

The gateway owns one ``CollectorRegistry`` and gives each channel a ``ChannelMetrics`` bound to
the channel's name; the health server exports the registry on ``/metrics``. A channel built
without one (tests, the benchmark) gets a private registry, so two channels in one process never
collide on metric names.

Families (label ``channel`` on all of them):

- ``scoregate_channel_requests_total{outcome}``: one per request the channel took, by what became
  of it (``Outcome``). A file's records count here one by one, as requests of the file channel.
- ``scoregate_channel_errors_total{kind}``: canonical error kind (``ErrorKind``) of each request
  answered with an error, retried or dropped because of one.
- ``scoregate_channel_request_seconds``: from taking a request to its answer being out.
- ``scoregate_channel_in_flight``: requests taken and not yet answered.
- ``scoregate_channel_events_total{event}``: transport events that are not requests (AMQP
  redeliveries and dead letters, files claimed, reconnects), named by the channel.
- ``scoregate_channel_unit_seconds{unit}``: time of a unit of work bigger than a request (a whole
  file), kept apart so that it never skews the per-request histogram.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from scoregate.core.errors import ErrorKind, ScoreError

# Legacy callers see 1-100 ms; batch files and retries reach seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A file of a few records takes well under a second; a nightly file of millions, minutes.
UNIT_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


class Outcome(StrEnum):
    SCORED = "scored"
    """Answered with a score."""
    ERROR = "error"
    """Answered with an error in the caller's format (SOAP Fault, error reply, reject record)."""
    RETRY = "retry"
    """Not answered yet: kept for a later attempt (core unavailable)."""
    DEAD_LETTER = "dead_letter"
    """Set aside unanswered (no reply address, unknown format, retries exhausted)."""
    DROPPED = "dropped"
    """Not scored on purpose: the caller stopped waiting (expired)."""


class GatewayMetrics:
    """The families, created once per registry; ``channel(name)`` hands out per-channel views."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "scoregate_channel_requests", "Requests taken by a channel, by outcome.", ["channel", "outcome"], registry=r
        )
        self.errors = Counter(
            "scoregate_channel_errors", "Requests that met a canonical error, by kind.", ["channel", "kind"], registry=r
        )
        self.seconds = Histogram(
            "scoregate_channel_request_seconds", "From taking a request to its answer being out.", ["channel"],
            buckets=LATENCY_BUCKETS, registry=r,
        )
        self.in_flight = Gauge(
            "scoregate_channel_in_flight", "Requests taken and not yet answered.", ["channel"], registry=r,
            multiprocess_mode="livesum",  # SOAP workers under PROMETHEUS_MULTIPROC_DIR: one series, summed
        )
        self.events = Counter(
            "scoregate_channel_events", "Transport events that are not requests, by name.", ["channel", "event"],
            registry=r,
        )
        self.unit_seconds = Histogram(
            "scoregate_channel_unit_seconds", "Time of a unit of work bigger than a request (a file).",
            ["channel", "unit"], buckets=UNIT_BUCKETS, registry=r,
        )

    def channel(self, name: str) -> ChannelMetrics:
        return ChannelMetrics(name, self)


class ChannelMetrics:
    """What one channel reports. Thread-safe (prometheus_client's metrics are)."""

    def __init__(self, channel: str, families: GatewayMetrics | None = None) -> None:
        self.channel = channel
        self.families = families if families is not None else GatewayMetrics()
        f = self.families
        self._in_flight = f.in_flight.labels(channel)
        self._seconds = f.seconds.labels(channel)
        # Children resolved once: labels() takes a lock and a dict lookup on every call.
        self._outcomes = {o: f.requests.labels(channel, o.value) for o in Outcome}
        self._kinds = {k: f.errors.labels(channel, k.value) for k in ErrorKind}

    @property
    def registry(self) -> CollectorRegistry:
        return self.families.registry

    def started(self, n: int = 1) -> float:
        """A request (or ``n``) was taken; returns the start time to hand to ``finished``."""
        self._in_flight.inc(n)
        return time.perf_counter()

    def finished(self, start: float, outcome: Outcome, error: ScoreError | ErrorKind | None = None, n: int = 1) -> None:
        """The request(s) taken at ``start`` left the channel with ``outcome``."""
        self._in_flight.dec(n)
        self._seconds.observe(time.perf_counter() - start)
        self.count(outcome, error, n)

    def abandoned(self, n: int = 1) -> None:
        """Request(s) taken and given back unanswered (released at stop, lost with a connection):
        out of flight, with no outcome; their redelivery is counted when it is answered."""
        self._in_flight.dec(n)

    def count(self, outcome: Outcome, error: ScoreError | ErrorKind | None = None, n: int = 1) -> None:
        """Outcomes without a latency (records of a file, requests never started)."""
        self._outcomes[outcome].inc(n)
        if error is not None:
            kind = error.kind if isinstance(error, ScoreError) else error
            self._kinds[ErrorKind(kind)].inc(n)

    def event(self, name: str, n: int = 1) -> None:
        self.families.events.labels(self.channel, name).inc(n)

    def observe_unit(self, unit: str, seconds: float) -> None:
        self.families.unit_seconds.labels(self.channel, unit).observe(seconds)

    @contextmanager
    def request(self) -> Iterator[_Tracked]:
        """``with metrics.request() as r: ...; r.outcome = Outcome.ERROR; r.error = err``.

        An exception escaping the block counts as a core failure: the channel's own boundary
        should have mapped it, so it is worth seeing on the dashboard.
        """
        tracked = _Tracked(self.started())
        try:
            yield tracked
        except BaseException:
            self.finished(tracked.start, Outcome.ERROR, ErrorKind.CORE_FAILURE)
            raise
        self.finished(tracked.start, tracked.outcome, tracked.error)


class _Tracked:
    __slots__ = ("start", "outcome", "error")

    def __init__(self, start: float) -> None:
        self.start = start
        self.outcome = Outcome.SCORED
        self.error: ScoreError | ErrorKind | None = None
