"""The codec layer: formats registered by name in two shapes, and the mapped codec of messages.

A format knows a wire syntax only (no I/O, no clocks, no knowledge of models), in one of two shapes:

- a **message** format (:class:`MessageFormat`), one request in and one answer out: ``read`` turns
  bytes into a flat ``{path: raw value}`` dict, ``write`` turns ``{path: value}`` back into bytes.
  JSON, XML and the fixed-width record of a message implement it. :class:`MappedCodec` joins one
  with the declarative :mod:`~scoregate.adapters.mapping` and is the channels' message codec
  (:class:`MessageCodec`): ``decode`` gives a canonical
  :class:`~scoregate.core.contract.ScoreRequest`, ``encode_result`` / ``encode_error`` the reply.
  The SOAP body is a message format in two steps (:class:`EnvelopeFormat`, registered as
  ``soap``): ``open`` finds the version and operation, which decide the form of the answer, then
  ``read`` / ``encode``. It is driven by a WSDL rather than by options, so its channel builds it
  (from the class found here) and lives beside the contract it reads (``adapters/soap/codec.py``);
  a queue cannot name it (:func:`message_format_class` says so).
- a **batch** format (:class:`BatchFormat`), records in columns: a stream of records is decoded
  into batches of numpy columns with per-record rejects, and columns are encoded back into
  records; ``adapters/columnar.py`` maps the columns. Fixed-width record files implement it.

Both are registered in :data:`FORMATS`, by shape then name, as ``"module:Class"`` strings (kombu's
``TRANSPORT_ALIASES``), so that importing the registry never imports lxml or the fixed-width
engine; an unknown name fails with a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from scoregate.adapters.mapping import RequestMapping, ResponseMapping
from scoregate.core.contract import ScoreRequest, ScoreResult
from scoregate.core.errors import FieldViolation, InvalidInput, ScoreError, ViolationCode


class Shape(StrEnum):
    MESSAGE = "message"
    """One request in, one answer out (:class:`MessageFormat`)."""
    BATCH = "batch"
    """Records in columns (:class:`BatchFormat`)."""


#: shape -> format name -> "module:Class" of its format. ``register_format`` adds to it.
FORMATS: dict[Shape, dict[str, str]] = {
    Shape.MESSAGE: {
        "json": "scoregate.adapters.codecs.json:JsonFormat",
        "xml": "scoregate.adapters.codecs.xml:XmlFormat",
        "fixedwidth": "scoregate.adapters.codecs.fixedwidth_message:FixedWidthFormat",
        "soap": "scoregate.adapters.soap.codec:SoapCodec",
    },
    Shape.BATCH: {
        "fixedwidth": "scoregate.adapters.codecs.fixedwidth:RecordCodec",
    },
}


def malformed(message: str, path: str = "") -> InvalidInput:
    """The error of a payload a format cannot parse: one ``MALFORMED`` violation at ``path``."""
    return InvalidInput([FieldViolation(field=path, code=ViolationCode.MALFORMED, message=message)])


class FormatOptions(BaseModel):
    """Base of every format's options (the ``format_options`` of a queue); strict like all config."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@runtime_checkable
class MessageFormat(Protocol):
    """A wire syntax: bytes <-> flat ``{path: value}``. Instances are immutable and thread-safe."""

    format_name: ClassVar[str]
    Options: ClassVar[type[FormatOptions]]

    @property
    def content_type(self) -> str:
        """The MIME type replies carry (AMQP ``content_type``)."""

    @property
    def content_encoding(self) -> str:
        """The character encoding replies carry (AMQP ``content_encoding``), e.g. utf-8 or cp037."""

    def accepts(self, content_type: str) -> bool:
        """Whether a request labelled with this content type is in this format. Called per message
        that has a content type; a message without one is assumed to be in the queue's format."""

    def read(self, payload: bytes) -> dict[str, Any]:
        """Parse a request. Must raise ``InvalidInput`` (``MALFORMED``, naming the position) for any
        payload it cannot parse, and nothing else; it may set ``error.values`` to what it could
        read, so that the error reply can still echo the caller's reference."""

    def write(self, values: Mapping[str, Any], *, error: bool = False) -> bytes:
        """Serialise a reply (``error=True``: an error reply, which some formats shape differently).
        Raises ValueError when a value cannot be written (a fixed-width field too small)."""

    def check_targets(self, paths: list[str], *, error: bool = False) -> None:
        """Called once at configuration time with the result paths, then the error paths; raise
        ValueError for a path this format cannot write (a bad mapping fails at ``config check``,
        not on a message)."""


@runtime_checkable
class EnvelopeFormat(Protocol):
    """The message shape in two steps, for a syntax whose request decides the form of its answer
    (the SOAP body: the version and operation of the request are those of the reply). Instances
    are immutable and thread-safe; the opened request carries what the answer needs."""

    format_name: ClassVar[str]

    def open(self, payload: bytes, content_type: str = "", action: str | None = None) -> Any:
        """Find what the request is (raising the format's own error for one that is not even that);
        the result is passed to ``read`` and ``encode``."""

    def read(self, opened: Any) -> dict[str, Any]:
        """The request as ``{path: raw value}``; raises ``InvalidInput`` naming the caller's paths."""

    def encode(self, opened: Any, values: dict[str, Any]) -> bytes:
        """The answer to the opened request, filled from ``{path: value}``."""


class MessageCodec(Protocol):
    """What a channel needs of a message's format and mapping together (:class:`MappedCodec`)."""

    format_name: str

    def decode(self, payload: bytes, *, request_id: str, channel: str,
               deadline: datetime | None = None, today: date | None = None) -> ScoreRequest:
        """One request. Raises ``InvalidInput``: ``MALFORMED`` when it does not parse, else the
        violations named by the caller's own paths."""

    def encode_result(self, result: ScoreResult, reference: str = "") -> bytes:
        """The answer to a scored request."""

    def encode_error(self, error: ScoreError, reference: str = "") -> bytes:
        """The answer to a request that failed, in the caller's own format."""


class DecodedRecords(Protocol):
    """A batch decoded by a :class:`BatchFormat`: columns per record type, and the rejects."""

    start: int
    """Position in the stream of the batch's first record."""

    def __len__(self) -> int: ...

    @property
    def bad(self) -> Any:
        """(n,) bool array: the record has at least one reject."""


@runtime_checkable
class BatchFormat(Protocol):
    """A record syntax read and written in columns, never a Python object per record.
    Instances are immutable and thread-safe."""

    def iter_batches(self, chunks: Iterable[bytes], batch_records: int) -> Iterator[DecodedRecords]:
        """Decode a stream given as chunks of any size, about ``batch_records`` records at a time.
        Bad records are rejects of their batch, never exceptions: the other records go on."""

    def encode(self, columns: Mapping[str, Any], record_type: str | None = None) -> bytes:
        """Columns (numpy arrays, one value per record) -> framed record bytes."""


class UnknownFormat(ValueError):
    """A format name that is not registered; the message suggests the closest names."""

    def __init__(self, name: str, shape: Shape = Shape.MESSAGE) -> None:
        known = FORMATS[shape]
        close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        super().__init__(f"unknown {shape.value} format {name!r}{hint} (known: {', '.join(sorted(known))})")
        self.name = name


def register_format(name: str, target: str, shape: Shape = Shape.MESSAGE) -> None:
    """Register a format by ``"module:Class"``."""
    FORMATS[shape][name] = target


def format_class(name: str, shape: Shape = Shape.MESSAGE) -> type:
    """The class registered under ``name`` for ``shape``; raises UnknownFormat (with suggestions)
    or ImportError."""
    try:
        target = FORMATS[shape][name]
    except KeyError:
        raise UnknownFormat(name, shape) from None
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def message_format_class(name: str) -> type:
    """The one-step :class:`MessageFormat` registered under ``name``, the kind a message channel
    configures by name and options; a two-step format (:class:`EnvelopeFormat`) is refused in one
    line, since only its own channel, which holds its contract, can build it."""
    cls = format_class(name)
    if not hasattr(cls, "Options"):
        one_step = sorted(n for n in FORMATS[Shape.MESSAGE] if n != name and hasattr(format_class(n), "Options"))
        raise ValueError(f"format {name!r} answers in the form of each request (a SOAP envelope read against its WSDL), "
                         f"so only its own channel uses it; message formats to configure: {', '.join(one_step)}")
    return cls


def create_format(name: str, options: Mapping[str, Any] | None = None) -> MessageFormat:
    """Build a format from its name and options (validated by the format's own Options model)."""
    cls = message_format_class(name)
    return cls(cls.Options.model_validate(dict(options or {})))


class MappedCodec:
    """A message format plus the declarative mapping: the :class:`MessageCodec` of every
    message channel that maps paths (AMQP; STYLE.md's ``Codec``).

    ``decode`` raises ``InvalidInput``: ``MALFORMED`` from the format, or violations named by the
    caller's own paths from the mapping. ``reference`` reads the caller's reference without
    validating, so an error reply can still echo it.
    """

    def __init__(self, fmt: MessageFormat, request: RequestMapping, response: ResponseMapping) -> None:
        self.format = fmt
        self.request = request
        self.response = response
        fmt.check_targets([
            t for f in response.result
            for t in ([f.target.format(n=n) for n in range(1, f.count + 1)] if f.numbered else [f.target])
        ])
        fmt.check_targets([f.target for f in response.error], error=True)

    @property
    def format_name(self) -> str:
        return self.format.format_name

    def read(self, payload: bytes) -> dict[str, Any]:
        return self.format.read(payload)

    def reference(self, values: Mapping[str, Any]) -> str:
        raw = values.get(self.request.reference) if self.request.reference else None
        return "" if raw is None else str(raw).strip()

    def decode_values(
        self, values: Mapping[str, Any], *, request_id: str, channel: str,
        deadline: datetime | None = None, today: date | None = None,
    ) -> ScoreRequest:
        return self.request.decode(values, request_id=request_id, channel=channel, today=today, deadline=deadline)

    def decode(
        self, payload: bytes, *, request_id: str, channel: str,
        deadline: datetime | None = None, today: date | None = None,
    ) -> ScoreRequest:
        return self.decode_values(self.read(payload), request_id=request_id, channel=channel, deadline=deadline, today=today)

    def encode_result(self, result: ScoreResult, reference: str = "", inputs: Mapping[str, Any] | None = None) -> bytes:
        """``inputs``: the request's values, for response fields copied from the request."""
        return self.format.write(self.response.encode_result(result, reference, inputs))

    def encode_error(self, error: ScoreError, reference: str = "") -> bytes:
        return self.format.write(self.response.encode_error(error, reference), error=True)
