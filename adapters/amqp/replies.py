"""Canonical outcome -> AMQP outcome: the one place where a ScoreError becomes a reply, a retry,
a dead letter or a drop (the AMQP column of the error table in STYLE.md).

=====================  =======================================================================
canonical kind         AMQP
=====================  =======================================================================
INVALID_INPUT          error reply in the caller's format (violations by the caller's names), ack;
                       also an unreadable body or a content type the queue does not accept
UNKNOWN_MODEL          error reply, ack
CORE_UNAVAILABLE       no reply: RETRY through a delay queue; on the last attempt DEAD_LETTER
                       (reason ``core_unavailable``) plus a server-error reply unless disabled;
                       ``retry.reply_at_once``: error reply at once, ack
DEADLINE_EXPIRED       DROPPED: not answered (the producer stopped waiting), ack, counted
CORE_FAILURE           server-error reply, ack (the same request would fail again)
unanswerable           DEAD_LETTER with ``x-scoregate-reason``: ``no_reply_to``, ``unencodable``
                       (not even an error reply fits the caller's format)
=====================  =======================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scoregate.adapters.amqp.config import RetryConfig
from scoregate.adapters.channel import Disposition
from scoregate.adapters.codecs.base import MappedCodec
from scoregate.core.contract import ScoreResult
from scoregate.core.errors import CoreFailure, ErrorKind, ScoreError

STATUS_HEADER = "x-scoregate-status"
MODEL_HEADER = "x-scoregate-model"
REASON_HEADER = "x-scoregate-reason"
DETAIL_HEADER = "x-scoregate-detail"

# Reasons written in REASON_HEADER (dead letters) or counted (drops).
NO_REPLY_TO = "no_reply_to"
CORE_UNAVAILABLE = "core_unavailable"
EXPIRED = "expired"
UNENCODABLE = "unencodable"

_KINDS = {kind.value: kind for kind in ErrorKind}


@dataclass(frozen=True)
class Reply:
    """A reply body and the properties that depend on the outcome (correlation id comes from the request)."""

    body: bytes
    content_type: str
    content_encoding: str
    headers: dict[str, Any] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.headers.get(STATUS_HEADER) != "ok"

    @property
    def kind(self) -> ErrorKind | None:
        """The canonical kind of an error reply (its status header), None for a score."""
        status = self.headers.get(STATUS_HEADER)
        return None if status == "ok" else _KINDS.get(status, ErrorKind.CORE_FAILURE)


@dataclass(frozen=True)
class Outcome:
    """What the transport loop must do with one request; built only here and in the handler."""

    disposition: Disposition
    reply: Reply | None = None
    """ANSWERED: the reply; DEAD_LETTER: an optional reply sent before dead-lettering."""
    reason: str = ""
    """Machine-readable reason of a DEAD_LETTER, RETRY or DROPPED outcome."""
    detail: str = ""
    """Human-readable detail (dead-letter header, logs)."""
    next_attempt: int = 0
    """RETRY: the attempt number the retried copy carries."""
    retry_delay_s: float = 0.0
    deadline: datetime | None = None
    """RETRY: the request's absolute deadline, carried on the retried copy."""
    model: str = ""
    """ANSWERED with a result: ``model:version`` that produced it."""
    kind: ErrorKind | None = None
    """The canonical error behind a RETRY, DROPPED or DEAD_LETTER outcome; None when there is none
    (no ``reply_to``, another format). An answer's kind is its reply's (``Reply.kind``)."""


@dataclass(frozen=True)
class ErrorContext:
    """What the mapping needs to know about the request that failed."""

    codec: MappedCodec
    retry: RetryConfig
    reference: str = ""
    attempt: int = 1
    deadline: datetime | None = None


def _reply(codec: MappedCodec, body: bytes, status: str, **headers: Any) -> Reply:
    return Reply(body, codec.format.content_type, codec.format.content_encoding, {STATUS_HEADER: status, **headers})


def for_result(result: ScoreResult, codec: MappedCodec, reference: str = "",
               inputs: dict[str, Any] | None = None) -> Outcome:
    model = f"{result.model}:{result.version}"
    try:
        body = codec.encode_result(result, reference, inputs)
    except ValueError as exc:  # a value the legacy layout has no room for: still an answer, an error one
        return _answer(CoreFailure(f"the result does not fit the reply format: {exc}"),
                       ErrorContext(codec, RetryConfig(), reference))
    return Outcome(Disposition.ANSWERED, _reply(codec, body, "ok", **{MODEL_HEADER: model}), model=model)


def error_reply(error: ScoreError, ctx: ErrorContext) -> Reply | None:
    """The error reply, or None when even that cannot be written in the caller's format."""
    try:
        return _reply(ctx.codec, ctx.codec.encode_error(error, ctx.reference), error.kind.value)
    except ValueError:
        return None


def _answer(error: ScoreError, ctx: ErrorContext) -> Outcome:
    reply = error_reply(error, ctx)
    if reply is None:
        return unanswerable(UNENCODABLE, f"no error reply could be written for: {error.message}", error.kind)
    return Outcome(Disposition.ANSWERED, reply, reason=error.kind.value, detail=error.message, kind=error.kind)


def _unavailable(error: ScoreError, ctx: ErrorContext) -> Outcome:
    if ctx.retry.reply_at_once:
        return _answer(error, ctx)
    delays = ctx.retry.delays()
    if ctx.attempt <= len(delays):
        return Outcome(
            Disposition.RETRY, reason=CORE_UNAVAILABLE, detail=error.message,
            next_attempt=ctx.attempt + 1, retry_delay_s=delays[ctx.attempt - 1], deadline=ctx.deadline,
            kind=error.kind,
        )
    reply = error_reply(error, ctx) if ctx.retry.reply_when_exhausted else None
    detail = f"core unavailable after {ctx.attempt} attempts: {error.message}"
    return Outcome(Disposition.DEAD_LETTER, reply, reason=CORE_UNAVAILABLE, detail=detail, kind=error.kind)


def _dropped(error: ScoreError, ctx: ErrorContext) -> Outcome:
    return Outcome(Disposition.DROPPED, reason=EXPIRED, detail=error.message, kind=error.kind)


_BY_KIND: dict[ErrorKind, Callable[[ScoreError, ErrorContext], Outcome]] = {
    ErrorKind.INVALID_INPUT: _answer,
    ErrorKind.UNKNOWN_MODEL: _answer,
    ErrorKind.CORE_UNAVAILABLE: _unavailable,
    ErrorKind.DEADLINE_EXPIRED: _dropped,
    ErrorKind.CORE_FAILURE: _answer,
    ErrorKind.ACCESS_DENIED: _answer,  # the gateway's credential, not the message: answered as a server error
}


def for_error(error: ScoreError, ctx: ErrorContext) -> Outcome:
    """The one mapping of a canonical error to what happens to the request (table above)."""
    return _BY_KIND[error.kind](error, ctx)


def unanswerable(reason: str, detail: str, kind: ErrorKind | None = None) -> Outcome:
    """A request nobody can be answered for: set aside with the reason."""
    return Outcome(Disposition.DEAD_LETTER, reason=reason, detail=detail, kind=kind)


def expired(detail: str) -> Outcome:
    return Outcome(Disposition.DROPPED, reason=EXPIRED, detail=detail, kind=ErrorKind.DEADLINE_EXPIRED)
