"""Fixed-width messages: one record per message body, through the shared layout engine.

The engine (``scoregate.adapters.codecs.fixedwidth``: copybooks, EBCDIC, zoned and packed
decimals) is the one the file channel uses; this module only frames it as a
:class:`~scoregate.adapters.codecs.base.MessageFormat`: a request record in, a response (or error)
record out, each with its own copybook. Paths of the mapping are the copybook's field names
(``ANNUAL-INCOME``, ``REASON-CODE(2)`` for an ``OCCURS``).

Registered as the message format ``fixedwidth`` (``codecs/base.py``); any message channel may
use it (AMQP does).

Relative copybook paths are resolved against ``base_dir`` in the validation context
(``AmqpChannelConfig.model_validate(data, context={"base_dir": folder_of_the_config})``), else
against the working directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import ValidationInfo, field_validator

from scoregate.adapters.codecs.base import FormatOptions
from scoregate.adapters.codecs.copybook_files import read_copybook
from scoregate.adapters.codecs.fixedwidth import (
    EncodeError,
    Kind,
    Layout,
    LayoutError,
    RecordCodec,
    RecordError,
)
from scoregate.core.errors import FieldViolation, InvalidInput, ViolationCode


class FixedWidthOptions(FormatOptions):
    request_copybook: Path
    """Copybook of the request record."""
    request_record: str | None = None
    """Record type to use when the copybook has several (REDEFINES); None for its only one."""
    response_copybook: Path
    """Copybook of the reply record."""
    response_record: str | None = None
    error_copybook: Path | None = None
    """Copybook of an error reply; None: error replies use the response layout."""
    error_record: str | None = None
    encoding: str = "cp037"
    """Code page: cp037, cp500, cp1047 (EBCDIC) or latin-1 / ascii."""
    sign_convention: Literal["ebcdic", "ascii"] = "ebcdic"
    """ASCII messages only: zoned signs written as an EBCDIC record translated to ASCII has them
    (``ebcdic``) or as GnuCOBOL and Micro Focus write them (``ascii``, p-y negative); both are read."""
    line_end: str | None = None
    """A line end requests may carry after the record (e.g. "\\n" from a script); replies get none."""

    @field_validator("request_copybook", "response_copybook", "error_copybook")
    @classmethod
    def _resolve(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        if path is None or path.is_absolute():
            return path
        base = (info.context or {}).get("base_dir")
        return (Path(base) / path).resolve() if base else path.resolve()


def _codec(path: Path, record: str | None, options: FixedWidthOptions) -> RecordCodec:
    try:
        layout = read_copybook(path, name=path.stem)
        only = Layout(record_types=(layout.record_type(record),), name=layout.name)
        end = options.line_end.encode() if options.line_end else None
        return RecordCodec(only, options.encoding, "F", line_end=end, sign_convention=options.sign_convention)
    except (OSError, LayoutError, KeyError, ValueError) as exc:
        raise ValueError(f"copybook {path}: {exc}") from None


def _value(kind: Kind, length: int, value: Any) -> Any:
    if kind is Kind.TEXT:
        # Legacy text fields are fixed: a longer message is cut, as the COBOL MOVE would.
        return str(value)[:length]
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


class FixedWidthFormat:
    """One fixed-width record <-> ``{FIELD-NAME: value}``; see the module docstring."""

    format_name: ClassVar[str] = "fixedwidth"
    Options: ClassVar[type[FormatOptions]] = FixedWidthOptions

    def __init__(self, options: FixedWidthOptions) -> None:
        self.options = options
        self.request = _codec(options.request_copybook, options.request_record, options)
        self.response = _codec(options.response_copybook, options.response_record, options)
        self.error = (
            _codec(options.error_copybook, options.error_record, options) if options.error_copybook else self.response
        )
        self.content_type = "application/octet-stream"
        self.content_encoding = options.encoding

    def accepts(self, content_type: str) -> bool:
        base = content_type.split(";")[0].strip().lower()
        return base in ("application/octet-stream", "text/plain") or base.startswith("application/x-")

    def read(self, payload: bytes) -> dict[str, Any]:
        try:
            return self.request.decode_one(payload)
        except RecordError as exc:
            error = InvalidInput([
                FieldViolation(field=e.field or "record", code=ViolationCode.MALFORMED, message=e.message)
                for e in exc.errors
            ])
            error.values = exc.values  # what did decode (the caller's reference), for the error reply
            if any(v.field == "record" for v in error.violations):
                # The error record has one short text field: a wrong length says expected and actual.
                end = (self.options.line_end or "").encode()
                size = len(payload) - (len(end) if end and payload.endswith(end) else 0)
                error.message = f"invalid input: record is {size} bytes, expected {self.request.lrecl}"
            raise error from None

    def write(self, values: Mapping[str, Any], *, error: bool = False) -> bytes:
        codec = self.error if error else self.response
        rtype = codec.layout.record_type()
        fields = {f.name: f for f in rtype.fields}
        prepared = {k: _value(fields[k].kind, fields[k].length, v) for k, v in values.items() if v is not None}
        try:
            return codec.encode_one(prepared)
        except EncodeError as exc:
            raise ValueError(f"reply does not fit its layout: {exc}") from None

    def check_targets(self, paths: list[str], *, error: bool = False) -> None:
        rtype = (self.error if error else self.response).layout.record_type()
        names = {f.name for f in rtype.fields if not f.filler}
        if unknown := [p for p in paths if p not in names]:
            raise ValueError(f"fields {unknown} are not in record {rtype.name} ({', '.join(sorted(names))})")
