"""The AMQP channel's Prometheus metrics against the real broker and a real core: every request
message counts once in ``scoregate_channel_requests_total``, with the canonical error kind, when it
is settled; transport events count beside them."""

from __future__ import annotations

import asyncio
import socket
import time

from amqp_support import get_all, json_request, message_count, wait_for
from prometheus_client import generate_latest

import pytest

from scoregate.adapters.amqp import AmqpChannel, replies
from scoregate.adapters.amqp.replies import Outcome, Reply
from scoregate.adapters.amqp.stats import counted
from scoregate.adapters.channel import Disposition
from scoregate.adapters.metrics import GatewayMetrics
from scoregate.adapters.metrics import Outcome as Counted
from scoregate.core.client import ScoringClient
from scoregate.core.errors import ErrorKind
from scoregate.core.settings import ClientSettings

OUTCOMES = ("scored", "error", "retry", "dead_letter", "dropped")
KINDS = ("invalid_input", "unknown_model", "core_unavailable", "deadline_expired", "core_failure")


def sample(responder, family: str, **labels: str) -> float:
    value = responder.metrics.registry.get_sample_value(family, {"channel": "amqp", **labels})
    return value or 0.0


def outcomes(responder) -> dict[str, float]:
    return {o: sample(responder, "scoregate_channel_requests_total", outcome=o) for o in OUTCOMES}


def kinds(responder) -> dict[str, float]:
    return {k: sample(responder, "scoregate_channel_errors_total", kind=k) for k in KINDS}


def event(responder, name: str) -> float:
    return sample(responder, "scoregate_channel_events_total", event=name)


def settled(responder, total: int) -> bool:
    """True once ``total`` requests are counted and none is in flight (counted at the ack)."""
    return wait_for(lambda: sum(outcomes(responder).values()) >= total
                    and sample(responder, "scoregate_channel_in_flight") == 0)


def only(**counts: float) -> dict[str, float]:
    return {o: counts.get(o, 0.0) for o in OUTCOMES}


def _reply(status: str) -> Reply:
    return Reply(b"{}", "application/json", "utf-8", {replies.STATUS_HEADER: status})


@pytest.mark.parametrize(("outcome", "expected"), [
    (Outcome(Disposition.ANSWERED, _reply("ok")), (Counted.SCORED, None)),
    (Outcome(Disposition.ANSWERED, _reply("invalid_input")), (Counted.ERROR, ErrorKind.INVALID_INPUT)),
    (Outcome(Disposition.ANSWERED, _reply("core_failure")), (Counted.ERROR, ErrorKind.CORE_FAILURE)),
    (Outcome(Disposition.RETRY, kind=ErrorKind.CORE_UNAVAILABLE), (Counted.RETRY, ErrorKind.CORE_UNAVAILABLE)),
    (Outcome(Disposition.DEAD_LETTER, _reply("core_unavailable"), kind=ErrorKind.CORE_UNAVAILABLE),
     (Counted.DEAD_LETTER, ErrorKind.CORE_UNAVAILABLE)),
    (replies.unanswerable(replies.NO_REPLY_TO, "no reply_to"), (Counted.DEAD_LETTER, None)),
    (replies.expired("late"), (Counted.DROPPED, ErrorKind.DEADLINE_EXPIRED)),
], ids=["scored", "invalid", "failure", "retry", "exhausted", "no-reply-to", "expired"])
def test_each_outcome_counts_as_one_shared_outcome(outcome: Outcome, expected: tuple) -> None:
    assert counted(outcome) == expected


def test_a_scored_request_counts_once_with_its_latency(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    p.send(f"{ids}.json", json_request("M-1"), message_id="m1")
    (reply,) = p.wait(1)
    assert reply.headers["x-scoregate-status"] == "ok"
    assert settled(responder, 1)
    assert outcomes(responder) == only(scored=1)
    assert set(kinds(responder).values()) == {0.0}
    assert sample(responder, "scoregate_channel_request_seconds_count") == 1
    assert 0 < sample(responder, "scoregate_channel_request_seconds_sum") < 5
    assert event(responder, "received") == 1 and event(responder, "redelivered") == 0
    # The same message id again: answered from the reply cache, a request of its own.
    p.send(f"{ids}.json", json_request("M-1"), message_id="m1")
    assert len(p.wait(2)) == 2
    assert settled(responder, 2)
    assert outcomes(responder) == only(scored=2)
    assert event(responder, "replayed") == 1
    assert responder.stats["answered"] == 2 and responder.stats["scored_rows"] == 1


def test_a_bad_input_request_counts_as_an_error_of_its_kind(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    p.send(f"{ids}.json", json_request("M-2", age=7))
    (reply,) = p.wait(1)
    assert reply.headers["x-scoregate-status"] == "invalid_input"
    assert settled(responder, 1)
    assert outcomes(responder) == only(error=1)
    assert kinds(responder) == {**dict.fromkeys(KINDS, 0.0), "invalid_input": 1}
    assert responder.stats["error_replies"] == 1
    assert responder.stats["scored_rows"] == 0  # the core rejected the row: not a scored one


def test_unreadable_requests_count_as_invalid_input_never_as_a_core_failure(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    p.send(f"{ids}.json", b"{not json")
    p.send(f"{ids}.json", b"[" * 100_000)
    p.send(f"{ids}.json", json_request("M-8"), content_type="application/xml")
    assert {r.headers["x-scoregate-status"] for r in p.wait(3)} == {"invalid_input"}
    assert settled(responder, 3)
    assert outcomes(responder) == only(error=3)
    assert kinds(responder) == {**dict.fromkeys(KINDS, 0.0), "invalid_input": 3}
    assert responder.stats["scored_rows"] == 0 and responder.stats["batches"] == 0


def test_a_core_outage_counts_retries_then_the_dead_letter(gateway, producer, ids, make_config) -> None:
    config = make_config(retry={"max_attempts": 3, "initial_delay_s": 0.1, "max_delay_s": 0.2})
    down = ClientSettings(target="127.0.0.1:9", timeout_s=0.5, retry_attempts=1, breaker_reset_s=0.1)
    responder = gateway(config, settings=down)
    p = producer()
    p.send(f"{ids}.json", json_request("M-3"), message_id="m3")
    (reply,) = p.wait(1, timeout=15)
    assert reply.headers["x-scoregate-status"] == "core_unavailable"
    # Three messages (the request and two retried copies), each counted once.
    assert settled(responder, 3)
    assert outcomes(responder) == only(retry=2, dead_letter=1)
    assert kinds(responder) == {**dict.fromkeys(KINDS, 0.0), "core_unavailable": 3}
    assert event(responder, "dead_letter_core_unavailable") == 1
    assert sample(responder, "scoregate_channel_request_seconds_count") == 3


def test_a_request_without_reply_to_counts_as_a_dead_letter_with_its_reason(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    p.send(f"{ids}.json", json_request("M-4"), reply_to=None, message_id="m4")
    assert settled(responder, 1)
    assert outcomes(responder) == only(dead_letter=1)
    assert set(kinds(responder).values()) == {0.0}  # nothing went wrong in scoring: nobody to answer
    assert event(responder, "dead_letter_no_reply_to") == 1
    (dead,) = get_all(f"{ids}.dead")
    assert dead.headers["x-scoregate-reason"] == "no_reply_to"


def test_an_expired_request_counts_as_dropped(gateway, producer, ids) -> None:
    responder = gateway()
    p = producer()
    p.send(f"{ids}.json", json_request("M-5"), headers={"x-deadline": int(time.time() * 1000) - 1000})
    assert settled(responder, 1)
    assert outcomes(responder) == only(dropped=1)
    assert kinds(responder) == {**dict.fromkeys(KINDS, 0.0), "deadline_expired": 1}
    assert p.settle(quiet=0.3) == []


def test_the_channel_reports_into_the_gateway_registry(make_config, producer, ids, shared_core) -> None:
    families = GatewayMetrics()

    async def run() -> None:
        with ScoringClient(shared_core.client_settings()) as client:
            channel = AmqpChannel(make_config(), client, metrics=families.channel("amqp"))
            await channel.start()
            p = producer()
            p.send(f"{ids}.json", json_request("M-6"))
            assert len(await asyncio.to_thread(p.wait, 1)) == 1
            await channel.stop(grace=2.0)
            assert channel.stats["answered"] == 1

    asyncio.run(run())
    text = generate_latest(families.registry).decode()
    assert 'scoregate_channel_requests_total{channel="amqp",outcome="scored"} 1.0' in text
    assert 'scoregate_channel_in_flight{channel="amqp"} 0.0' in text


def test_requests_given_back_at_stop_leave_in_flight_uncounted(gateway, producer, ids, make_config) -> None:
    # A "core" that accepts connections and never answers: the request is still being scored when
    # the grace period ends, so the channel requeues it for another gateway instead of answering.
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        settings = ClientSettings(target=f"127.0.0.1:{hung.getsockname()[1]}", timeout_s=2.0, retry_attempts=1)
        responder = gateway(make_config(), settings=settings)
        p = producer()
        p.send(f"{ids}.json", json_request("M-7"))
        assert wait_for(lambda: sample(responder, "scoregate_channel_in_flight") == 1)
        responder.stop(grace=0.3)
    assert responder.stats["released"] == 1
    assert sample(responder, "scoregate_channel_in_flight") == 0
    assert outcomes(responder) == only()  # counted when its redelivery is answered, not now
    assert message_count(f"{ids}.json") == 1
