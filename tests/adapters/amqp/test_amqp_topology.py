"""Topology against the real broker: quorum queues, queues used as found, a queue deleted under the
consumer, and the Channel lifecycle (start / health / stop)."""

from __future__ import annotations

import asyncio

import pika
from amqp_support import URL, json_queue, json_request, wait_for

from scoregate.adapters.amqp import AmqpChannel
from scoregate.adapters.amqp.consumer import Responder
from scoregate.core.client import ScoringClient


def test_quorum_request_queue_with_an_explicit_delivery_limit(gateway, producer, make_config, ids) -> None:
    gateway(make_config(queues=[{**json_queue(f"{ids}.q"), "queue_type": "quorum", "delivery_limit": 3}]))
    with pika.BlockingConnection(pika.URLParameters(URL)) as connection:
        # Redeclaring with the same arguments succeeds only if the gateway declared exactly these.
        connection.channel().queue_declare(f"{ids}.q", durable=True, arguments={
            "x-queue-type": "quorum", "x-delivery-limit": 3, "x-dead-letter-exchange": f"{ids}.dlx"})
    p = producer()
    cid = p.send(f"{ids}.q", json_request("Q-1"))
    (reply,) = p.wait(1)
    assert reply.correlation_id == cid and reply.headers["x-scoregate-status"] == "ok"


def test_a_queue_used_as_found_is_waited_for_then_consumed(make_config, producer, ids, shared_core) -> None:
    config = make_config(queues=[{**json_queue(f"{ids}.managed"), "declare": False}])
    with ScoringClient(shared_core.client_settings()) as client:
        responder = Responder(config, client)
        responder.start()
        try:
            # Not there yet: not ready, and the health says why.
            assert wait_for(lambda: "NOT_FOUND" in responder.health().detail)
            assert not responder.health().ready
            with pika.BlockingConnection(pika.URLParameters(URL)) as connection:
                connection.channel().queue_declare(f"{ids}.managed", durable=True)  # someone else's arguments
            assert responder.wait_ready(10)
            p = producer()
            p.send(f"{ids}.managed", json_request("M-1"))
            assert len(p.wait(1)) == 1
        finally:
            responder.stop(1.0)


def test_a_request_queue_deleted_under_the_consumer_is_redeclared(gateway, producer, ids) -> None:
    responder = gateway()
    with pika.BlockingConnection(pika.URLParameters(URL)) as connection:
        connection.channel().queue_delete(f"{ids}.json")
    assert wait_for(lambda: responder.stats["reconnects"] >= 1)
    assert responder.wait_ready(10)
    p = producer()
    p.send(f"{ids}.json", json_request("D-1"))
    assert len(p.wait(1)) == 1


def test_the_channel_lifecycle(make_config, producer, ids, shared_core) -> None:
    async def run() -> None:
        with ScoringClient(shared_core.client_settings()) as client:
            channel = AmqpChannel(make_config(), client)
            assert channel.name == "amqp"
            await channel.start()
            assert channel.health().ready
            p = producer()
            p.send(f"{ids}.json", json_request("L-1"))
            assert len(await asyncio.to_thread(p.wait, 1)) == 1
            await channel.stop(grace=2.0)
            assert not channel.health().ready
            assert channel.stats["answered"] == 1

    asyncio.run(run())
