"""The RabbitMQ channel: legacy producers publish a request with ``reply_to`` and ``correlation_id``
and get exactly one reply, in their own message format.

Features
========
- [x] Request-reply over pika: one ``SelectConnection`` I/O thread, scoring on worker threads
      (heartbeats never wait for the core); replies to the default exchange with routing key
      ``reply_to``: named reply queues and direct reply-to (``amq.rabbitmq.reply-to.*``)
- [x] Formats by configuration: JSON, XML (``adapters/codecs``), each with a declarative mapping;
      error replies in the same format
- [x] Fixed-width records (COBOL copybooks, EBCDIC, zoned and packed decimals): one record per
      message through the shared engine (``adapters/codecs/fixedwidth``), as the message format
      ``adapters/codecs/fixedwidth_message.py``
- [x] Publisher confirms; a request is acked only after its reply is confirmed; never auto-ack
- [x] Concurrent deliveries scored as one ``ScoreBatch`` call per model (``batching.py``)
- [x] Redelivered requests answered from a reply cache keyed by ``message_id`` (``cache.py``
      says what happens across replicas)
- [x] Core unavailable: retried through per-delay queues, dead-lettered after ``max_attempts``
- [x] Expired requests (``timestamp`` + ``expiration``, or a deadline header) acked unscored
- [x] Reconnect with backoff, redeclare, resume; ``stop(grace)`` finishes in-flight work and
      requeues the rest; one WARNING per failed attempt with its reason in a sentence
      (``reasons.py``) and one INFO when consuming again
- [x] Every request with a ``reply_to`` is answered: an unreadable body, a content type the queue
      does not accept (``content_types``), JSON nested too deep or a body over the size limit get
      an ``INVALID_INPUT`` reply in the queue's format at once, never a retry or a silent dead letter
- [x] Dead letters of the gateway go out as ``<queue>.<reason>``; those of the broker (expired
      while queued) keep the queue's name as their routing key, so the two can be bound apart
- [x] No request lost when the broker restarts the vhost or the gateway process is killed:
      durable queues, persistent requests, ack only after the reply's confirm (the tests do both
      for real: ``tests/adapters/amqp/test_resilience.py``). A reply the broker stored without
      confirming it is sent again, identical: AMQP cannot tell it from a lost one
- [x] Topology declared (durable, optionally quorum with an explicit delivery limit, the
      dead-letter exchange and queue) or used as found
- [x] ``request.send_request``: publish one request as a producer would and wait for the reply
- [x] Prometheus metrics in the families every channel shares (``adapters/metrics.py``): each
      request message counted once when it is settled, by outcome and canonical error kind;
      latency from delivery to ack; in flight; transport events (``received``, ``redelivered``,
      ``replayed``, ``reconnects``, ``publish_nacked``, ``returned``, ``dead_letter_<reason>``...).
      ``stats.py`` says when a message counts
- [x] A reply cache shared between replicas (``[state] redis``, ``shared.py``): a request answered by
      a replica that died before its ack is acked by the next one without a second reply
      (``replayed_replies``); Redis down: per process again, said in readiness, ``reply_cache_fallbacks``

Configuration
=============
:class:`~scoregate.adapters.amqp.config.AmqpChannelConfig`, documented field by field: broker URL
and connection name, request queues (name, ``format`` + ``format_options``, ``request`` /
``response`` mapping, declare or use as found, classic or quorum + delivery limit), prefetch,
retry (attempts, delays, reply when exhausted or at once), dead-letter exchange and queue,
deadline header, reply cache size and TTL. ``app/defaults/amqp/demo.toml`` is a working example
(a JSON queue and an EBCDIC fixed-width queue; validate it with ``context={"base_dir": its folder}``).

Modules: ``config`` (what), ``handler`` + ``replies`` (one message -> outcome, no pika),
``batching`` (many requests -> few core calls), ``cache`` (same answer on redelivery),
``shared`` (the same across replicas, in Redis),
``worker`` (scoring thread), ``consumer`` (pika I/O thread: connect, declare, consume, stop),
``publisher`` (publish, confirm, then ack), ``stats`` (what is counted, in the shared
metrics), ``topology`` (what is declared), ``channel``
(the gateway's ``Channel``), ``spec`` (its registration), ``request`` (producer side).

Errors
======
``InvalidInput`` / ``UnknownModel``: error reply, ack. ``CoreUnavailable``: no reply, delayed
retry, dead letter (+ server-error reply) after the limit. ``DeadlineExpired``: not answered,
ack, counted. ``CoreFailure``: server-error reply, ack. An unreadable body or a content type the
queue does not accept (``content_types``): ``InvalidInput`` error reply, ack. No ``reply_to``:
dead-lettered with an ``x-scoregate-reason`` header. The table lives in ``replies.py``.
"""

from scoregate.adapters.amqp.channel import AmqpChannel
from scoregate.adapters.amqp.config import AmqpChannelConfig, DeadLetterConfig, QueueConfig, RetryConfig
from scoregate.adapters.amqp.consumer import Responder
from scoregate.adapters.amqp.handler import RequestHandler, RequestProps
from scoregate.adapters.amqp.replies import Outcome, Reply

__all__ = [
    "AmqpChannel", "AmqpChannelConfig", "DeadLetterConfig", "Outcome", "QueueConfig", "Reply", "RequestHandler",
    "RequestProps", "Responder", "RetryConfig",
]
