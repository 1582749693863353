"""The codec layer: message formats registered by name, and the mapped codec every channel uses.

Two levels, so that a new legacy contract is configuration and a new wire syntax is one class:

- A :class:`MessageFormat` knows a wire syntax only: ``read`` turns bytes into a flat
  ``{path: raw value}`` dict, ``write`` turns ``{path: value}`` back into bytes. JSON, XML and
  fixed-width records implement it. No I/O, no clocks, no knowledge of models.
- :class:`MappedCodec` joins a format with the declarative :mod:`~scoregate.adapters.mapping`
  (``RequestMapping`` + ``ResponseMapping``) and is the ``Codec`` of STYLE.md: ``decode`` gives a
  canonical :class:`~scoregate.core.contract.ScoreRequest`, ``encode_result`` / ``encode_error``
  give the reply bytes.

Formats are registered in :data:`FORMATS` as ``"module:Class"`` strings (kombu's
``TRANSPORT_ALIASES``), so that importing the registry never imports lxml or the fixed-width
engine; an unknown name fails with a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from scoregate.adapters.mapping import RequestMapping, ResponseMapping
from scoregate.core.contract import ScoreRequest, ScoreResult
from scoregate.core.errors import ScoreError

#: format name -> "module:Class" of its MessageFormat. ``register_format`` adds to it.
FORMATS: dict[str, str] = {
    "json": "scoregate.adapters.codecs.json:JsonFormat",
    "xml": "scoregate.adapters.codecs.xml:XmlFormat",
}


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


class UnknownFormat(ValueError):
    """A format name that is not registered; the message suggests the closest names."""

    def __init__(self, name: str) -> None:
        close = difflib.get_close_matches(name, list(FORMATS), n=2, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        super().__init__(f"unknown message format {name!r}{hint} (known: {', '.join(sorted(FORMATS))})")
        self.name = name


def register_format(name: str, target: str) -> None:
    """Register a format by ``"module:Class"`` (how the fixed-width engine plugs in)."""
    FORMATS[name] = target


def format_class(name: str) -> type[MessageFormat]:
    """The class registered under ``name``; raises UnknownFormat (with suggestions) or ImportError."""
    try:
        target = FORMATS[name]
    except KeyError:
        raise UnknownFormat(name) from None
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def create_format(name: str, options: Mapping[str, Any] | None = None) -> MessageFormat:
    """Build a format from its name and options (validated by the format's own Options model)."""
    cls = format_class(name)
    return cls(cls.Options.model_validate(dict(options or {})))


class MappedCodec:
    """A message format plus the declarative mapping: the ``Codec`` of STYLE.md.

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
