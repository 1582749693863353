"""The two responders amqp_bench.py compares, each run as its own process.

    python bench/_amqp_responders.py noop QUEUE [--prefetch 100]
    python bench/_amqp_responders.py gateway CONFIG_JSON CORE_TARGET STATS_JSON [REDIS_URL REDIS_PREFIX]

``noop`` is the ceiling: a minimal pika SelectConnection responder that answers every request
with a fixed reply, with the same rules as the gateway (publisher confirms, ack after the confirm,
prefetch) but no decoding, no scoring, no encoding, no worker thread. ``gateway`` is the real
``Responder`` on the real core, with its reply cache shared in Redis when given a URL
(``amqp_state_bench.py``). Both print a line with "listening on port 5672" (the broker's)
once consuming, and stop on SIGTERM (the gateway writes its counters to STATS_JSON).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

import pika
from pika.adapters.select_connection import IOLoop
from pika.spec import Basic

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.consumer import Responder
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings

URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
NOOP_REPLY = json.dumps({"application_id": "A-1", "result": {"score": 900, "probability": 0.1,
                        "decision": "APPROVE", "reasons": ["R01", "R02", "R03"], "model": "credit-risk:1"}}).encode()


def ready() -> None:
    print("responder consuming; broker listening on port 5672", flush=True)


def noop(queue: str, prefetch: int) -> None:
    loop = IOLoop()
    state: dict = {"seq": 0, "waiting": {}, "channel": None}

    def on_confirm(frame) -> None:
        m = frame.method
        seqs = [s for s in state["waiting"] if s <= m.delivery_tag] if m.multiple else [m.delivery_tag]
        for s in seqs:
            tag = state["waiting"].pop(s, None)
            if tag is not None:
                state["channel"].basic_ack(tag) if isinstance(m, Basic.Ack) else state["channel"].basic_nack(tag)

    def on_message(ch, method, properties, body) -> None:
        reply = pika.BasicProperties(correlation_id=properties.correlation_id, content_type="application/json")
        ch.basic_publish("", properties.reply_to, NOOP_REPLY, reply,
                         mandatory=not properties.reply_to.startswith("amq.rabbitmq.reply-to"))
        state["seq"] += 1
        state["waiting"][state["seq"]] = method.delivery_tag

    def on_channel(ch) -> None:
        state["channel"] = ch
        ch.confirm_delivery(on_confirm, callback=lambda _f: ch.basic_qos(
            prefetch_count=prefetch, callback=lambda _f: (ch.basic_consume(queue, on_message), ready())))

    params = pika.URLParameters(URL)
    params.client_properties = {"connection_name": "bench-noop"}
    connection = pika.SelectConnection(params, on_open_callback=lambda c: c.channel(on_open_callback=on_channel),
                                       custom_ioloop=loop)
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_threadsafe(loop.stop))
    loop.start()
    connection.close()


def gateway(config_path: str, target: str, stats_path: str, redis_url: str = "", redis_prefix: str = "") -> None:
    config = AmqpChannelConfig.model_validate_json(Path(config_path).read_text())
    client = ScoringClient(ClientSettings(target=target, timeout_s=10))
    store = None
    if redis_url:
        from scoregate.adapters.state.redis_client import RedisStore

        store = RedisStore(redis_url, redis_prefix)
    responder = Responder(config, client, redis=store)
    responder.start()
    if not responder.wait_ready(30):
        sys.exit(f"gateway not ready: {responder.health().detail}")
    ready()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    responder.stop(2.0)
    client.close()
    Path(stats_path).write_text(json.dumps({**responder.stats.snapshot(), "score_batch_calls": responder.scorer.calls,
                                            "score_calls": responder.scorer.single_calls}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["noop", "gateway"])
    parser.add_argument("args", nargs="+")
    parser.add_argument("--prefetch", type=int, default=100)
    a = parser.parse_args()
    if a.mode == "noop":
        noop(a.args[0], a.prefetch)
    else:
        gateway(*a.args)
