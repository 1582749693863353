"""Send one request the way a legacy producer does, and wait for its reply (the CLI's ``amqp request``).

A pika ``BlockingConnection`` is right here (one request, one reply; the research measured it as
fine for producers). The reply comes by direct reply-to unless a named reply queue is asked for.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pika
import pika.exceptions

from scoregate.adapters.amqp.config import DEFAULT_URL

DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"


@dataclass(frozen=True)
class RpcReply:
    body: bytes
    correlation_id: str
    content_type: str | None
    content_encoding: str | None
    headers: dict[str, Any] = field(default_factory=dict)
    elapsed_s: float = 0.0


class NoSuchQueue(LookupError):
    """The request was not routed: the queue does not exist."""


def send_request(
    queue: str, body: bytes, *, url: str = DEFAULT_URL, content_type: str | None = None,
    timeout_s: float = 10.0, reply_queue: str | None = None, message_id: str | None = None,
    expiration_ms: int | None = None, headers: dict[str, Any] | None = None,
) -> RpcReply:
    """Publish ``body`` to ``queue`` with ``reply_to`` and a fresh ``correlation_id``; return the reply.

    Raises NoSuchQueue when nothing is bound to ``queue``, TimeoutError when no reply came within
    ``timeout_s`` (the request also carries ``expiration_ms``, default the timeout, and a
    timestamp, so the gateway does not score it after the caller gave up).
    """
    correlation_id = uuid.uuid4().hex
    replies: list[tuple[pika.BasicProperties, bytes]] = []
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        channel.confirm_delivery()
        if reply_queue:
            channel.queue_declare(reply_queue, exclusive=True, auto_delete=True)
        reply_to = reply_queue or DIRECT_REPLY_TO

        def on_reply(_ch: Any, _method: Any, properties: pika.BasicProperties, payload: bytes) -> None:
            if properties.correlation_id == correlation_id:  # a late reply to an earlier call is not ours
                replies.append((properties, payload))

        # Direct reply-to needs the consumer before the publish.
        channel.basic_consume(reply_to, on_reply, auto_ack=True)
        properties = pika.BasicProperties(
            reply_to=reply_to, correlation_id=correlation_id, message_id=message_id or correlation_id,
            content_type=content_type, delivery_mode=2, timestamp=int(time.time()), headers=headers,
            expiration=str(expiration_ms if expiration_ms is not None else int(timeout_s * 1000)),
        )
        started = time.monotonic()
        try:
            channel.basic_publish("", queue, body, properties, mandatory=True)
        except pika.exceptions.UnroutableError:
            raise NoSuchQueue(f"no queue {queue!r} on {pika.URLParameters(url).host}") from None
        deadline = started + timeout_s
        while not replies and time.monotonic() < deadline:
            connection.process_data_events(time_limit=min(0.1, max(0.0, deadline - time.monotonic())))
        elapsed = time.monotonic() - started
    if not replies:
        raise TimeoutError(f"no reply from {queue!r} within {timeout_s:g} s")
    reply_properties, payload = replies[0]
    return RpcReply(
        payload, correlation_id, reply_properties.content_type, reply_properties.content_encoding,
        dict(reply_properties.headers or {}), elapsed,
    )
