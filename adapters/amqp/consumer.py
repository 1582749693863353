"""The pika loop: one ``SelectConnection`` I/O thread that connects, declares, consumes and stops.

Every AMQP call happens on the I/O thread (pika connections are not thread-safe); the scoring
workers reach it only through ``IOLoop.add_callback_threadsafe``, so heartbeats never wait for
the core. What happens to each decision (publish, confirm, ack) is ``publisher.py``.

Recovery is ours (pika has none): on any connection or channel loss, reconnect with capped
exponential backoff and jitter, redeclare the topology, consume again. Decisions made for a lost
channel are void: the broker redelivers those requests and the reply cache answers them.

Logs: one WARNING per failed attempt with its reason in a sentence (``reasons.py``; pika's own
lines are silenced in ``app/logs.py``), one INFO when consuming again, with how long it took.
Events: ``reconnect_attempts`` counts attempts after a loss, ``reconnects`` the successful ones.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
import urllib.parse
from typing import Any

import pika
import pika.exceptions
from pika.adapters.select_connection import IOLoop
from pika.spec import Basic, BasicProperties

from scoregate.adapters.amqp import topology
from scoregate.adapters.amqp.batching import BatchScorer
from scoregate.adapters.amqp.cache import ReplyCache
from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.connection import connection_parameters
from scoregate.adapters.amqp.handler import RequestHandler, RequestProps
from scoregate.adapters.amqp.publisher import OutcomePublisher, Unstored
from scoregate.adapters.amqp.reasons import broker_reason
from scoregate.adapters.amqp.shared import SharedReplies
from scoregate.adapters.amqp.stats import Stats
from scoregate.adapters.amqp.worker import Decision, Delivery, ScoringWorker
from scoregate.adapters.channel import ChannelHealth
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.state.redis_client import RedisStore
from scoregate.core.client import ScoringClient

log = logging.getLogger(__name__)


class Responder:
    """The channel's engine: ``start``, ``wait_ready``, ``stop(grace)``, ``health``, from any thread.

    Counts into ``metrics`` (a private registry when none is given); ``stats`` reads them by name.
    """

    def __init__(
        self, config: AmqpChannelConfig, client: ScoringClient, *, metrics: ChannelMetrics | None = None,
        redis: RedisStore | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics if metrics is not None else ChannelMetrics("amqp")
        self.stats = Stats(self.metrics)
        self.cache = ReplyCache(config.reply_cache_size, config.reply_cache_ttl_s)
        # Redis is off the reply's path (only acks wait for it): a second of patience, not 100 ms.
        self.shared = SharedReplies(redis.patient(1.0), config.reply_cache_ttl_s, self.stats) if redis is not None else None
        handlers = {q.name: RequestHandler(q, config.retry, config.deadline_header) for q in config.queues}
        self.scorer = BatchScorer(client, config.describe_refresh_s)
        self.worker = ScoringWorker(
            handlers, self.scorer, self.cache, self._deliver, self._worker_exited,
            max_batch=config.prefetch * len(config.queues), workers=config.workers,
            linger_s=config.batch_linger_ms / 1000, stats=self.stats, shared=self.shared,
        )
        self._delays = {q.name: topology.delay_queues(config, q) for q in config.queues}
        self._ioloop = IOLoop()
        self._thread = threading.Thread(target=self._run, name="amqp-io", daemon=True)
        # Below: touched on the I/O thread only.
        self._connection: pika.SelectConnection | None = None
        self._publisher: OutcomePublisher | None = None
        self._generation = 0
        self._consumers: dict[str, str] = {}
        self._backoff = config.reconnect_initial_s
        self._reconnect_timer: Any = None
        self._closing_because: str | None = None
        self._stopping = False
        self._worker_done = False
        self._lost_at: float | None = None
        self._failed_attempts = 0
        # Read from other threads.
        self._ready = threading.Event()
        self._drained = threading.Event()
        self.last_error = ""

    # -- any thread ---------------------------------------------------------------------------

    def start(self) -> None:
        self.worker.start()
        if self.shared is not None:
            self.shared.start()
        self._thread.start()

    def wait_ready(self, timeout: float) -> bool:
        """True once every queue is being consumed (again, after a reconnect)."""
        return self._ready.wait(timeout)

    def stop(self, grace: float) -> None:
        """Stop consuming, let in-flight requests finish within ``grace``, requeue the rest, close."""
        if not self._thread.is_alive():
            return
        deadline = time.monotonic() + grace
        self._call(self._begin_stop)
        self._drained.wait(max(0.0, deadline - time.monotonic()))
        self._call(self._finish_stop)
        self._thread.join(10)
        self.worker.join(1)
        if self.shared is not None:
            self.shared.close()
            self.shared.redis.close()

    def health(self) -> ChannelHealth:
        if self._ready.is_set():
            return ChannelHealth(True, self.shared.note() if self.shared is not None else "")
        return ChannelHealth(False, self.last_error or "not connected to the broker yet")

    def _call(self, callback: Any) -> None:
        try:
            self._ioloop.add_callback_threadsafe(callback)
        except OSError:  # the loop's wake-up socket is gone: the channel has stopped
            log.debug("I/O loop closed; dropped %r", callback)

    def _deliver(self, decisions: list[Decision]) -> None:  # worker threads
        self._call(functools.partial(self._on_decisions, decisions))

    def _worker_exited(self) -> None:  # worker thread, after its last decisions
        self._call(self._on_worker_exit)

    # -- connection lifecycle (I/O thread) ----------------------------------------------------

    def _run(self) -> None:
        self._connect()
        try:
            self._ioloop.start()
        finally:
            self._ready.clear()
            self._ioloop.close()

    def _connect(self) -> None:
        self._reconnect_timer = None
        if self._stopping:
            self._ioloop.stop()
            return
        try:
            params = connection_parameters(self.config)
            params.heartbeat = self.config.heartbeat_s
            params.connection_attempts = 1
            params.client_properties = {"connection_name": self.config.connection_name, "product": "scoregate"}
            pika.SelectConnection(
                params, on_open_callback=self._on_open, on_open_error_callback=self._on_open_error,
                on_close_callback=self._on_closed, custom_ioloop=self._ioloop,
            )
        except (ValueError, TypeError, OSError, pika.exceptions.AMQPError) as exc:  # bad URL parts surface here
            self._lost(f"cannot connect to {self.where}: {broker_reason(exc)}", attempt_failed=True)

    def _on_open(self, connection: pika.SelectConnection) -> None:
        self._connection = connection
        connection.channel(on_open_callback=self._on_channel_open)

    @property
    def where(self) -> str:
        """``host:port/vhost`` of the broker (vhost quoted as in the URL), never the credentials."""
        try:
            params = pika.URLParameters(self.config.url)
        except (ValueError, TypeError):
            return "the configured broker"
        return f"{params.host}:{params.port}/{urllib.parse.quote(params.virtual_host, safe='')}"

    def _on_open_error(self, connection: pika.SelectConnection, error: BaseException) -> None:
        self._lost(f"cannot connect to {self.where}: {broker_reason(error)}", attempt_failed=True)

    def _on_closed(self, connection: pika.SelectConnection, reason: BaseException) -> None:
        if self._connection is connection:
            self._connection = None
        # When we closed it because its channel failed, the channel's reason is the one to report.
        why = self._closing_because or f"connection to {self.where} lost: {broker_reason(reason)}"
        self._closing_because = None
        self._lost(why)

    def _lost(self, why: str, attempt_failed: bool = False) -> None:
        self._ready.clear()
        if self._publisher is not None:
            # Published but never confirmed: the broker may or may not have routed these replies;
            # their requests come back redelivered and the cache replays them (maybe a duplicate).
            self.stats.add("unconfirmed_at_loss", self._publisher.unconfirmed)
            self._publisher.abandon()
        self._publisher = None
        self._consumers.clear()
        if self._stopping:
            self._drained.set()
            self._ioloop.stop()
            return
        self.last_error = why
        delay = self._backoff * random.uniform(0.5, 1.0)
        self._backoff = min(self._backoff * 2, self.config.reconnect_max_s)
        if self._lost_at is None:
            self._lost_at = time.monotonic()
        self._failed_attempts += attempt_failed
        log.warning("amqp: %s; reconnecting in %.1f s", why, delay)
        self.stats.add("reconnect_attempts")
        self._reconnect_timer = self._ioloop.call_later(delay, self._connect)

    def _consuming(self) -> None:
        """Every queue is consumed: the one line that says so, after a start or a reconnect."""
        self._backoff = self.config.reconnect_initial_s
        self.last_error = ""
        queues = len(self.config.queues)
        if self._lost_at is None:
            log.info("amqp: consuming %d queue(s) on %s", queues, self.where)
        else:
            log.info("amqp: connected to %s again after %.1f s and %d failed attempt(s); consuming %d queue(s)",
                     self.where, time.monotonic() - self._lost_at, self._failed_attempts, queues)
            self.stats.add("reconnects")
            self._lost_at, self._failed_attempts = None, 0
        self._ready.set()  # last: whoever waits for it sees the line and the count

    def _on_channel_open(self, channel: Any) -> None:
        self._generation += 1
        publisher = OutcomePublisher(
            channel, self._generation, self.config, self.cache, self.stats, self._delays, self._check_drained
        )
        publisher.sharing = self.shared is not None
        self._publisher = publisher
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(publisher.on_return)
        channel.add_on_cancel_callback(self._on_cancelled)
        steps = topology.plan(self.config)
        channel.confirm_delivery(publisher.on_confirm, callback=lambda _f: self._run_steps(publisher, steps))

    def _run_steps(self, publisher: OutcomePublisher, steps: list[topology.Step]) -> None:
        if publisher is not self._publisher:
            return
        if not steps:
            self._start_consuming(publisher)
            return
        step, rest = steps[0], steps[1:]
        getattr(publisher.channel, step.method)(callback=lambda _f: self._run_steps(publisher, rest), **step.kwargs)

    def _start_consuming(self, publisher: OutcomePublisher) -> None:
        waiting = {q.name for q in self.config.queues}

        def consuming(queue: str) -> None:
            waiting.discard(queue)
            if not waiting and publisher is self._publisher:
                self._consuming()

        for queue in self.config.queues:
            tag = publisher.channel.basic_consume(
                queue.name, self._on_message, auto_ack=False, callback=lambda _f, q=queue.name: consuming(q)
            )
            self._consumers[tag] = queue.name

    def _on_channel_closed(self, channel: Any, reason: BaseException) -> None:
        if self._publisher is None or channel is not self._publisher.channel:
            return
        self._ready.clear()
        self._closing_because = f"channel on {self.where} closed: {broker_reason(reason)}"
        # A closed channel (406 on a declare, 404 on a passive one, consumer timeout) is recovered
        # like a lost connection: close it, and _on_closed reconnects with backoff.
        if self._connection is not None and self._connection.is_open:
            self._connection.close()

    def _on_cancelled(self, frame: Any) -> None:
        # The broker cancelled a consumer (its queue was deleted): reconnect and redeclare.
        if self._publisher is not None and self._publisher.usable:
            self._publisher.channel.close()

    # -- requests (I/O thread) ----------------------------------------------------------------

    def _on_message(self, channel: Any, method: Basic.Deliver, properties: BasicProperties, body: bytes) -> None:
        if self._publisher is None or channel is not self._publisher.channel:
            return  # a closing channel's delivery: the broker requeues it
        props = RequestProps(
            queue=self._consumers[method.consumer_tag], reply_to=properties.reply_to,
            correlation_id=properties.correlation_id, message_id=properties.message_id,
            content_type=properties.content_type, headers=dict(properties.headers or {}),
            timestamp=properties.timestamp, expiration=properties.expiration, redelivered=method.redelivered,
        )
        if method.redelivered:
            self.stats.add("redelivered")
        delivery = Delivery(self._generation, method.delivery_tag, body, props, properties, self.stats.received())
        self._publisher.inflight[method.delivery_tag] = delivery
        self.worker.submit(delivery)

    def _on_decisions(self, decisions: list[Decision]) -> None:
        publisher = self._publisher
        for decision in decisions:
            if publisher is None or decision.delivery.generation != publisher.generation or not publisher.usable:
                self.stats.add("stale")  # redelivered on the next channel; the cache has its reply
                continue
            try:
                publisher.perform(decision)
            except pika.exceptions.AMQPError as exc:
                # The channel broke under us; its close callback reconnects and the broker redelivers.
                log.warning("amqp: could not settle a request: %r", exc)
        if publisher is not None and publisher.unstored and self.shared is not None:
            # Stored by the sharing thread while the replies travel; each request is acked once
            # its reply is both confirmed and stored (``shared.py``).
            replies, publisher.unstored = publisher.unstored, []
            self.shared.submit(replies, functools.partial(self._call, functools.partial(self._stored, publisher, replies)))
        self._check_drained()

    def _stored(self, publisher: OutcomePublisher, replies: list[Unstored]) -> None:
        if publisher is self._publisher:  # else its channel is gone, and the broker redelivers
            publisher.stored(replies)

    # -- stopping (I/O thread) ----------------------------------------------------------------

    def _begin_stop(self) -> None:
        self._stopping = True
        if self._reconnect_timer is not None:
            self._ioloop.remove_timeout(self._reconnect_timer)
            self._reconnect_timer = None
        publisher = self._publisher
        if publisher is None or not publisher.usable or not self._consumers:
            self.worker.close()
            return
        pending = set(self._consumers)

        def cancelled(tag: str) -> None:
            pending.discard(tag)
            if not pending:
                self.worker.close()  # the worker finishes what it holds, then exits

        for tag in list(self._consumers):
            publisher.channel.basic_cancel(tag, callback=lambda _f, t=tag: cancelled(t))

    def _on_worker_exit(self) -> None:
        self._worker_done = True
        self._check_drained()

    def _check_drained(self) -> None:
        if self._stopping and self._worker_done and (self._publisher is None or not self._publisher.unconfirmed):
            self._drained.set()

    def _finish_stop(self) -> None:
        if self._publisher is not None:
            self._publisher.release_all()
        if self._connection is not None and self._connection.is_open:
            self._connection.close()  # _on_closed stops the loop
            self._ioloop.call_later(5.0, self._ioloop.stop)
        else:
            self._ioloop.stop()
