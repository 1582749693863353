"""The AMQP load client: a legacy producer, run by amqp_bench.py as its own process.

    python bench/_amqp_load.py QUEUE seq --count 1000 --limit 6 --warmup 100
    python bench/_amqp_load.py QUEUE pipelined --count 5000 --window 200 --limit 20 --warmup 300

pika BlockingConnection (what producers use), persistent JSON requests of the demo format with
``reply_to`` = direct reply-to and a fresh ``correlation_id`` each; no publisher confirms on the
producer side (``seq`` waits for each reply, ``pipelined`` keeps ``window`` requests outstanding).
Latency = publish to reply delivery. Prints one JSON object: samples, seconds, replies, errors.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import uuid

import pika
from _workload import APPLICANT

from scoregate.adapters.configfile import read_config_file
from scoregate.app.paths import DEFAULTS_DIR

URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DIRECT = "amq.rabbitmq.reply-to"


def demo_json_request() -> bytes:
    """The benchmark applicant in the demo JSON queue's format (its mapping's paths, nested)."""
    queue = read_config_file(DEFAULTS_DIR / "amqp" / "demo.toml")["queues"][0]
    doc: dict = {"application": {"id": "BENCH-1"}}
    for spec in queue["request"]["features"]:
        section, key = spec["source"].split(".")
        doc.setdefault(section, {})[key] = APPLICANT[spec["feature"]]
    return json.dumps(doc).encode()


class Client:
    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.connection = pika.BlockingConnection(pika.URLParameters(URL))
        self.channel = self.connection.channel()
        self.sent: dict[str, int] = {}
        self.samples_us: list[int] = []
        self.errors = 0
        self.channel.basic_consume(DIRECT, self._on_reply, auto_ack=True)
        self.body = demo_json_request()

    def _on_reply(self, _ch, _method, properties, body) -> None:
        t0 = self.sent.pop(properties.correlation_id, None)
        if t0 is not None:
            self.samples_us.append((time.perf_counter_ns() - t0) // 1000)
            if (properties.headers or {}).get("x-scoregate-status", "ok") != "ok":
                self.errors += 1

    def publish(self) -> None:
        cid = uuid.uuid4().hex
        props = pika.BasicProperties(reply_to=DIRECT, correlation_id=cid, message_id=cid, delivery_mode=2,
                                     content_type="application/json")
        self.sent[cid] = time.perf_counter_ns()
        self.channel.basic_publish("", self.queue, self.body, props)

    def run(self, count: int, window: int, limit_s: float) -> float:
        """Send ``count`` requests keeping ``window`` outstanding; returns the seconds it took."""
        start = time.perf_counter()
        stop = start + limit_s
        done_before = len(self.samples_us)
        published = 0
        while (len(self.samples_us) - done_before < count) and time.perf_counter() < stop:
            while published < count and len(self.sent) < window:
                self.publish()
                published += 1
            # Returns as soon as replies were dispatched (a busy loop would steal the broker's CPU).
            self.connection.process_data_events(time_limit=1.0)
        return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("queue")
    p.add_argument("mode", choices=["seq", "pipelined"])
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--window", type=int, default=200)
    p.add_argument("--limit", type=float, default=20.0)
    p.add_argument("--warmup", type=int, default=100)
    a = p.parse_args()
    window = 1 if a.mode == "seq" else a.window
    client = Client(a.queue)
    client.run(a.warmup, window, a.limit)
    client.samples_us.clear()
    client.errors = 0
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    seconds = client.run(a.count, window, a.limit)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    replies = len(client.samples_us)
    # Drain what is still outstanding (a run cut by its time limit) so the next one starts clean.
    drain_until = time.perf_counter() + 10
    while client.sent and time.perf_counter() < drain_until:
        client.connection.process_data_events(time_limit=0.05)
    client.connection.close()
    print(json.dumps({
        "samples_us": client.samples_us, "seconds": seconds, "replies": replies, "errors": client.errors,
        "req_per_s": replies / seconds if seconds else 0.0, "lost": len(client.sent),
        "client_cpu_s": (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime),
    }))


if __name__ == "__main__":
    main()
