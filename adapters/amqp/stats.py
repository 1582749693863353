"""What the AMQP channel counts, kept in the gateway's Prometheus families and nowhere else.

Every request message is counted once, when it is settled: acked after its reply (or retry copy,
or dead letter) is confirmed, or acked unscored. ``scoregate_channel_requests_total`` gets its
outcome, the latency runs from delivery to that ack, and ``in_flight`` covers the same span. A
delivery the channel gives back instead (released at stop, lost with its connection, a publish
the broker refused) leaves ``in_flight`` without an outcome: the broker redelivers it, and the
redelivery is counted when it settles. A retried copy and a redelivery are new messages, so a
request retried twice and then scored counts RETRY, RETRY, SCORED.

An ack can be lost with its connection after it was sent: the broker redelivers the message.
For an answer the reply cache knows it was acked (``CachedReply.settled``) and the redelivery is
not counted again; a retry, dead letter or drop whose ack was lost (or an answer whose cache entry
is gone) does count twice.

:class:`Stats` is a read-and-add view over the same families, by the names tests and the
benchmark use: request outcomes read from the requests family, everything else is an event.
"""

from __future__ import annotations

from scoregate.adapters.amqp.replies import Outcome
from scoregate.adapters.channel import Disposition
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.metrics import Outcome as Counted
from scoregate.core.errors import ErrorKind

#: Stats names that read the requests family (one outcome each, or a sum of them).
_OUTCOMES: dict[str, tuple[Counted, ...]] = {
    "answered": (Counted.SCORED, Counted.ERROR),
    "scored": (Counted.SCORED,),
    "error_replies": (Counted.ERROR,),
    "retried": (Counted.RETRY,),
    "dead_lettered": (Counted.DEAD_LETTER,),
    "dropped": (Counted.DROPPED,),
}
#: Event names (``scoregate_channel_events_total{event}``); ``dead_letter_<reason>`` come on top.
EVENTS = (
    "received", "redelivered", "replayed", "duplicates_suppressed", "returned", "stale", "released",
    "reconnects", "reconnect_attempts", "batches", "scored_rows", "publish_nacked", "unconfirmed_at_loss",
    "replayed_replies", "reply_cache_fallbacks",
)
NAMES = (*_OUTCOMES, *EVENTS)


def counted(outcome: Outcome) -> tuple[Counted, ErrorKind | None]:
    """The shared outcome and error kind a settled request counts as."""
    match outcome.disposition:
        case Disposition.ANSWERED:
            kind = outcome.reply.kind if outcome.reply is not None else None
            return (Counted.SCORED, None) if kind is None else (Counted.ERROR, kind)
        case Disposition.RETRY:
            return Counted.RETRY, outcome.kind or ErrorKind.CORE_UNAVAILABLE
        case Disposition.DEAD_LETTER:
            return Counted.DEAD_LETTER, outcome.kind
        case _:
            return Counted.DROPPED, outcome.kind or ErrorKind.DEADLINE_EXPIRED


class Stats:
    """Counters by name over a :class:`ChannelMetrics`; thread-safe, as prometheus_client is.

    Reading a name collects the registry (tests, the benchmark, an operator's shell): cheap
    enough there, never done per message.
    """

    def __init__(self, metrics: ChannelMetrics | None = None) -> None:
        self.metrics = metrics if metrics is not None else ChannelMetrics("amqp")

    def add(self, name: str, n: int = 1) -> None:
        """Count a transport event (request outcomes are counted by ``settled``)."""
        if n:
            self.metrics.event(name, n)

    def received(self) -> float:
        """A delivery was taken: in flight from now; returns its start time for ``settled``."""
        self.metrics.event("received")
        return self.metrics.started()

    def settled(self, start: float, outcome: Outcome) -> None:
        """The delivery taken at ``start`` was acked or rejected with this outcome."""
        fate, kind = counted(outcome)
        self.metrics.finished(start, fate, kind)
        if fate is Counted.DEAD_LETTER:
            self.add(f"dead_letter_{outcome.reason or 'unknown'}")

    def given_back(self, n: int = 1) -> None:
        """Deliveries left unsettled (requeued, or lost with their channel): no longer in flight."""
        if n:
            self.metrics.abandoned(n)

    def __getitem__(self, name: str) -> int:
        registry, channel = self.metrics.registry, self.metrics.channel
        if name in _OUTCOMES:
            return int(sum(
                registry.get_sample_value("scoregate_channel_requests_total", {"channel": channel, "outcome": o.value})
                or 0.0 for o in _OUTCOMES[name]
            ))
        value = registry.get_sample_value("scoregate_channel_events_total", {"channel": channel, "event": name})
        return int(value or 0.0)

    @property
    def in_flight(self) -> int:
        value = self.metrics.registry.get_sample_value("scoregate_channel_in_flight", {"channel": self.metrics.channel})
        return int(value or 0.0)

    def snapshot(self) -> dict[str, int]:
        return {name: self[name] for name in NAMES}
