"""One request message in, one :class:`~scoregate.adapters.amqp.replies.Outcome` out; no pika here.

The boundary, drawn here as httpx draws it for its transports: on this side there are only plain
primitives (the body bytes and a :class:`RequestProps` of strings, numbers and a headers dict) and
canonical objects; pika's ``BasicProperties``, delivery tags and channels stay in ``consumer.py``.
That is what lets these functions be tested without a broker, and lets the scoring worker run
them off the I/O thread.

A message goes through two steps so that the worker can score many of them in one call:
``prepare`` (answerable? expired? decodes?) gives a :class:`Prepared` request or a final outcome,
and ``answer`` turns the core's result or error for it into the outcome. ``handle`` chains them
around one ``ScoringClient.score`` call, for callers that have a single message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from scoregate.adapters.amqp import replies
from scoregate.adapters.amqp.config import QueueConfig, RetryConfig
from scoregate.adapters.amqp.replies import ErrorContext, Outcome
from scoregate.adapters.codecs.base import MappedCodec
from scoregate.adapters.mapping import rename_violations
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest, ScoreResult
from scoregate.core.errors import CoreUnavailable, DeadlineExpired, FieldViolation, InvalidInput, ScoreError, ViolationCode

CHANNEL = "amqp"
ATTEMPT_HEADER = "x-scoregate-attempt"
#: Absolute deadline (epoch ms) the gateway writes on a retried copy, so a delay never extends it.
DEADLINE_CARRY_HEADER = "x-scoregate-deadline"
# AMQP timestamps have whole-second resolution and producers truncate: the request may have been
# sent up to a second after `timestamp`, so the deadline is taken generously rather than dropping
# a request whose producer is still waiting.
_TIMESTAMP_SLACK = timedelta(seconds=1)


@dataclass(frozen=True)
class RequestProps:
    """The AMQP properties of a request that matter to the answer, as plain values."""

    queue: str
    reply_to: str | None = None
    correlation_id: str | None = None
    message_id: str | None = None
    content_type: str | None = None
    headers: Mapping[str, Any] = field(default_factory=dict)
    timestamp: int | None = None
    """AMQP ``timestamp``: seconds since the epoch."""
    expiration: str | None = None
    """AMQP ``expiration``: milliseconds, as text."""
    redelivered: bool = False

    @property
    def attempt(self) -> int:
        try:
            return max(1, int(self.headers.get(ATTEMPT_HEADER, 1)))
        except (TypeError, ValueError):
            return 1


@dataclass(frozen=True)
class Prepared:
    """A decoded request waiting to be scored, with what its answer needs."""

    props: RequestProps
    request: ScoreRequest
    reference: str
    attempt: int
    deadline: datetime | None
    copied: dict[str, Any] | None = None
    """The request fields the reply copies (``input`` results), kept from decoding."""


def _epoch_ms(value: Any, name: str) -> datetime:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            raise ValueError(f"{name}: an ISO 8601 deadline needs a time zone")
        return parsed
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def deadline_of(props: RequestProps, deadline_header: str) -> datetime | None:
    """The earliest of: the deadline header, timestamp + expiration, the carried deadline.

    Raises ValueError for a deadline header that cannot be read. Without a ``timestamp`` the
    ``expiration`` cannot be placed in time, and only the broker (while the message is queued)
    enforces it.
    """
    candidates: list[datetime] = []
    for name in (deadline_header, DEADLINE_CARRY_HEADER):
        if props.headers.get(name) is not None:
            try:
                candidates.append(_epoch_ms(props.headers[name], name))
            except (TypeError, ValueError, OverflowError, OSError) as exc:
                raise ValueError(f"header {name}: {exc}") from None
    if props.timestamp is not None and props.expiration:
        try:
            ttl = timedelta(milliseconds=int(props.expiration))
        except ValueError:
            ttl = None  # the broker refuses such messages; nothing to enforce here
        if ttl is not None:
            sent = datetime.fromtimestamp(props.timestamp, UTC) + _TIMESTAMP_SLACK
            candidates.append(sent + ttl)
    return min(candidates) if candidates else None


class RequestHandler:
    """Turns one queue's messages into outcomes. Stateless apart from config; thread-safe."""

    def __init__(self, queue: QueueConfig, retry: RetryConfig, deadline_header: str) -> None:
        self.queue = queue
        self.retry = retry
        self.deadline_header = deadline_header
        self.codec: MappedCodec = queue.codec()

    def prepare(self, body: bytes, props: RequestProps, now: datetime | None = None) -> Prepared | Outcome:
        """Decide everything that does not need the core: answerable, in format, expired, decodes."""
        now = now or datetime.now(UTC)
        if not props.reply_to:
            return replies.unanswerable(replies.NO_REPLY_TO, "the request has no reply_to")
        if props.content_type and self.queue.check_content_type and not self.codec.format.accepts(props.content_type):
            detail = f"content type {props.content_type!r} is not this queue's format ({self.codec.format_name})"
            return replies.unanswerable(replies.UNKNOWN_FORMAT, detail)
        ctx = ErrorContext(self.codec, self.retry, attempt=props.attempt)
        try:
            deadline = deadline_of(props, self.deadline_header)
        except ValueError as exc:
            violation = FieldViolation(field=self.deadline_header, code=ViolationCode.MALFORMED, message=str(exc))
            return replies.for_error(InvalidInput([violation]), ctx)
        if deadline is not None and deadline <= now:
            return replies.expired(f"deadline {deadline.isoformat()} passed before scoring")
        try:
            values = self.codec.read(body)
        except InvalidInput as error:
            # A format may know the fields that did decode (fixed width): echo the caller's reference.
            reference = self.codec.reference(getattr(error, "values", None) or {})
            return replies.for_error(error, ErrorContext(self.codec, self.retry, reference, props.attempt))
        reference = self.codec.reference(values)
        request_id = props.message_id or props.correlation_id or uuid4().hex
        try:
            request = self.codec.decode_values(
                values, request_id=request_id, channel=CHANNEL, deadline=deadline, today=now.date()
            )
        except InvalidInput as error:
            return replies.for_error(error, ErrorContext(self.codec, self.retry, reference, props.attempt))
        fields = self.codec.response.copied_fields
        copied = {f: values.get(f) for f in fields} if fields else None
        return Prepared(props, request, reference, props.attempt, deadline, copied)

    def answer(self, prepared: Prepared, outcome: ScoreResult | ScoreError) -> Outcome:
        """The core's answer for a prepared request -> what happens to the message."""
        if isinstance(outcome, ScoreResult):
            return replies.for_result(outcome, self.codec, prepared.reference, prepared.copied)
        if isinstance(outcome, InvalidInput):
            # The core names canonical features; the producer knows its own field names.
            outcome = rename_violations(outcome, self.codec.request)
        ctx = ErrorContext(self.codec, self.retry, prepared.reference, prepared.attempt, prepared.deadline)
        return replies.for_error(outcome, ctx)

    def handle(self, body: bytes, props: RequestProps, client: ScoringClient, now: datetime | None = None) -> Outcome:
        """One message, one ``score`` call: prepare -> score -> answer."""
        prepared = self.prepare(body, props, now)
        if isinstance(prepared, Outcome):
            return prepared
        try:
            result: ScoreResult | ScoreError = client.score(prepared.request)
        except DeadlineExpired:
            # The call timed out; unless the producer's own deadline passed, the core is slow or hung.
            if prepared.deadline is None or prepared.deadline > datetime.now(UTC):
                result = CoreUnavailable("the scoring core did not answer in time")
            else:
                result = DeadlineExpired()
        except ScoreError as error:
            result = error
        return self.answer(prepared, result)
