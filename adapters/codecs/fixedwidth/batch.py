"""What decoding returns: DecodedBatch (columns per record type) and Rejects (only bad records).

Rejects are kept compact, three parallel arrays (record index, field name, reason) with one entry
per bad field of a bad record, so a chunk of 65,536 good records carries three empty arrays and a
bad record costs one entry, not an object per record. Messages with the offending bytes in hex
are built on demand (:meth:`DecodedBatch.explain`), for reject files and error replies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .encoding import CodePage
from .errors import REASON_TEXT, Reason
from .layout import Kind, Layout, RecordType


class Reject(NamedTuple):
    record: int
    """Index of the record in its batch (``batch.start + record`` in the stream)."""
    field: str
    """The bad field, or "" for a record-level reason (SHORT_RECORD, BAD_RDW, ...)."""
    reason: str
    """A :class:`~.errors.Reason` code."""


class Explained(NamedTuple):
    record: int
    field: str
    reason: str
    message: str


@dataclass(frozen=True)
class Rejects:
    """Every bad field of every bad record of a batch, sorted by record."""

    record: np.ndarray
    field: np.ndarray
    reason: np.ndarray
    """uint8 :class:`~.errors.Reason` values."""

    def __len__(self) -> int:
        return int(self.record.size)

    def __iter__(self) -> Iterator[Reject]:
        for r, f, why in zip(self.record.tolist(), self.field.tolist(), self.reason.tolist(), strict=True):
            yield Reject(r, f, Reason(why).name)

    @property
    def records(self) -> np.ndarray:
        """The distinct bad record indexes."""
        return np.unique(self.record)

    def for_record(self, record: int) -> list[Reject]:
        return [r for r in self if r.record == record]

    @staticmethod
    def collector() -> _Collector:
        return _Collector()


class _Collector:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, rows: np.ndarray, field: str, reasons: np.ndarray | Reason) -> None:
        if rows.size:
            why = np.broadcast_to(np.asarray(reasons, np.uint8), rows.shape)
            self.parts.append((rows.astype(np.int64), np.full(rows.size, field, object), why))

    def build(self) -> Rejects:
        if not self.parts:
            return Rejects(np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0, np.uint8))
        rec, fld, why = (np.concatenate(p) for p in zip(*self.parts, strict=True))
        order = np.argsort(rec, kind="stable")
        return Rejects(rec[order], fld[order], why[order])


@dataclass(frozen=True)
class Part:
    """The records of one record type in a batch, as columns."""

    record_type: RecordType
    index: np.ndarray
    """(m,) positions of these records in the batch."""
    columns: Mapping[str, np.ndarray]
    """Field name -> (m,) values: text ``U`` arrays, numbers int64 in units of the last digit.
    A bad field's value is 0 (see the batch's errors)."""
    absent: Mapping[str, np.ndarray] = field(default_factory=dict)
    """OCCURS DEPENDING ON: field name -> (m,) bool, the record's count leaves this occurrence
    out (its column holds 0 or ""). Fields that every record has are not listed."""
    counts: np.ndarray | None = None
    """OCCURS DEPENDING ON: (m, tables) counts per record (-1: unreadable, the record is rejected)."""

    def __len__(self) -> int:
        return int(self.index.size)

    def floats(self, name: str) -> np.ndarray:
        """A numeric column as float64 real values (implied decimals applied; NaN where absent)."""
        f = self.record_type.field(name)
        if f.kind is Kind.TEXT:
            raise TypeError(f"{name} is a text field")
        values = self.columns[name]
        if values.dtype == object:  # 19-31 digits: exact Decimal real values, to the nearest float64
            out = values.astype(np.float64)
        else:
            out = values * 10.0**-f.scale if f.scale < 0 else values / 10.0**f.scale if f.scale else \
                values.astype(np.float64)
        if (gone := self.absent.get(name)) is not None:
            out[gone] = np.nan
        return out

    def real_columns(self) -> dict[str, np.ndarray]:
        """The columns with implied decimals applied: scaled fields as float64 real values, the
        rest as decoded (int64, text); absent occurrences are NaN (numbers) or "" (text). What
        ``adapters.columnar.feature_matrix`` expects."""
        real = {f.name for f in self.record_type.data_fields
                if f.kind is not Kind.TEXT and (f.scale or f.name in self.absent)}
        return {k: self.floats(k) if k in real else v for k, v in self.columns.items()}


@dataclass(frozen=True)
class DecodedBatch:
    """A decoded chunk: per record type, its columns; and the rejects."""

    start: int
    """Stream position of record 0 of this batch."""
    records: np.ndarray
    """The raw (n, lrecl) bytes, kept for reject files and pass-through fields."""
    lengths: np.ndarray | None
    """Data bytes per record when framing gave them (V/VB, line ends); None: all full length."""
    types: np.ndarray
    """(n,) int16 index into ``layout.record_types``; -1 for unknown or unframeable records."""
    parts: Mapping[str, Part]
    """Record type name -> its Part (present, maybe empty, for every record type)."""
    errors: Rejects
    layout: Layout
    codepage: CodePage

    def __len__(self) -> int:
        return int(self.records.shape[0])

    @property
    def columns(self) -> Mapping[str, np.ndarray]:
        """The columns of a single-record-type layout (for several types use ``parts``)."""
        if len(self.parts) != 1:
            raise ValueError(f"record types {list(self.parts)}: use batch.parts[name].columns")
        return next(iter(self.parts.values())).columns

    @property
    def bad(self) -> np.ndarray:
        """(n,) bool: the record has at least one reject."""
        mask = np.zeros(len(self), bool)
        mask[self.errors.record] = True
        return mask

    def explain(self, limit: int | None = None) -> list[Explained]:
        """The rejects with a message each (what is wrong, the bytes in hex)."""
        out = []
        for reject in list(self.errors)[:limit]:
            out.append(Explained(*reject, self._message(reject)))
        return out

    def _message(self, reject: Reject) -> str:
        i, text = reject.record, REASON_TEXT[Reason[reject.reason]]
        length = int(self.lengths[i]) if self.lengths is not None else self.records.shape[1]
        if reject.field:
            f = self._record_type(i).field(reject.field)
            cells = self.records[i, f.offset: f.end]
            return f"{reject.field} (offset {f.offset}, {f.describe()}): {text}; bytes {_hex(cells)}"
        if reject.reason == Reason.SHORT_RECORD.name:
            rtype = self._record_type(i)
            return f"{text}: {length} bytes, record type {rtype.name} needs {rtype.length}"
        if reject.reason == Reason.UNKNOWN_RECORD_TYPE.name and (sel := self.layout.selector) is not None:
            cells = self.records[i, sel.offset: sel.offset + sel.length]
            return f"{text}: type field holds {self.codepage.decode_text(cells.tobytes())!r} ({_hex(cells)})"
        if reject.reason == Reason.BAD_RDW.name:
            return f"{text}; the bytes there: {_hex(self.records[i, :16])}"
        return f"{text}: {length} bytes, LRECL {self.records.shape[1]}"


    def _record_type(self, i: int) -> RecordType:
        """The layout of record i: for OCCURS DEPENDING ON, that of its shape where its counts read."""
        rtype = self.layout.record_types[int(self.types[i])]
        part = self.parts[rtype.name]
        if rtype.shapes is None or part.counts is None:
            return rtype
        counts = part.counts[int(np.searchsorted(part.index, i))]
        if (counts < 0).any():  # a counter did not read: its position is the one the earlier counts give
            known = tuple(int(c) for c in counts[: int(np.argmax(counts < 0))])
            counts = (*known, *(t.maximum for t in rtype.shapes.tables[len(known):]))
        return rtype.shapes.record_type(tuple(int(c) for c in counts))


def _hex(cells: np.ndarray) -> str:
    return cells.tobytes().hex().upper()


class FieldError(NamedTuple):
    field: str
    reason: str
    message: str


class RecordError(ValueError):
    """A single record (``decode_one``) with bad data. ``values`` holds what decoded (bad fields
    are None, so an error reply can still echo a reference); ``errors`` every problem."""

    def __init__(self, values: dict[str, Any], explained: list[Explained]) -> None:
        self.values = values
        self.errors = tuple(FieldError(e.field, e.reason, e.message) for e in explained)
        super().__init__("; ".join(f"{e.field or 'record'}: {e.reason}" for e in self.errors))
