"""The outcome queue channel: a consumer thread on a blocking pika connection (one thread owns
it, as pika requires). Messages are taken in batches; a batch is kept in the store and joined,
then acknowledged together, so a crash before the store commits redelivers them (and a second
delivery after a commit only adds duplicates, counted). A message that does not read is
published to the rejected queue with the reason, then acknowledged: counted, never dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable

import pika
import pika.exceptions

from scoregate.adapters.channel import ChannelHealth
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.outcome_queue.config import OutcomeQueueConfig
from scoregate.adapters.outcomes.records import Outcome, OutcomeError
from scoregate.adapters.outcomes.store import OutcomeStore
from scoregate.adapters.state.postgres_pool import StateUnavailable

log = logging.getLogger(__name__)
REASON_HEADER = "x-scoregate-reason"


def parse_message(body: bytes, config: OutcomeQueueConfig) -> list[Outcome]:
    """The outcomes of one message; raises OutcomeError (or ValueError) naming what is wrong."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise OutcomeError(f"not JSON: {error}") from None
    items = data if isinstance(data, list) else [data]
    f, out = config.fields, []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise OutcomeError(f"outcome {n}: not a JSON object")
        missing = [key for key in (f.reference, f.outcome, f.outcome_date) if key not in item]
        if missing:
            raise OutcomeError(f"outcome {n}: missing {', '.join(missing)}")
        try:
            out.append(Outcome.parse(item[f.reference], item[f.outcome], item[f.outcome_date], item.get(f.amount)))
        except (OutcomeError, ValueError, TypeError) as error:
            raise OutcomeError(f"outcome {n}: {error}") from None
    return out


class OutcomeQueueChannel:
    def __init__(self, config: OutcomeQueueConfig, store: Callable[[], OutcomeStore], metrics: ChannelMetrics,
                 name: str = "outcome_queue") -> None:
        self.name = name
        self.config = config
        self.metrics = metrics
        self._store = store
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False
        self.problem = "not started"
        self.messages = self.rejected = 0

    @property
    def store(self) -> OutcomeStore:
        return self._store()

    async def start(self) -> None:
        try:
            self._store().add([])  # a wrong key, or none for a masking audit, fails the start
        except StateUnavailable as error:  # PostgreSQL down: the outcomes wait in the queue until it answers
            log.warning("%s: %s; outcomes wait in the queue", self.name, error)
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-consumer", daemon=True)
        self._thread.start()

    async def stop(self, grace: float) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, grace + self.config.batch_wait_s)

    def health(self) -> ChannelHealth:
        return ChannelHealth(True) if self.connected else ChannelHealth(False, self.problem)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._consume()
            except pika.exceptions.AMQPError as error:
                self.connected = False
                self.problem = f"broker: {error or type(error).__name__}"
                log.warning("%s: %s; reconnecting in %.0f s", self.name, self.problem, self.config.reconnect_s)
                self.metrics.event("reconnects")
            except StateUnavailable as error:  # the batch was not acked: the broker gives it again
                self.connected = False
                if str(error) != self.problem:
                    log.warning("%s: %s; outcomes wait in the queue", self.name, error)
                self.problem = str(error)
            self._stop.wait(self.config.reconnect_s)

    def _consume(self) -> None:
        c = self.config
        connection = pika.BlockingConnection(pika.URLParameters(c.url))
        try:
            channel = connection.channel()
            for queue in (c.queue, c.rejected_queue):
                channel.queue_declare(queue, durable=True)
            channel.basic_qos(prefetch_count=c.batch_messages)
            self.connected, self.problem = True, ""
            pending: list[tuple[int, list[Outcome]]] = []
            for method, properties, body in channel.consume(c.queue, inactivity_timeout=c.batch_wait_s):
                if method is not None:
                    try:
                        pending.append((method.delivery_tag, parse_message(body, c)))
                    except OutcomeError as error:
                        self._reject(channel, body, properties, str(error))
                        channel.basic_ack(method.delivery_tag)
                if pending and (method is None or len(pending) >= c.batch_messages):
                    self._keep(pending)
                    channel.basic_ack(pending[-1][0], multiple=True)
                    pending = []
                if self._stop.is_set() and not pending:
                    break
            channel.cancel()  # unacked messages (none after the last batch) go back to the queue
        finally:
            self.connected = False
            if connection.is_open:
                connection.close()

    def _keep(self, pending: list[tuple[int, list[Outcome]]]) -> None:
        store = self._store()
        outcomes = [o for _tag, batch in pending for o in batch]
        intake = store.add(outcomes, source=f"queue {self.config.queue}")
        store.refresh()
        self.messages += len(pending)
        self.metrics.event("outcomes_read", len(outcomes))
        for event, n in (("outcomes_duplicate", intake.duplicate), ("outcomes_contradictory", intake.contradictory)):
            if n:
                self.metrics.event(event, n)

    def _reject(self, channel, body: bytes, properties, reason: str) -> None:  # noqa: ANN001
        headers = dict(properties.headers or {})
        headers[REASON_HEADER] = reason
        channel.basic_publish("", self.config.rejected_queue, body,
                              pika.BasicProperties(headers=headers, delivery_mode=2, content_type=properties.content_type))
        self.rejected += 1
        self.metrics.event("outcome_messages_rejected")
        log.warning("%s: a message set aside in %s: %s", self.name, self.config.rejected_queue, reason)
