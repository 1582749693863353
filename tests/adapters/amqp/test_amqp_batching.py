"""Batch scoring and the reply cache, on a real core, without a broker."""

from __future__ import annotations

import json

import pytest
from amqp_support import APPLICANT, json_queue, json_request

from scoregate.adapters.amqp.batching import BatchScorer
from scoregate.adapters.amqp.cache import ReplyCache, reply_key
from scoregate.adapters.amqp.config import QueueConfig, RetryConfig
from scoregate.adapters.amqp.handler import RequestHandler, RequestProps
from scoregate.adapters.amqp.stats import Stats
from scoregate.adapters.amqp.worker import Delivery, ScoringWorker
from scoregate.adapters.channel import Disposition
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest, ScoreResult
from scoregate.core.errors import CoreUnavailable, InvalidInput, UnknownModel, ViolationCode
from scoregate.core.settings import ClientSettings


@pytest.fixture
def client(shared_core):
    with ScoringClient(shared_core.client_settings()) as c:
        yield c


def request(i: int, model: str = "credit-risk", reason_count: int = 3, **features: object) -> ScoreRequest:
    return ScoreRequest(request_id=f"r{i}", model=model, reason_count=reason_count, features={**APPLICANT, **features})


def test_a_mixed_batch_is_one_call_and_matches_single_scoring(client) -> None:
    scorer = BatchScorer(client)
    requests = [
        request(0), request(1, annual_income=21_000.0), request(2, home_ownership="CASTLE"), request(3, age=7),
        request(4, loan_purpose="SMALL_BUSINESS", months_since_last_delinquency=3), request(5, reason_count=1),
        request(6, model="no-such-model"),
    ]
    out = scorer.score(requests)
    # One call per (model, version, reason count): a ScoreBatch for the five credit-risk/3 rows,
    # a Score for the lone credit-risk/1 one.
    assert (scorer.calls, scorer.single_calls) == (1, 1)
    for i in (0, 1, 4, 5):
        assert isinstance(out[i], ScoreResult)
        single = client.score(requests[i])
        assert (out[i].request_id, out[i].probability, out[i].decision, out[i].reasons) == \
            (f"r{i}", single.probability, single.decision, single.reasons)
    assert isinstance(out[2], InvalidInput) and out[2].violations[0].code is ViolationCode.UNKNOWN_CATEGORY
    assert isinstance(out[3], InvalidInput) and out[3].violations[0].code is ViolationCode.OUT_OF_RANGE
    assert isinstance(out[6], UnknownModel)


def test_the_default_version_is_described_once_per_refresh(client) -> None:
    clock = [0.0]
    scorer = BatchScorer(client, refresh_s=2.0, clock=lambda: clock[0])
    scorer.score([request(0)])
    first = scorer._defaults["credit-risk"]
    clock[0] = 1.0
    scorer.score([request(1)])
    assert scorer._defaults["credit-risk"] is first
    clock[0] = 2.5
    scorer.score([request(2)])
    assert scorer._defaults["credit-risk"] is not first


def test_an_unreachable_core_fails_every_row_as_unavailable() -> None:
    with ScoringClient(ClientSettings(target="127.0.0.1:9", timeout_s=0.5, retry_attempts=1)) as down:
        out = BatchScorer(down).score([request(0), request(1)])
    assert all(isinstance(o, CoreUnavailable) for o in out)


def delivery(tag: int, **props: object) -> Delivery:
    body = json.dumps(json_request(f"A-{tag}")).encode()
    return Delivery(1, tag, body, RequestProps(**{"queue": "q", "reply_to": "replies", **props}), None)


def test_the_worker_replays_remembered_replies_and_suppresses_confirmed_redeliveries(client) -> None:
    handlers = {"q": RequestHandler(QueueConfig.model_validate(json_queue("q")), RetryConfig(), "x-deadline")}
    cache = ReplyCache(100, 60)
    stats = Stats()
    worker = ScoringWorker(handlers, BatchScorer(client), cache, lambda d: None, lambda: None, max_batch=10, stats=stats)

    (first,) = worker.process([delivery(1, message_id="m1", correlation_id="c1")])
    assert first.outcome.disposition is Disposition.ANSWERED and first.cache_key == reply_key(RequestProps("q", message_id="m1"), b"")
    # Redelivered before its reply was confirmed: the same reply is published again, not re-scored.
    (again,) = worker.process([delivery(7, message_id="m1", correlation_id="c1", redelivered=True)])
    assert (again.outcome.reply, again.suppress) == (first.outcome.reply, False)
    cache.confirmed(first.cache_key)
    # Redelivered after the confirm: ack only, the producer has its reply.
    (confirmed,) = worker.process([delivery(8, message_id="m1", correlation_id="c1", redelivered=True)])
    assert confirmed.suppress
    # The producer resends under a new correlation id: it gets the same answer.
    (resent,) = worker.process([delivery(9, message_id="m1", correlation_id="c2")])
    assert (resent.outcome.reply, resent.suppress) == (first.outcome.reply, False)
    # Without a message id, only a redelivery is matched (by correlation id, reply_to and body).
    (plain,) = worker.process([delivery(10, correlation_id="c3")])
    (redelivered,) = worker.process([delivery(10, correlation_id="c3", redelivered=True)])
    (other_body,) = worker.process([delivery(11, correlation_id="c3", redelivered=True)])
    assert redelivered.outcome.reply == plain.outcome.reply
    assert other_body.outcome.reply != plain.outcome.reply
    # No correlation id either (a producer of direct reply-to that sets none): reply_to and body.
    (bare,) = worker.process([delivery(12)])
    (bare_again,) = worker.process([delivery(12, redelivered=True)])
    assert bare.cache_key is not None and bare_again.outcome.reply == bare.outcome.reply
    assert stats["scored_rows"] == 4
    assert stats["replayed"] == 4 and stats["duplicates_suppressed"] == 1


def test_cache_is_bounded_and_expires() -> None:
    clock = [0.0]
    cache = ReplyCache(2, ttl_s=10, clock=lambda: clock[0])
    props = RequestProps(queue="q", reply_to="r")
    for key in ("a", "b", "c"):
        cache.put(key, None, "", props)  # type: ignore[arg-type]
    assert cache.get("a") is None and len(cache) == 2
    clock[0] = 11
    assert cache.get("c") is None
