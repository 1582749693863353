"""What the gateway declares on every (re)connect, as data: a list of pika channel calls.

Kept apart from the I/O loop so the plan can be read and tested without a broker. Order matters:
the dead-letter exchange exists before a request queue names it, and delay queues exist before the
first retry is published to them.

Retries go through one delay queue per distinct delay (``<queue>.retry.<ms>ms``), each with a fixed
``x-message-ttl`` that dead-letters back to the request queue through the default exchange. One
queue per delay because a classic queue only expires messages at its head: mixed TTLs in one queue
would hold short delays behind long ones. The delay is in the name so that changing it never
redeclares an existing queue with other arguments (which the broker refuses with 406).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scoregate.adapters.amqp.config import AmqpChannelConfig, QueueConfig


@dataclass(frozen=True)
class Step:
    method: str
    """A pika channel method that takes a ``callback``: queue_declare, exchange_declare, queue_bind, basic_qos."""
    kwargs: dict[str, Any] = field(default_factory=dict)


def delay_queue_name(queue: str, delay_s: float) -> str:
    return f"{queue}.retry.{round(delay_s * 1000)}ms"


def delay_queues(config: AmqpChannelConfig, queue: QueueConfig) -> list[tuple[str, float]]:
    if config.retry.reply_at_once:
        return []
    return [(delay_queue_name(queue.name, d), d) for d in sorted(set(config.retry.delays()))]


def plan(config: AmqpChannelConfig) -> list[Step]:
    steps = [Step("basic_qos", {"prefetch_count": config.prefetch})]
    dl = config.dead_letter
    if dl.exchange and dl.declare:
        steps.append(Step("exchange_declare", {"exchange": dl.exchange, "exchange_type": "topic", "durable": True}))
        if dl.queue:
            steps.append(Step("queue_declare", {"queue": dl.queue, "durable": True}))
            steps.append(Step("queue_bind", {"queue": dl.queue, "exchange": dl.exchange, "routing_key": "#"}))
    for queue in config.queues:
        if queue.declare:
            steps.append(Step("queue_declare", {
                "queue": queue.name, "durable": True, "arguments": queue.declare_arguments(dl.exchange),
            }))
        else:
            steps.append(Step("queue_declare", {"queue": queue.name, "passive": True}))
        for name, delay in delay_queues(config, queue):
            steps.append(Step("queue_declare", {"queue": name, "durable": True, "arguments": {
                "x-message-ttl": round(delay * 1000),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue.name,
            }}))
    return steps
