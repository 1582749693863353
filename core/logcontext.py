"""Who a log line is about: the request id, the caller's own reference, the channel, and who called.

Each boundary sets them once (a channel taking a legacy request, the core receiving a call with
its ``x-request-id`` metadata) with :func:`request_context`; :class:`ContextFilter` copies them
onto every record logged inside, so the formatter prints them without each ``log`` call passing
them. The core adds the authenticated caller of a call (a certificate subject or a token's name,
core/auth.py) with :func:`caller_context`. contextvars follow asyncio tasks; code handing work to a thread pool carries them with
``contextvars.copy_context().run``.

Fields configured as personal data are masked by the same filter, on the context and on any
``extra=`` field of that name: a masked value is a short keyed hash (HMAC-SHA256, the audit's
function and key: ``~`` and the first 12 hex digits of what the audit stores after ``hmac:``), so
an operator can follow one caller through the logs and into the audit without reading it.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

CONTEXT_FIELDS = ("request_id", "reference", "channel", "caller")
#: gRPC metadata key of the gateway's request id (set by the client, read by the core).
REQUEST_ID_HEADER = "x-request-id"

_request_id: ContextVar[str] = ContextVar("scoregate_request_id", default="")
_reference: ContextVar[str] = ContextVar("scoregate_reference", default="")
_channel: ContextVar[str] = ContextVar("scoregate_channel", default="")
_caller: ContextVar[str] = ContextVar("scoregate_caller", default="")


@contextmanager
def request_context(request_id: str = "", reference: str = "", channel: str = "") -> Iterator[None]:
    """Log lines inside carry these; an empty argument keeps what an outer context set."""
    tokens = [
        (var, var.set(value)) for var, value in ((_request_id, request_id), (_reference, reference), (_channel, channel)) if value
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


@contextmanager
def caller_context(caller: str) -> Iterator[None]:
    """Log lines inside carry ``caller``: who the core authenticated for this call."""
    token = _caller.set(caller)
    try:
        yield
    finally:
        _caller.reset(token)


def current_caller() -> str:
    return _caller.get()


def current_request_id() -> str:
    return _request_id.get()


class Masker:
    """Replaces the values of personal-data fields by ``~`` and 12 hex digits of a keyed hash."""

    def __init__(self, fields: Iterable[str] = (), key: bytes = b"") -> None:
        self.fields = frozenset(fields)
        self._key = key

    def mask(self, value: object) -> str:
        text = str(value)
        if not text:
            return text
        return "~" + hmac.digest(self._key, text.encode(), "sha256")[:6].hex()

    def __bool__(self) -> bool:
        return bool(self.fields)


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``reference``, ``channel`` and ``caller`` to every record; masks personal data.

    Install it on the handler (not a logger) so that records of every library pass through it.
    """

    def __init__(self, masker: Masker | None = None) -> None:
        super().__init__()
        self.masker = masker or Masker()

    def filter(self, record: logging.LogRecord) -> bool:
        # An explicit extra= wins over the context (a batch logging one of its rows, say).
        if not getattr(record, "request_id", ""):
            record.request_id = _request_id.get()
        if not getattr(record, "reference", ""):
            record.reference = _reference.get()
        if not getattr(record, "channel", ""):
            record.channel = _channel.get()
        if not getattr(record, "caller", ""):
            record.caller = _caller.get()
        if self.masker:
            for name in self.masker.fields & record.__dict__.keys():
                record.__dict__[name] = self.masker.mask(record.__dict__[name])
        return True
