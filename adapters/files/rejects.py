"""Canonical errors -> the file channel's answers: reject records, reason files, what to do with a file.

The only place where a decode :class:`~scoregate.adapters.codecs.fixedwidth.Reason`, a
:class:`~scoregate.core.errors.FieldViolation` or a :class:`~scoregate.core.errors.ScoreError`
becomes something the mainframe side sees.

Record level (the other records are still scored): one reject record per problem, in the input's
code page and RECFM (F, FB, V or VB, with the input's line ends or block descriptors), laid out by
the job's own copybook (``[reject]``: ``FileJobConfig.reject``) or else by this built-in layout
(``reject_layout``)::

    REJ-RECORD-NO   9(09)   1-based record number in the input file (header = record 1)
    REJ-REASON      X(20)   BAD_PACKED_SIGN, UNKNOWN_RECORD_TYPE, OUT_OF_RANGE, UNKNOWN_CATEGORY, ...
    REJ-FIELD       X(30)   the caller's field name ("" for a record-level reason)
    REJ-MESSAGE     X(100)  what is wrong (with the offending bytes in hex for decode errors)
    REJ-RECORD      X(n)    the original record bytes, unchanged (n = input LRECL)

File level (the shared :class:`~scoregate.adapters.channel.Disposition`): by ``ScoreError.kind``
(see ``DISPOSITIONS``), a file is either set aside into the error directory with a reason file
(``DEAD_LETTER``), or put back for a retry (``RETRY``); nothing is published for either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoregate.adapters.channel import Disposition
from scoregate.adapters.codecs.fixedwidth import (
    DecodedBatch,
    Field,
    Kind,
    Layout,
    RecordCodec,
    RecordType,
    layout_from_spec,
)
from scoregate.adapters.files.config import RejectField
from scoregate.adapters.mapping import RequestMapping
from scoregate.core.errors import ErrorKind, FieldViolation, ScoreError

REASON_WIDTH = 20
FIELD_WIDTH = 30
MESSAGE_WIDTH = 100


DISPOSITIONS: dict[ErrorKind, Disposition] = {
    ErrorKind.INVALID_INPUT: Disposition.DEAD_LETTER,  # a whole batch refused: the job's config is wrong
    ErrorKind.UNKNOWN_MODEL: Disposition.DEAD_LETTER,
    ErrorKind.CORE_UNAVAILABLE: Disposition.RETRY,
    ErrorKind.DEADLINE_EXPIRED: Disposition.RETRY,
    ErrorKind.CORE_FAILURE: Disposition.RETRY,  # server-side: not the sender's fault
    ErrorKind.ACCESS_DENIED: Disposition.DEAD_LETTER,  # the gateway's credential is refused: a setup problem
}


class FileRejected(Exception):
    """The whole file is refused (trailer mismatch, no header, ...): error directory, reason file."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def disposition(error: ScoreError) -> Disposition:
    """``DEAD_LETTER``: the file into the error directory with a reason; ``RETRY``: back into the inbox."""
    return DISPOSITIONS.get(error.kind, Disposition.RETRY)


def reason_text(error: ScoreError | FileRejected, name: str) -> str:
    """Contents of the reason file put beside a file set aside in the error directory."""
    code = error.code if isinstance(error, FileRejected) else error.kind.name
    message = error.message
    return f"file: {name}\nreason: {code}\nmessage: {message}\n"


@dataclass(frozen=True)
class RejectRow:
    record_no: int
    """1-based in the input file."""
    reason: str
    field: str
    message: str


def reject_layout(lrecl: int) -> Layout:
    return layout_from_spec({"name": "REJECT", "fields": [
        {"name": "REJ-RECORD-NO", "type": "zoned", "digits": 9},
        {"name": "REJ-REASON", "type": "text", "length": REASON_WIDTH},
        {"name": "REJ-FIELD", "type": "text", "length": FIELD_WIDTH},
        {"name": "REJ-MESSAGE", "type": "text", "length": MESSAGE_WIDTH},
        {"name": "REJ-RECORD", "type": "text", "length": lrecl},
    ]})


# The built-in layout's fields and what fills them (a job's own [reject] says the same for its copybook).
DEFAULT_FIELDS = (
    RejectField(target="REJ-RECORD-NO", source="record_number"), RejectField(target="REJ-REASON", source="reason_code"),
    RejectField(target="REJ-FIELD", source="field"), RejectField(target="REJ-MESSAGE", source="reason_text"),
    RejectField(target="REJ-RECORD", source="record"),
)


class RejectEncoder:
    """Builds reject records for one input codec: its code page and RECFM, the job's reject
    copybook (``record``, ``fields``) or the built-in layout, the input's own bytes where copied."""

    def __init__(self, input_codec: RecordCodec, mapping: RequestMapping, record: RecordType | None = None,
                 fields: tuple[RejectField, ...] = DEFAULT_FIELDS, detail: RecordType | None = None) -> None:
        """``record``: the reject copybook's record type (None: the built-in layout); ``detail``:
        the input detail record, where ``input`` fields are copied from."""
        self.mapping = mapping
        self.lrecl = input_codec.lrecl
        layout = reject_layout(self.lrecl) if record is None else Layout((record,), name=record.name)
        framer = input_codec.framer
        # The input's own batch format (as registered in FORMATS), with its code page and framing.
        self.codec = type(input_codec)(layout, input_codec.codepage, framer.recfm.value, line_end=framer.line_end or None,
                                 block_descriptors=framer.block_descriptors)
        self.record = self.codec.layout.record_type(None)
        self.fields = fields
        self._detail = detail

    def from_decode(self, batch: DecodedBatch, rows: np.ndarray) -> dict[int, list[RejectRow]]:
        """Decode errors of the given batch rows -> {batch row: rejects}."""
        out: dict[int, list[RejectRow]] = {}
        wanted = set(rows.tolist())
        for e in batch.explain():
            if e.record in wanted:
                out.setdefault(e.record, []).append(RejectRow(batch.start + e.record + 1, e.reason, e.field, e.message))
        return out

    def from_violations(self, record_no: int, violations: list[FieldViolation] | tuple[FieldViolation, ...]) -> list[RejectRow]:
        """Mapping or core-schema violations (canonical names renamed to the caller's fields)."""
        return [RejectRow(record_no, v.code.value, self.mapping.source_of(v.field), v.message) for v in violations]

    def encode(self, rows: list[RejectRow], records: np.ndarray) -> bytes:
        """Reject rows and their original (k, lrecl) records, one row each -> framed bytes."""
        if not rows:
            return b""
        columns: dict[str, np.ndarray] = {}
        copies: list[tuple[Field, np.ndarray]] = []
        for spec in self.fields:
            target = self.record.field(spec.target)
            width = target.length
            match spec.source:
                case "record_number":
                    numbers = np.array([r.record_no for r in rows], np.int64)
                    columns[target.name] = numbers.astype(str) if target.kind is Kind.TEXT else numbers
                case "reason_code":
                    columns[target.name] = np.array([r.reason[:width] for r in rows], dtype=str)
                case "reason_text":
                    columns[target.name] = np.array([_printable(r.message)[:width] for r in rows], dtype=str)
                case "field":
                    columns[target.name] = np.array([r.field[:width] for r in rows], dtype=str)
                case "input":
                    assert self._detail is not None
                    source = self._detail.field(spec.field or "")
                    copies.append((target, records[:, source.offset: source.end]))
                case "record":
                    copies.append((target, records[:, : min(width, self.lrecl)]))
        out = self.codec.encode_records(columns)
        # Input bytes go in unchanged: no code page round trip for bytes that may be invalid.
        for target, data in copies:
            out[:, target.offset: target.offset + data.shape[1]] = data
        return self.codec.framer.join(out, self.codec.codepage.space)


def _printable(text: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in text)
