"""No request lost, none answered twice by mistake, when the broker or the gateway process dies
mid-stream: against the real broker, the real core and a real gateway process.

- The broker side: the test's own vhost is crashed and restarted by the broker (its message
  store killed, see ``amqp_support.crash_vhost``) while a backlog is being answered. Requests and
  replies are persistent on durable queues, so both survive; the gateway reconnects and answers
  the rest, redeliveries from its reply cache.
- The gateway side: ``scoregate gateway serve`` is SIGKILLed while requests stream in and started
  again. What the dead process had taken is redelivered to the new one, which has no cache: those
  requests are scored again, with the same model version and so the same answer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pika
import pytest
from amqp_support import (
    URL,
    Received,
    assert_doubled_only_where_in_doubt,
    crash_vhost,
    declare_topology,
    duplicates,
    get_all,
    json_request,
    message_count,
    wait_for,
)

SCOREGATE = Path(sys.executable).with_name("scoregate")
# Enough that the vhost restart (rabbitmqctl takes 0.5-2 s to act) lands mid-stream: a quiet
# machine answered all of 1500 before it did.
BACKLOG = 3000


def publish(url: str, queue: str, reply_to: str, n: int, prefix: str) -> list[str]:
    """Persistent requests, each confirmed by the broker before the next (on disk when confirmed)."""
    sent = []
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        channel.confirm_delivery()
        for i in range(n):
            cid = f"{prefix}-{i}-{uuid.uuid4().hex[:6]}"
            properties = pika.BasicProperties(
                correlation_id=cid, message_id=cid, reply_to=reply_to, content_type="application/json", delivery_mode=2,
            )
            channel.basic_publish("", queue, json.dumps(json_request(cid)).encode(), properties, mandatory=True)
            sent.append(cid)
    return sent


def read_replies(url: str, queue: str, expected: int, timeout: float = 20.0, quiet: float = 0.7) -> list[Received]:
    """Consume a durable reply queue until ``expected`` replies came and then none for ``quiet`` s."""
    replies: list[Received] = []
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        channel.basic_consume(queue, lambda _c, _m, props, body: replies.append(Received(props, body)), auto_ack=True)
        deadline = time.monotonic() + timeout
        seen, last_change = 0, time.monotonic()
        while time.monotonic() < deadline and (len(replies) < expected or time.monotonic() - last_change < quiet):
            connection.process_data_events(time_limit=0.05)
            if len(replies) != seen:
                seen, last_change = len(replies), time.monotonic()
    return replies


def test_every_request_is_answered_across_a_broker_side_restart(vhost, gateway, make_config, ids) -> None:
    config = make_config(url=vhost, prefetch=10, persistent_replies=True)
    declare_topology(config, url=vhost)
    reply_queue = f"{ids}.replies"  # durable: a producer that must not lose replies over a restart
    with pika.BlockingConnection(pika.URLParameters(vhost)) as connection:
        connection.channel().queue_declare(reply_queue, durable=True)
    sent = publish(vhost, f"{ids}.json", reply_queue, BACKLOG, "B")
    responder = gateway(config)
    assert wait_for(lambda: responder.stats["answered"] >= 1)
    crash_vhost(ids)  # rabbitmqctl needs ~0.5 s to start; the gateway keeps answering meanwhile
    at_crash = responder.stats["answered"]
    assert wait_for(lambda: responder.stats["reconnects"] >= 1)
    assert responder.wait_ready(20), responder.health().detail
    sent += publish(vhost, f"{ids}.json", reply_queue, 100, "T")  # and new requests after the restart

    replies = read_replies(vhost, reply_queue, len(sent))
    assert 0 < at_crash < BACKLOG, "the restart did not happen mid-stream"
    counts = Counter(r.correlation_id for r in replies)
    assert set(counts) == set(sent), f"{len(set(sent) - set(counts))} requests unanswered"
    stats = responder.stats.snapshot()
    assert_doubled_only_where_in_doubt(replies, stats)
    assert all(r.headers["x-scoregate-status"] == "ok" for r in replies)
    assert message_count(f"{ids}.json", url=vhost) == 0
    assert get_all(f"{ids}.dead", url=vhost) == []
    # Redelivered requests were answered from the reply cache, never scored a second time.
    assert stats["redelivered"] >= 1
    assert stats["scored_rows"] == len(sent)
    assert wait_for(lambda: responder.stats.in_flight == 0)
    # Counted once each, also those whose ack the restart lost (the cache knows they were acked).
    assert responder.stats["scored"] == len(sent)


def _serve(folder: Path, amqp_config, core_target: str) -> subprocess.Popen:
    (folder / "amqp.json").write_text(amqp_config.model_dump_json())
    (folder / "gateway.json").write_text(json.dumps({
        "client": {"target": core_target, "timeout_s": 3.0},
        "channels": {"amqp": {"config": "amqp.json"}},
        "health": {"port": None},
    }))
    with (folder / "gateway.log").open("ab") as log:  # the child keeps its own copy of the handle
        return subprocess.Popen(
            [str(SCOREGATE), "gateway", "serve", "--config", str(folder / "gateway.json"), "--grace", "2"],
            stdout=log, stderr=subprocess.STDOUT,
        )


def _consuming(queue: str, process: subprocess.Popen, log: Path, timeout: float = 20.0) -> None:
    """Wait until the gateway process consumes ``queue`` (asked of the broker)."""
    deadline = time.monotonic() + timeout
    with pika.BlockingConnection(pika.URLParameters(URL)) as connection:
        channel = connection.channel()
        while time.monotonic() < deadline:
            assert process.poll() is None, f"gateway exited:\n{log.read_text()}"
            if channel.queue_declare(queue, passive=True).method.consumer_count:
                return
            time.sleep(0.1)
    raise AssertionError(f"gateway not consuming {queue} after {timeout:g} s:\n{log.read_text()}")


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_every_request_is_answered_when_the_gateway_process_is_killed(
    make_config, producer, ids, shared_core, tmp_path, stop_signal
) -> None:
    """SIGKILL: what was answered but not acked is answered again (the same reply). SIGTERM: the
    gateway finishes or releases what it took within its grace, so nothing is answered twice."""
    prefetch = 20
    config = make_config(prefetch=prefetch)
    queue = f"{ids}.json"
    declare_topology(config)
    p = producer()
    log = tmp_path / "gateway.log"
    first = _serve(tmp_path, config, shared_core.target)
    try:
        _consuming(queue, first, log)
        sent: list[str] = []
        while len(p.replies) < 100:
            for _ in range(20):
                ref = f"K-{len(sent)}"
                sent.append(p.send(queue, json_request(ref), message_id=ref))
            p.connection.process_data_events(time_limit=0.02)
        # Then a burst on a channel without confirms, faster than a gateway answers: the kill finds
        # requests taken and waiting (the producer's connection stays up, so the broker has them).
        burst = p.connection.channel()
        for i in range(300):
            cid = f"burst-{i}-{uuid.uuid4().hex[:6]}"
            properties = pika.BasicProperties(correlation_id=cid, message_id=cid, reply_to=p.reply_to,
                                              content_type="application/json", delivery_mode=2)
            burst.basic_publish("", queue, json.dumps(json_request(cid)).encode(), properties)
            sent.append(cid)
        p.connection.process_data_events(time_limit=0.05)
        os.kill(first.pid, stop_signal)
        assert first.wait(30) == (-signal.SIGKILL if stop_signal == signal.SIGKILL else 0)
    finally:
        if first.poll() is None:
            first.kill()
    answered_by_first = {r.correlation_id for r in p.settle(quiet=0.3)}  # replies it sent before dying
    assert len(answered_by_first) < len(sent), "nothing was in flight at the kill"
    # While no gateway runs, requests wait in the durable queue.
    sent += [p.send(queue, json_request(f"W-{i}"), message_id=f"W-{i}") for i in range(100)]

    second = _serve(tmp_path, config, shared_core.target)
    try:
        _consuming(queue, second, log)
        sent += [p.send(queue, json_request(f"N-{i}"), message_id=f"N-{i}") for i in range(100)]
        p.wait(len(sent), timeout=20)
        replies = p.settle(quiet=0.7)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(10)
        except subprocess.TimeoutExpired:
            second.kill()

    counts = Counter(r.correlation_id for r in replies)
    assert set(counts) == set(sent), f"{len(set(sent) - set(counts))} requests unanswered\n{log.read_text()[-2000:]}"
    # Only requests the killed process had answered but not yet acked (at most the prefetch) are
    # answered twice: scored again by the new process, to the same reply.
    doubled = duplicates(replies)
    assert len(doubled) <= (prefetch if stop_signal == signal.SIGKILL else 0)
    assert set(doubled) <= answered_by_first
    for rs in doubled.values():
        assert len({r.body for r in rs}) == 1
        assert len({r.headers["x-scoregate-model"] for r in rs}) == 1
    assert {r.headers["x-scoregate-status"] for r in replies} == {"ok"}
    assert {r.headers["x-scoregate-model"] for r in replies} == {"credit-risk:1"}  # both processes, one version
    assert message_count(queue) == 0
    assert get_all(f"{ids}.dead") == []
