"""``AmqpChannel``: the RabbitMQ channel behind the gateway's :class:`~scoregate.adapters.channel.Channel` lifecycle.

The asyncio methods only wait, in a thread, for the :class:`~scoregate.adapters.amqp.consumer.Responder`,
which runs its own I/O thread and scoring workers; the gateway's event loop never blocks on pika.
"""

from __future__ import annotations

import asyncio
import logging

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.consumer import Responder
from scoregate.adapters.amqp.stats import Stats
from scoregate.adapters.channel import ChannelHealth, core_health
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.state.redis_client import RedisStore
from scoregate.core.client import ScoringClient

log = logging.getLogger(__name__)

DEFAULT_START_TIMEOUT_S = 10.0


class AmqpChannel:
    """Consumes the configured request queues and answers each request on its ``reply_to``."""

    name = "amqp"

    def __init__(
        self, config: AmqpChannelConfig, client: ScoringClient, start_timeout_s: float = DEFAULT_START_TIMEOUT_S,
        *, metrics: ChannelMetrics | None = None, redis: RedisStore | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics if metrics is not None else ChannelMetrics("amqp")
        self.client = client
        self.responder = Responder(config, client, metrics=self.metrics, redis=redis)
        self.start_timeout_s = start_timeout_s

    @property
    def stats(self) -> Stats:
        """Counters by name, read from ``metrics`` (the one place they are kept)."""
        return self.responder.stats

    async def start(self) -> None:
        """Start consuming; returns once every queue is consumed, or after ``start_timeout_s`` with
        the channel still retrying in the background (``health()`` names what is missing)."""
        self.responder.start()
        if not await asyncio.to_thread(self.responder.wait_ready, self.start_timeout_s):
            log.warning("amqp channel not ready after %.0f s: %s", self.start_timeout_s, self.health().detail)

    async def stop(self, grace: float) -> None:
        """Cancel the consumers, answer what is in flight within ``grace``, requeue the rest."""
        await asyncio.to_thread(self.responder.stop, grace)

    def health(self) -> ChannelHealth:
        broker = self.responder.health()
        if not broker.ready:
            return broker
        core = core_health(self.client)
        if not core.ready or not broker.detail:
            return core
        # Ready with a note when the shared reply cache is down (answers go on, per process).
        return ChannelHealth(True, "; ".join(n for n in (core.detail, broker.detail) if n))
