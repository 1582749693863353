"""Performing decisions on one AMQP channel: publish, wait for the broker's confirm, then settle.

One :class:`OutcomePublisher` per channel, used on the I/O thread only. The order per request is
nameko's: publish the reply (or the retry / dead-letter copy), wait for the confirm, and only then
ack the request. A channel that dies takes its publisher with it: the delivery tags and confirm
sequence numbers of a dead channel mean nothing on the next one, so nothing carries over.
"""

from __future__ import annotations

import copy
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pika.spec import Basic, BasicProperties

from scoregate.adapters.amqp.cache import CacheKey, ReplyCache
from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.handler import ATTEMPT_HEADER, DEADLINE_CARRY_HEADER, RequestProps
from scoregate.adapters.amqp.replies import DETAIL_HEADER, REASON_HEADER, Outcome, Reply
from scoregate.adapters.amqp.stats import Stats
from scoregate.adapters.amqp.worker import Decision, Delivery
from scoregate.adapters.channel import Disposition

log = logging.getLogger(__name__)

DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
QUEUE_HEADER = "x-scoregate-queue"


def dead_letter_key(queue: str, reason: str) -> str:
    """Routing key of the gateway's own dead letters: ``<queue>.<reason>``. The broker's (expired
    in the queue, a quorum delivery limit) keep the request's own key, the queue name, so the two
    can be bound apart (``<queue>.*`` against ``<queue>``)."""
    return f"{queue}.{reason or 'unknown'}"


@dataclass
class _Waiting:
    """A request whose outgoing publishes are not all confirmed yet."""

    delivery: Delivery
    outcome: Outcome
    key: CacheKey | None
    remaining: int
    finish: str  # "ack" or "reject" once every publish is confirmed
    failed: bool = False


@dataclass
class Unstored:
    """A reply published and not yet in the replicas' cache; its request waits for it."""

    key: CacheKey
    reply: Reply
    model: str
    props: RequestProps
    waiting: _Waiting


class OutcomePublisher:
    """Turns decisions into publishes and acks on one confirm-mode channel."""

    def __init__(
        self, channel: Any, generation: int, config: AmqpChannelConfig, cache: ReplyCache, stats: Stats,
        delays: dict[str, list[tuple[str, float]]], on_settled: Callable[[], None],
    ) -> None:
        self.channel = channel
        self.generation = generation
        self.config = config
        self.cache = cache
        self.stats = stats
        self.delays = delays
        self.on_settled = on_settled
        self.inflight: dict[int, Delivery] = {}
        """Delivered on this channel and not yet acked, rejected or released."""
        self._confirms: OrderedDict[int, tuple[_Waiting, CacheKey | None]] = OrderedDict()
        self.sharing = False
        """Replies go to the replicas' cache too (``shared.py``): a request is acked once its reply
        is confirmed *and* stored."""
        self.unstored: list[Unstored] = []
        """Replies published since the I/O thread last handed them to be stored."""
        self._storing = 0
        self._seq = 0

    @property
    def usable(self) -> bool:
        return self.channel.is_open

    @property
    def unconfirmed(self) -> int:
        """Publishes not confirmed yet, and replies not stored yet: acks still to come."""
        return len(self._confirms) + self._storing

    def perform(self, decision: Decision) -> None:
        delivery, outcome = decision.delivery, decision.outcome
        match outcome.disposition:
            case Disposition.ANSWERED if decision.suppress:
                # Acked before, and counted then, unless that ack never went out.
                assert decision.cache_key is not None
                acked_before = self.cache.was_settled(decision.cache_key)
                self._finish(delivery, "ack", None if acked_before else outcome, decision.cache_key)
            case Disposition.ANSWERED:
                assert outcome.reply is not None
                seq = self._publish_reply(delivery, outcome.reply)
                waiting = self._wait(delivery, outcome, [(seq, decision.cache_key)], "ack", decision.cache_key)
                if self.sharing and decision.cache_key is not None:
                    waiting.remaining += 1  # the store counts like one more confirm
                    self._storing += 1
                    self.unstored.append(Unstored(decision.cache_key, outcome.reply, outcome.model, delivery.props, waiting))
            case Disposition.RETRY:
                self._retry(delivery, outcome)
            case Disposition.DEAD_LETTER:
                self._dead_letter(delivery, outcome)
            case Disposition.DROPPED:
                self._finish(delivery, "ack", outcome)

    def release_all(self) -> None:
        """Requeue every delivery not settled yet (stopping after the grace period)."""
        if self.channel.is_open:
            for tag in list(self.inflight):
                self.channel.basic_nack(tag, requeue=True)
            self.stats.add("released", len(self.inflight))
        self.abandon()

    def abandon(self) -> None:
        """Forget every unsettled delivery: the channel is gone and the broker redelivers them."""
        self.stats.given_back(len(self.inflight))
        self.inflight.clear()

    # -- publishing ----------------------------------------------------------------------------

    def _publish(self, exchange: str, routing_key: str, body: bytes, properties: BasicProperties, mandatory: bool = False) -> int:
        self.channel.basic_publish(exchange, routing_key, body, properties, mandatory)
        self._seq += 1  # confirm tags count the channel's publishes from 1
        return self._seq

    def _publish_reply(self, delivery: Delivery, reply: Reply) -> int:
        reply_to = delivery.props.reply_to or ""
        properties = BasicProperties(
            content_type=reply.content_type, content_encoding=reply.content_encoding,
            correlation_id=delivery.props.correlation_id, headers=reply.headers, timestamp=int(time.time()),
            delivery_mode=2 if self.config.persistent_replies else 1,
        )
        # mandatory tells a vanished named reply queue (NO_ROUTE); RabbitMQ 3.x returns every
        # direct reply-to reply although it delivers it, so never there.
        return self._publish("", reply_to, reply.body, properties, mandatory=not reply_to.startswith(DIRECT_REPLY_TO))

    @staticmethod
    def _copy(delivery: Delivery, headers: dict[str, Any]) -> BasicProperties:
        properties = copy.copy(delivery.properties)
        properties.headers = {**(delivery.properties.headers or {}), **headers}
        # The deadline travels in a header; a broker-side TTL would restart with every copy.
        properties.expiration = None
        return properties

    def _retry(self, delivery: Delivery, outcome: Outcome) -> None:
        delays = self.delays[delivery.props.queue]
        if not delays:  # no delay queues (reply_at_once): only a gateway bug gets here
            self._finish(delivery, "nack", outcome)
            return
        name, _ = min(delays, key=lambda d: abs(d[1] - outcome.retry_delay_s))
        headers: dict[str, Any] = {ATTEMPT_HEADER: outcome.next_attempt}
        if outcome.deadline is not None:
            headers[DEADLINE_CARRY_HEADER] = int(outcome.deadline.timestamp() * 1000)
        seq = self._publish("", name, delivery.body, self._copy(delivery, headers))
        self._wait(delivery, outcome, [(seq, None)], "ack")

    def _dead_letter(self, delivery: Delivery, outcome: Outcome) -> None:
        seqs: list[tuple[int, CacheKey | None]] = []
        if outcome.reply is not None and delivery.props.reply_to:
            seqs.append((self._publish_reply(delivery, outcome.reply), None))
        exchange = self.config.dead_letter.exchange
        if exchange:
            properties = self._copy(delivery, {
                REASON_HEADER: outcome.reason, DETAIL_HEADER: outcome.detail[:1000],
                QUEUE_HEADER: delivery.props.queue, ATTEMPT_HEADER: delivery.props.attempt,
            })
            properties.delivery_mode = 2  # kept for an operator to look at, across broker restarts
            routing_key = dead_letter_key(delivery.props.queue, outcome.reason)
            seqs.append((self._publish(exchange, routing_key, delivery.body, properties), None))
        finish = "ack" if exchange else "reject"
        if seqs:
            self._wait(delivery, outcome, seqs, finish)
        else:
            self._finish(delivery, finish, outcome)

    # -- confirms and settling -----------------------------------------------------------------

    def _wait(
        self, delivery: Delivery, outcome: Outcome, seqs: list[tuple[int, CacheKey | None]], finish: str,
        key: CacheKey | None = None,
    ) -> _Waiting:
        waiting = _Waiting(delivery, outcome, key, len(seqs), finish)
        for seq, key in seqs:
            self._confirms[seq] = (waiting, key)
        return waiting

    def stored(self, replies: list[Unstored]) -> None:
        """These replies are in the replicas' cache (or could not be: the local one has them)."""
        for unstored in replies:
            self._storing -= 1
            self._one_done(unstored.waiting)
        self.on_settled()

    def _one_done(self, waiting: _Waiting) -> None:
        waiting.remaining -= 1
        if waiting.remaining == 0:
            # A publish the broker refused: requeue the request rather than lose it.
            how = "nack" if waiting.failed else waiting.finish
            self._finish(waiting.delivery, how, waiting.outcome, waiting.key)

    def on_confirm(self, frame: Any) -> None:
        method = frame.method
        acked = isinstance(method, Basic.Ack)
        if method.multiple:
            seqs = []
            for seq in self._confirms:  # ascending: publishes are recorded in order
                if seq > method.delivery_tag:
                    break
                seqs.append(seq)
        else:
            seqs = [method.delivery_tag] if method.delivery_tag in self._confirms else []
        for seq in seqs:
            waiting, key = self._confirms.pop(seq)
            if not acked:
                waiting.failed = True
                self.stats.add("publish_nacked")
            elif key is not None:
                self.cache.confirmed(key)
            self._one_done(waiting)
        self.on_settled()

    def on_return(self, channel: Any, method: Any, properties: BasicProperties, body: bytes) -> None:
        # A named reply queue that no longer exists: the producer is gone. The confirm that
        # follows acks the request; retrying would not bring the producer back.
        self.stats.add("returned")
        log.warning("amqp: reply to %r returned: %s %s", method.routing_key, method.reply_code, method.reply_text)

    def _finish(self, delivery: Delivery, how: str, outcome: Outcome | None, key: CacheKey | None = None) -> None:
        """Ack, reject or requeue; count ``outcome`` once it is acked or rejected (None: not again)."""
        # On a closed channel the delivery stays in inflight: abandon() gives it back.
        if not self.channel.is_open or self.inflight.pop(delivery.delivery_tag, None) is None:
            return
        tag = delivery.delivery_tag
        if how == "nack":
            self.channel.basic_nack(tag, requeue=True)
            self.stats.given_back()  # counted when its redelivery settles
            return
        if how == "ack":
            self.channel.basic_ack(tag)
        else:
            self.channel.basic_reject(tag, requeue=False)
        if key is not None:
            # An ack lost with the connection brings this message back; see ``perform``.
            self.cache.settled(key)
        if outcome is None:
            self.stats.given_back()
        else:
            self.stats.settled(delivery.started, outcome)
