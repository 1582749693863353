"""The transport-free half: one message -> outcome, the error table, deadlines. No broker here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from amqp_support import json_queue, json_request

from scoregate.adapters.amqp.config import QueueConfig, RetryConfig
from scoregate.adapters.amqp.handler import Prepared, RequestHandler, RequestProps, deadline_of
from scoregate.adapters.amqp.replies import Outcome
from scoregate.adapters.channel import Disposition
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreResult
from scoregate.core.errors import (
    CoreFailure,
    CoreUnavailable,
    DeadlineExpired,
    FieldViolation,
    InvalidInput,
    UnknownModel,
    ViolationCode,
)
from scoregate.core.settings import ClientSettings

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
RETRY = RetryConfig(max_attempts=3, initial_delay_s=0.5)


def handler(retry: RetryConfig = RETRY, **queue: object) -> RequestHandler:
    return RequestHandler(QueueConfig.model_validate({**json_queue("q"), **queue}), retry, "x-deadline")


def props(**kw: object) -> RequestProps:
    return RequestProps(**{"queue": "q", "reply_to": "replies", "correlation_id": "c-1", **kw})


def body(**features: object) -> bytes:
    return json.dumps(json_request("A-9", **features)).encode()


def prepared(h: RequestHandler, **kw: object) -> Prepared:
    out = h.prepare(body(), props(**kw), NOW)
    assert isinstance(out, Prepared)
    return out


def error_body(outcome: Outcome) -> dict:
    assert outcome.reply is not None
    return json.loads(outcome.reply.body)


def test_prepare_decodes_a_valid_request() -> None:
    p = prepared(handler(), message_id="m-1")
    assert p.request.request_id == "m-1"
    assert p.request.features["home_ownership"] == "MORTGAGE"
    assert p.request.features["has_cosigner"] == 0
    assert p.request.caller.reference == "A-9"
    assert p.request.caller.channel == "amqp"
    assert p.reference == "A-9" and p.attempt == 1 and p.deadline is None


@pytest.mark.parametrize("kw", [{"reply_to": None}, {"reply_to": ""}, {"reply_to": None, "content_type": "text/csv"}])
def test_requests_without_a_reply_to_are_dead_lettered(kw: dict) -> None:
    out = handler().prepare(body(), props(**kw), NOW)
    assert isinstance(out, Outcome)
    assert (out.disposition, out.reason, out.reply) == (Disposition.DEAD_LETTER, "no_reply_to", None)


def test_another_content_type_is_answered_with_a_typed_error_in_the_queues_format() -> None:
    out = handler().prepare(body(), props(content_type="application/xml"), NOW)
    assert out.disposition is Disposition.ANSWERED and out.reply.headers["x-scoregate-status"] == "invalid_input"
    (violation,) = error_body(out)["error"]["violations"]
    assert violation.startswith("content_type: MALFORMED: content type 'application/xml' is not accepted by this queue")


@pytest.mark.parametrize("content_type", [
    "application/json; charset=utf-8", "text/json", "application/vnd.bank+json", "text/plain", "application/octet-stream",
])
def test_the_formats_own_types_and_generic_labels_are_accepted_by_default(content_type: str) -> None:
    assert isinstance(handler().prepare(body(), props(content_type=content_type), NOW), Prepared)


def test_accepted_content_types_are_configurable_per_queue() -> None:
    only = handler(content_types=["application/vnd.loans.v1"])
    assert isinstance(only.prepare(body(), props(content_type="application/vnd.loans.v1; q=1"), NOW), Prepared)
    assert only.prepare(body(), props(content_type="application/json"), NOW).disposition is Disposition.ANSWERED
    assert isinstance(handler(content_types=["*"]).prepare(body(), props(content_type="text/csv"), NOW), Prepared)
    assert isinstance(handler(check_content_type=False).prepare(body(), props(content_type="text/csv"), NOW), Prepared)


@pytest.mark.parametrize("payload", [b"[" * 100_000, b'{"a":' + b"[" * 100_000, b'{"a":' + b'{"b":' * 40 + b"1" + b"}" * 41])
def test_deep_nesting_is_bad_input_answered_at_once(payload: bytes) -> None:
    out = handler().prepare(payload, props(), NOW)
    assert out.disposition is Disposition.ANSWERED and out.reply.headers["x-scoregate-status"] == "invalid_input"
    assert error_body(out)["error"]["violations"] == [": MALFORMED: nested deeper than 32 levels"]


def test_a_body_over_the_size_limit_is_bad_input_answered_at_once() -> None:
    out = handler(format_options={"max_bytes": 100}).prepare(body(), props(), NOW)
    assert out.disposition is Disposition.ANSWERED
    assert "exceeds the limit of 100" in error_body(out)["error"]["violations"][0]


def test_malformed_payload_gets_an_error_reply() -> None:
    out = handler().prepare(b"{not json", props(), NOW)
    assert out.disposition is Disposition.ANSWERED
    assert out.reply.headers["x-scoregate-status"] == "invalid_input"
    error = error_body(out)
    assert error["error"]["code"] == "INVALID_INPUT"
    assert error["error"]["violations"][0].startswith(": MALFORMED: not valid JSON")


def test_unreadable_value_is_reported_by_its_legacy_path_with_the_reference() -> None:
    out = handler().prepare(body(age="forty"), props(), NOW)
    assert out.disposition is Disposition.ANSWERED
    reply = error_body(out)
    assert reply["application_id"] == "A-9"
    assert reply["error"]["violations"] == ["applicant.age: WRONG_TYPE: could not convert string to float: 'forty'"]


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.mark.parametrize(
    ("kw", "dropped"),
    [
        ({"timestamp": int(NOW.timestamp()) - 10, "expiration": "5000"}, True),
        ({"timestamp": int(NOW.timestamp()) - 10, "expiration": "60000"}, False),
        # Whole-second timestamps: a request sent up to 1 s after `timestamp` is still alive.
        ({"timestamp": int(NOW.timestamp()) - 2, "expiration": "1500"}, False),
        ({"expiration": "1"}, False),  # no timestamp: only the broker can enforce it
        ({"headers": {"x-deadline": ms(NOW - timedelta(seconds=1))}}, True),
        ({"headers": {"x-deadline": str(ms(NOW + timedelta(seconds=1)))}}, False),
        ({"headers": {"x-deadline": "2026-03-01T11:59:59Z"}}, True),
        ({"headers": {"x-deadline": b"2026-03-01T12:00:01+00:00"}}, False),
        ({"headers": {"x-scoregate-deadline": ms(NOW - timedelta(seconds=1))}}, True),
    ],
)
def test_expired_requests_are_dropped_unscored(kw: dict, dropped: bool) -> None:
    out = handler().prepare(body(), props(**kw), NOW)
    if dropped:
        assert (out.disposition, out.reason) == (Disposition.DROPPED, "expired")
    else:
        assert isinstance(out, Prepared)


def test_deadline_is_the_earliest_of_header_and_expiration() -> None:
    p = props(timestamp=int(NOW.timestamp()), expiration="10000", headers={"x-deadline": ms(NOW + timedelta(seconds=3))})
    assert deadline_of(p, "x-deadline") == NOW + timedelta(seconds=3)
    assert prepared(handler(), timestamp=int(NOW.timestamp()), expiration="10000").deadline == NOW + timedelta(seconds=11)


def test_unreadable_deadline_header_is_an_error_reply() -> None:
    out = handler().prepare(body(), props(headers={"x-deadline": "2026-03-01T12:00:00"}), NOW)
    assert out.disposition is Disposition.ANSWERED
    assert error_body(out)["error"]["violations"][0].startswith("x-deadline: MALFORMED")


RESULT = ScoreResult(request_id="m", model="credit-risk", version="1", probability=0.2, decision="REVIEW")


@pytest.mark.parametrize(
    ("error", "attempt", "disposition", "status"),
    [
        (InvalidInput([FieldViolation(field="age", code=ViolationCode.OUT_OF_RANGE, message="too young")]), 1,
         Disposition.ANSWERED, "invalid_input"),
        (UnknownModel("credit-risk", "9"), 1, Disposition.ANSWERED, "unknown_model"),
        (CoreFailure("boom"), 1, Disposition.ANSWERED, "core_failure"),
        (CoreUnavailable("down"), 1, Disposition.RETRY, None),
        (CoreUnavailable("down"), 2, Disposition.RETRY, None),
        (CoreUnavailable("down"), 3, Disposition.DEAD_LETTER, "core_unavailable"),
        (DeadlineExpired(), 1, Disposition.DROPPED, None),
    ],
)
def test_the_error_table(error, attempt: int, disposition: Disposition, status: str | None) -> None:
    h = handler()
    out = h.answer(prepared(h, headers={"x-scoregate-attempt": attempt}), error)
    assert out.disposition is disposition
    assert (out.reply.headers["x-scoregate-status"] if out.reply else None) == status


def test_core_violations_are_renamed_to_the_producers_paths() -> None:
    h = handler()
    violation = FieldViolation(field="age", code=ViolationCode.OUT_OF_RANGE, message="must be between 18 and 100")
    out = h.answer(prepared(h), InvalidInput([violation]))
    assert error_body(out)["error"]["violations"] == ["applicant.age: OUT_OF_RANGE: must be between 18 and 100"]


def test_retry_carries_attempt_delay_and_deadline() -> None:
    h = handler(RetryConfig(max_attempts=4, initial_delay_s=0.5, max_delay_s=1.5))
    deadline = NOW + timedelta(minutes=1)
    delays = []
    for attempt in (1, 2, 3):
        p = prepared(h, headers={"x-scoregate-attempt": attempt, "x-deadline": ms(deadline)})
        out = h.answer(p, CoreUnavailable("down"))
        assert (out.disposition, out.next_attempt, out.deadline) == (Disposition.RETRY, attempt + 1, deadline)
        delays.append(out.retry_delay_s)
    assert delays == [0.5, 1.0, 1.5]


@pytest.mark.parametrize(
    ("retry", "disposition", "replied"),
    [(RetryConfig(max_attempts=1), Disposition.DEAD_LETTER, True),
     (RetryConfig(max_attempts=1, reply_when_exhausted=False), Disposition.DEAD_LETTER, False),
     (RetryConfig(reply_at_once=True), Disposition.ANSWERED, True)],
)
def test_core_unavailable_reply_options(retry: RetryConfig, disposition: Disposition, replied: bool) -> None:
    h = handler(retry)
    out = h.answer(prepared(h), CoreUnavailable("down"))
    assert out.disposition is disposition
    assert (out.reply is not None) is replied
    if replied:
        assert error_body(out)["error"]["code"] == "CORE_UNAVAILABLE"


def test_result_reply_carries_format_and_model() -> None:
    h = handler()
    out = h.answer(prepared(h), RESULT)
    assert out.disposition is Disposition.ANSWERED
    assert (out.reply.content_type, out.reply.content_encoding) == ("application/json", "utf-8")
    assert out.reply.headers == {"x-scoregate-status": "ok", "x-scoregate-model": "credit-risk:1"}
    assert json.loads(out.reply.body) == {
        "application_id": "A-9",
        "result": {"score": 800, "probability": 0.2, "decision": "REVIEW", "reasons": [], "model": "credit-risk:1"},
    }


def test_handle_scores_through_a_real_core(shared_core) -> None:
    with ScoringClient(shared_core.client_settings()) as client:
        out = handler().handle(body(), props(), client)
        assert out.disposition is Disposition.ANSWERED and out.model == "credit-risk:1"
        assert len(json.loads(out.reply.body)["result"]["reasons"]) == 3
        unknown = handler(request={**json_queue("q")["request"], "model": "no-such-model"})
        assert unknown.handle(body(), props(), client).reply.headers["x-scoregate-status"] == "unknown_model"


def test_handle_retries_when_the_core_is_down() -> None:
    with ScoringClient(ClientSettings(target="127.0.0.1:9", timeout_s=0.5, retry_attempts=1)) as client:
        out = handler().handle(body(), props(), client)
    assert (out.disposition, out.reason, out.next_attempt) == (Disposition.RETRY, "core_unavailable", 2)
