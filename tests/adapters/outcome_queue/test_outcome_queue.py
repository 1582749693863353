"""The outcome queue against the real broker: messages taken in batches into the store, joined to
a real audit; messages that do not read set aside with the reason, duplicates counted."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pika
import pytest

from scoregate.adapters.decisions.records import DecisionRecord
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.outcome_queue.channel import REASON_HEADER, OutcomeQueueChannel
from scoregate.adapters.outcome_queue.config import OutcomeQueueConfig
from scoregate.adapters.outcomes.store import open_outcome_store
from scoregate.adapters.registry import channel_spec

URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@pytest.fixture()
def queues():  # noqa: ANN201
    name = f"test.outcomes.{uuid.uuid4().hex[:8]}"
    yield name, name + ".rejected"
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    for queue in (name, name + ".rejected"):
        connection.channel().queue_delete(queue)
    connection.close()


def test_messages_become_outcomes_and_bad_ones_are_set_aside(tmp_path: Path, queues, broker) -> None:  # noqa: ANN001
    queue, rejected = queues
    audit = tmp_path / "audit.sqlite"
    with AuditLog(audit) as log:
        log.record([DecisionRecord(time=datetime(2026, 10, 1, tzinfo=UTC), channel="amqp", reference=f"Q{i}",
                                   request_id=f"q{i}", model="credit-risk", version="1", probability=0.2, decision="REVIEW")
                    for i in range(3)])
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    channel = connection.channel()
    channel.queue_declare(queue, durable=True)
    messages = [
        {"reference": "Q0", "outcome": "default", "outcome_date": "2026-12-01", "amount": 900.5},
        [{"reference": "Q1", "outcome": "paid", "outcome_date": "20261201"},
         {"reference": "Q9", "outcome": "P", "outcome_date": "2026-12-01"}],
        {"reference": "Q0", "outcome": "written_off", "outcome_date": "2026-12-02"},
        {"reference": "Q2", "outcome": "maybe", "outcome_date": "2026-12-01"},
    ]
    for message in messages:
        channel.basic_publish("", queue, json.dumps(message).encode())
    channel.basic_publish("", queue, b"{not json")
    config = OutcomeQueueConfig(url=URL, queue=queue, rejected_queue=rejected, batch_messages=2, batch_wait_s=0.1)
    with open_outcome_store("sqlite", audit=audit) as store:
        consumer = OutcomeQueueChannel(config, lambda: store, ChannelMetrics("outcome_queue"))

        async def run() -> None:
            await consumer.start()
            deadline = time.monotonic() + 20
            while consumer.messages + consumer.rejected < 5 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert consumer.health().ready
            await consumer.stop(5)

        asyncio.run(run())
        counts = store.counts()
        assert (counts.outcomes, counts.matched, counts.unknown, counts.duplicate) == (3, 2, 1, 1)
    reasons = []
    for _ in range(2):
        method, properties, body = channel.basic_get(rejected, auto_ack=True)
        reasons.append(properties.headers[REASON_HEADER])
    assert reasons[0] == "outcome 1: unknown outcome 'maybe' (one of default, written_off, paid or their codes D, W, P)"
    assert reasons[1].startswith("not JSON:")
    assert channel.queue_declare(queue, passive=True).method.message_count == 0  # every message acknowledged
    connection.close()


def test_registered_and_needs_the_audit(tmp_path: Path) -> None:
    spec = channel_spec("outcome_queue")
    config_file = tmp_path / "q.toml"
    config_file.write_text('queue = "x"\nbatch_messages = 10\n')
    assert spec.load(config_file).batch_messages == 10
    from scoregate.adapters.registry import ChannelContext
    from scoregate.core.settings import ClientSettings

    with pytest.raises(ValueError, match=r"set \[audit\] path"):
        spec.build(spec.load(config_file), ChannelContext("outcome_queue", ClientSettings()))
