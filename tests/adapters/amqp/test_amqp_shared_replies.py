"""Two gateway replicas on one queue, sharing their reply cache in Redis (``[state] redis``): one
is SIGKILLed mid-burst, and no request is answered twice or lost.

The producer is a plain pika one, as the issue found it: direct reply-to, no ``message_id``. What
the killed replica had answered and not acked is redelivered to the other, which finds the replies
stored, acks them without replying again, and scores only what was never answered.

The victim reaches the broker through a relay that, from a moment before the kill, withholds the
broker's publisher confirms (``Basic.Ack``/``Nack`` frames; deliveries still pass). Its replies
still go out, but it never acks the requests they answer: every one it answers from then on is
received again by the survivor. Without it the window between a reply and its ack is a fraction
of a millisecond, and a kill would rarely land in it.
"""

from __future__ import annotations

import json
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pika
from amqp_support import DIRECT, URL, declare_topology, json_request, message_count

SCOREGATE = Path(sys.executable).with_name("scoregate")
BURST = 2000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: AMQP 0-9-1 method frames (type 1) of class basic (60) that confirm a publish: ack 80, nack 120.
CONFIRMS = {struct.pack(">HH", 60, 80), struct.pack(">HH", 60, 120)}


class HeldLink:
    """A TCP relay to the broker; after ``hold()`` it withholds the confirms the broker sends."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5672)) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held = threading.Event()
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def hold(self) -> None:
        self.held.set()

    def close(self) -> None:
        self.closed.set()
        self.listener.close()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_broker: bool) -> None:
        pending = b""
        try:
            while data := source.recv(65536):
                if not from_broker:
                    sink.sendall(data)
                    continue
                pending += data
                out = []
                while len(pending) >= 7:  # frame: type, channel, size, payload, 0xCE
                    size = struct.unpack(">I", pending[3:7])[0]
                    if len(pending) < 8 + size:
                        break
                    frame, pending = pending[:8 + size], pending[8 + size:]
                    if not (self.held.is_set() and frame[0] == 1 and frame[7:11] in CONFIRMS):
                        out.append(frame)
                sink.sendall(b"".join(out))
        except OSError:
            pass
        for sock in (source, sink):  # one side gone: the other learns it at once
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Replica:
    """``scoregate gateway serve`` in its own process, its metrics on a port of its own."""

    def __init__(self, folder: Path, name: str, amqp: dict, core_target: str, redis: str, prefix: str) -> None:
        self.port = _free_port()
        self.log = folder / f"{name}.log"
        config = folder / f"{name}.json"
        config.write_text(json.dumps({
            "client": {"target": core_target, "timeout_s": 3.0},
            "channels": {"amqp": {"config": "amqp.json", "set": amqp}},
            "health": {"port": self.port},
            # A loaded test machine can stall a thread for 100 ms: not the outage this test is about.
            "state": {"redis": redis, "redis_prefix": prefix, "redis_timeout_ms": 2000},
        }))
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(SCOREGATE), "gateway", "serve", "--config", str(config), "--grace", "2"], stdout=log, stderr=subprocess.STDOUT,
            )

    def ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gateway exited:\n{self.log.read_text()}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gateway not ready after {timeout:g} s:\n{self.log.read_text()}")

    def events(self) -> dict[str, int]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=2) as answer:
            text = answer.read().decode()
        out: dict[str, int] = {}
        for line in text.splitlines():
            if line.startswith("scoregate_channel_events_total{"):
                event = line.split('event="', 1)[1].split('"', 1)[0]
                out[event] = int(float(line.rsplit(" ", 1)[1]))
        return out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _rows_scored(core) -> float:  # noqa: ANN001
    registry = core.server.metrics.registry
    return sum(s.value for m in registry.collect() if m.name == "scoregate_core_rows_scored" for s in m.samples
               if s.name.endswith("_total"))


def test_a_replica_killed_mid_burst_leaves_every_request_answered_exactly_once(
    make_config, ids, shared_core, tmp_path, redis_server, redis_prefix,
) -> None:
    # Several scoring threads: what a replica holds is spread over scoring, publishing and acking.
    config = make_config(prefetch=50, workers=4)
    queue = f"{ids}.json"
    declare_topology(config)
    (tmp_path / "amqp.json").write_text(config.model_dump_json())
    rows_before = _rows_scored(shared_core)
    link = HeldLink()
    # The victim's replies are told apart by their delivery mode (which changes nothing for direct
    # reply-to), so that the test knows when it has answered what it holds.
    victim_amqp = {"persistent_replies": True, "url": f"amqp://guest:guest@127.0.0.1:{link.port}/%2F"}
    replicas = [Replica(tmp_path, "a", victim_amqp, shared_core.target, redis_server, redis_prefix),
                Replica(tmp_path, "b", {}, shared_core.target, redis_server, redis_prefix)]
    victim, survivor = replicas
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    try:
        for replica in replicas:
            replica.ready()
        channel = connection.channel()
        replies: list[tuple[str, str, int]] = []
        channel.basic_consume(DIRECT, lambda _c, _m, props, body: replies.append(
            (props.correlation_id, props.headers["x-scoregate-status"], props.delivery_mode)), auto_ack=True)
        sent = []
        for i in range(BURST):  # as fast as pika publishes: the replicas take them while they come
            cid = f"{i}-{uuid.uuid4().hex[:8]}"
            channel.basic_publish("", queue, json.dumps(json_request(cid)).encode(), pika.BasicProperties(
                reply_to=DIRECT, correlation_id=cid, content_type="application/json", delivery_mode=2))
            sent.append(cid)
        deadline = time.monotonic() + 20
        while len(replies) < BURST // 4 and time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.005)
        assert len(replies) >= BURST // 4, f"{len(replies)} replies:\n{victim.log.read_text()[-3000:]}"
        link.hold()
        held_at = len(replies)
        # The victim answers up to its prefetch (its replies reach the broker) and waits for
        # confirms that do not come; the survivor keeps answering the rest meanwhile.
        by_victim, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 0.5 and time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.02)
            now = sum(mode == 2 for _, _, mode in replies[held_at:])
            if now != by_victim:
                by_victim, quiet_since = now, time.monotonic()
        victim.process.send_signal(signal.SIGKILL)
        assert victim.process.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 30
        last, quiet_since = len(replies), time.monotonic()
        while time.monotonic() < deadline and (len(replies) < BURST or time.monotonic() - quiet_since < 0.7):
            connection.process_data_events(time_limit=0.05)
            if len(replies) != last:
                last, quiet_since = len(replies), time.monotonic()
        events = survivor.events()
    finally:
        connection.close()
        for replica in replicas:
            replica.stop()
        link.close()

    counts = Counter(cid for cid, _, _ in replies)
    assert held_at < BURST, "the victim was held after the burst was answered"
    assert not set(sent) - set(counts), f"{len(set(sent) - set(counts))} requests unanswered"
    assert {cid: n for cid, n in counts.items() if n > 1} == {}, "requests answered twice"
    assert {status for _, status, _ in replies} == {"ok"}
    assert message_count(queue) == 0
    redelivered, replayed = events.get("redelivered", 0), events.get("replayed_replies", 0)
    # Every request the victim held it had answered (the test waited for that): each one came to
    # the survivor again and was acked there without a second reply.
    assert 0 < replayed == redelivered, events
    assert replayed == events.get("replayed", 0) + events.get("duplicates_suppressed", 0), events
    assert events["received"] == events["scored_rows"] + replayed, events
    # Across both replicas no request was scored twice but those the victim scored and died before
    # storing: at most the redeliveries not answered from the cache.
    rows = _rows_scored(shared_core) - rows_before
    assert BURST <= rows <= BURST + redelivered - replayed


def test_answers_go_on_while_redis_is_down_and_sharing_resumes_when_it_is_back(
    make_config, producer, ids, shared_core, throwaway_redis,
) -> None:
    """A Redis of the test's own, killed mid-run and started again on the same port."""
    import redis as redis_py
    from amqp_support import wait_for

    from scoregate.adapters.amqp.consumer import Responder
    from scoregate.adapters.state.redis_client import RedisStore
    from scoregate.core.client import ScoringClient

    config = make_config(prefetch=20)
    store = RedisStore(throwaway_redis.url, "t:", timeout_s=0.2, retry_s=0.3)
    scoring = ScoringClient(shared_core.client_settings(timeout_s=3.0))
    responder = Responder(config, scoring, redis=store)
    responder.start()
    p = producer(direct=True)
    queue, sent = f"{ids}.json", []

    def burst(phase: str, n: int = 100) -> None:
        sent.extend(p.send(queue, json_request(f"{phase}-{i}"), correlation_id=f"{phase}-{i}") for i in range(n))
        p.wait(len(sent), timeout=20)

    def shared_replies() -> int:
        return len(list(redis_py.Redis(port=throwaway_redis.port).scan_iter(match="t:reply:*")))

    try:
        assert responder.wait_ready(15), responder.health().detail
        burst("up")
        assert shared_replies() == 100 and responder.health().detail == ""

        throwaway_redis.stop()
        burst("down")  # answered all the same, each from this process's cache alone
        assert len(p.replies) == len(sent)
        assert responder.stats["reply_cache_fallbacks"] > 0
        assert responder.health().ready
        assert responder.health().detail.startswith("reply cache is process-local: Redis at 127.0.0.1:")

        throwaway_redis.start()  # empty: what it held is gone with it
        assert wait_for(lambda: responder.health().detail == "", timeout=10), responder.health().detail
        fallbacks = responder.stats["reply_cache_fallbacks"]
        burst("back")
        assert shared_replies() == 100  # the replies since it is back, shared again
        assert responder.stats["reply_cache_fallbacks"] == fallbacks
        replies = p.settle(quiet=0.5)
    finally:
        responder.stop(2.0)
        scoring.close()
        store.close()
    counts = Counter(r.correlation_id for r in replies)
    assert set(counts) == set(sent) and max(counts.values()) == 1
    assert {r.headers["x-scoregate-status"] for r in replies} == {"ok"}


def test_a_stored_reply_reads_back_as_sent() -> None:
    from scoregate.adapters.amqp.replies import Reply
    from scoregate.adapters.amqp.shared import decode, encode

    reply = Reply(b"line one\nline two\x00\xff", "application/json", "utf-8", {"x-scoregate-status": "ok", "n": 3})
    entry = decode(encode(reply, "credit-risk:1", "c-1", "amq.rabbitmq.reply-to.abc"), expires=1.0)
    assert (entry.reply, entry.model, entry.correlation_id, entry.reply_to) == (reply, "credit-risk:1", "c-1", "amq.rabbitmq.reply-to.abc")
    assert entry.confirmed  # it went out: a redelivery is acked, not answered again
