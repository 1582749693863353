"""RecordCodec: the record-level API both transports call (files: batches; AMQP: one message).

At this layer there are only bytes and numpy columns: no files, sockets, clocks, canonical
requests or models. The file channel streams ``split`` -> ``decode`` -> (score) -> ``encode``;
the AMQP channel calls ``decode_one`` / ``encode_one`` per message::

    codec = RecordCodec(parse_copybook(text).with_selector("REC-TYPE", {"D": "DETAIL", ...}),
                        encoding="cp037", recfm="FB")
    framed = codec.split(chunk)              # records (n, lrecl) + remainder for the next chunk
    batch = codec.decode(framed)             # batch.parts["DETAIL"].columns["INCOME"] ...
    batch.errors                             # (record, field, reason) of bad records only
    out = codec.encode({"SCORE": scores, ...}, record_type="RESPONSE")

Values: text is a numpy ``U`` array (trailing spaces removed); every number is int64 in units of
its last digit (``S9(5)V99`` value -123.45 is -12345: exact, so control totals add up);
``Part.floats(name)`` gives float64. Encoding takes the same: numpy integer arrays for a scaled
field are in units of the last digit, float arrays are real values (rounded half-even), Python
values (``Decimal``, ``int``, ``str``, as ``decode_one`` returns) are real values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .batch import DecodedBatch, Part, Rejects
from .encoding import CodePage, codepage
from .errors import EncodeError, LayoutError, Reason
from .fields import FieldCodec
from .kinds import codec_for
from .framing import BAD_FRAME, RDW_SIZE, Framed, Framer
from .layout import Field, Kind, Layout, RecordType
from .messages import SingleRecords
from .variable import decode_shapes, encode_shapes

DEFAULT_BATCH_RECORDS = 65536
"""Records per decoded batch in :meth:`RecordCodec.iter_batches` (~13 MB of 200-byte records:
big enough to amortise numpy's per-call cost, small enough to stay near the CPU caches). Decode
files in batches like this: one ``decode`` of a whole 200 MB file runs at a third of the speed,
its columns (text as UCS-4 is four bytes a character) no longer fitting anywhere near a cache."""


@dataclass(frozen=True)
class _Plan:
    """What one record type needs, prepared once per codec."""

    rtype: RecordType
    decode: tuple[tuple[Field, FieldCodec], ...]
    encode: tuple[tuple[Field, FieldCodec], ...]
    template: np.ndarray  # one record of defaults: blanks, zeros, the type field value


class RecordCodec(SingleRecords):
    """Fixed-width records of one layout, code page and record format.

    ``encoding``: ``cp037`` (default) or another page of ``CODE_PAGES``, ``latin-1``/``ascii``.
    ``recfm``: ``F``/``FB`` (``line_end`` for text files), ``V``/``VB`` (RDWs;
    ``block_descriptors`` for BDWs), ``VS``/``VBS`` (spanned), ``LS`` (text lines).
    ``lrecl`` defaults to the longest record type (for OCCURS DEPENDING ON: every table full).
    ``fields`` limits decoding to those names (skip what nobody reads); encoding always knows all.
    Instances are immutable and safe to share between threads.
    """

    def __init__(self, layout: Layout, encoding: str | CodePage = "cp037", recfm: str = "FB", *,
                 lrecl: int | None = None, line_end: bytes | None = None, block_descriptors: bool = False,
                 block_size: int | None = None, fields: Sequence[str] | None = None) -> None:
        self.layout = layout
        self.codepage = codepage(encoding)
        self.lrecl = lrecl or layout.width
        if self.lrecl < layout.width:
            raise LayoutError(f"LRECL {self.lrecl} is shorter than the longest record type ({layout.width})")
        if len(layout.record_types) > 1 and layout.selector is None:
            raise LayoutError(f"record types {[t.name for t in layout.record_types]} need a selector "
                              "(Layout.with_selector(type_field, {value: record type}))")
        extra = {"block_size": block_size} if block_size else {}
        self.framer = Framer(recfm, self.lrecl, line_end=line_end, block_descriptors=block_descriptors,
                             pad=self.codepage.space, **extra)
        wanted = set(fields) if fields is not None else None
        if wanted is not None and (unknown := wanted - {f.name for t in layout.record_types for f in t.fields}):
            raise LayoutError(f"fields {sorted(unknown)} are not in the layout")
        self._wanted = wanted
        self._plans = tuple(self._plan(t, wanted) for t in layout.record_types)
        self._shape_plans: dict[tuple[int, tuple[int, ...]], _Plan] = {}
        self._selector = self._selector_values()

    def _plan(self, rtype: RecordType, wanted: set[str] | None) -> _Plan:
        codecs = [(f, codec_for(f, self.codepage)) for f in rtype.fields]
        decode = tuple((f, c) for f, c in codecs if not f.filler and (wanted is None or f.name in wanted))
        # Views (REDEFINES) go last, so that a view given explicitly wins over its base field.
        encode = tuple(sorted((fc for fc in codecs if not fc[0].filler), key=lambda fc: fc[0].redefines))
        template = np.full(rtype.length, self.codepage.space, np.uint8)
        for f, c in codecs:
            if f.kind is not Kind.TEXT and not f.redefines:
                template[f.offset: f.end] = c.encode(np.zeros(1, np.int64))[0]
        selector = self.layout.selector
        if selector is not None and (values := [v for v, t in selector.values.items() if t == rtype.name]):
            template[selector.offset: selector.offset + selector.length] = self._type_bytes(values[0])
        template.flags.writeable = False
        return _Plan(rtype, decode, encode, template)

    def _shape_plan(self, t: int, counts: tuple[int, ...]) -> _Plan:
        """The plan of one OCCURS DEPENDING ON shape of record type ``t`` (built once)."""
        key = (t, counts)
        if (plan := self._shape_plans.get(key)) is None:
            shapes = self.layout.record_types[t].shapes
            assert shapes is not None
            plan = self._shape_plans[key] = self._plan(shapes.record_type(counts), self._wanted)
        return plan

    def _codec_of(self, f: Field) -> FieldCodec:
        return codec_for(f, self.codepage)

    def _type_bytes(self, value: str) -> np.ndarray:
        assert self.layout.selector is not None
        return np.frombuffer(self.codepage.encode_text(value.ljust(self.layout.selector.length)), np.uint8)

    def _selector_values(self) -> list[tuple[np.ndarray, int]]:
        selector = self.layout.selector
        if selector is None:
            return []
        index = {t.name: i for i, t in enumerate(self.layout.record_types)}
        return [(self._type_bytes(v), index[t]) for v, t in selector.values.items()]

    # -- streaming ------------------------------------------------------------------------------
    def split(self, chunk: bytes | bytearray | memoryview | np.ndarray, final: bool = False) -> Framed:
        """Frame the records in ``chunk``; put ``result.remainder`` in front of the next chunk and
        pass ``final=True`` with the last one. Never raises for bad data (see ``Framed``)."""
        return self.framer.split(chunk, final)

    def iter_batches(self, chunks: Iterable[bytes], batch_records: int = DEFAULT_BATCH_RECORDS
                     ) -> Iterator[DecodedBatch]:
        """Decode a stream given as chunks of any size, about ``batch_records`` records at a time.
        ``batch.start`` numbers records from 0 across the stream. Stops after a broken frame."""
        stride = self.lrecl + len(self.framer.line_end) + (RDW_SIZE if self.framer.variable else 0)
        want = batch_records * stride
        buffer, start, source, exhausted = bytearray(), 0, iter(chunks), False
        while True:
            while len(buffer) < want and not exhausted:
                try:
                    buffer += next(source)
                except StopIteration:
                    exhausted = True
            final = exhausted and len(buffer) <= want
            with memoryview(buffer) as view:
                piece = bytes(view[:want])
            del buffer[:want]
            framed = self.split(piece, final=final)
            if not (len(framed.records) or final or framed.broken):
                # Not one whole record (a VB block can be longer than ``want``): read more first.
                buffer[0:0] = piece
                want *= 2
                continue
            buffer[0:0] = framed.remainder
            for first in range(0, len(framed.records), batch_records):
                part = slice(first, first + batch_records)
                lengths = None if framed.lengths is None else framed.lengths[part]
                yield self.decode(framed.records[part], lengths, start=start + first)
            start += len(framed.records)
            if final or framed.broken:
                return

    # -- decoding -------------------------------------------------------------------------------
    def decode(self, records: np.ndarray | Framed, lengths: np.ndarray | None = None, *, start: int = 0
               ) -> DecodedBatch:
        """Decode a 2-D uint8 array of records (or a ``Framed``) into columns per record type.
        Bad data never raises: each bad field of each record is in ``batch.errors``."""
        if isinstance(records, Framed):
            records, lengths = records.records, records.lengths
        n = records.shape[0]
        types = self._classify(records)
        rejects = Rejects.collector()
        if lengths is not None:
            unframed = lengths == BAD_FRAME
            types[unframed] = -1
            rejects.add(np.flatnonzero(unframed), "", Reason.BAD_RDW)
            rejects.add(np.flatnonzero(lengths > self.lrecl), "", Reason.LONG_RECORD)
        rejects.add(np.flatnonzero((types == -1) & (lengths != BAD_FRAME if lengths is not None else True)),
                    "", Reason.UNKNOWN_RECORD_TYPE)
        parts: dict[str, Part] = {}
        for t, plan in enumerate(self._plans):
            index, sub = self._rows(records, types, t, n)
            if plan.rtype.shapes is not None:
                columns, absent, counts = decode_shapes(
                    plan.rtype, sub, index, None if lengths is None else lengths[index],
                    lambda shape, t=t: self._shape_plan(t, shape), plan, self._codec_of, rejects)
                parts[plan.rtype.name] = Part(plan.rtype, index, columns, absent, counts)
                continue
            short = np.zeros(index.size, bool)
            if lengths is not None:
                short = (lengths[index] < plan.rtype.length) & (lengths[index] != BAD_FRAME)
                rejects.add(index[short], "", Reason.SHORT_RECORD)
            columns: dict[str, np.ndarray] = {}
            for f, codec in plan.decode:
                values, reasons = codec.decode(sub[:, f.offset: f.end])
                columns[f.name] = values
                # A short record's missing bytes are padding: only SHORT_RECORD is reported.
                bad = np.flatnonzero((reasons != 0) & ~short)
                rejects.add(index[bad], f.name, reasons[bad])
            parts[plan.rtype.name] = Part(plan.rtype, index, columns)
        return DecodedBatch(start, records, lengths, types, parts, rejects.build(), self.layout, self.codepage)

    def _classify(self, records: np.ndarray) -> np.ndarray:
        n = records.shape[0]
        selector = self.layout.selector
        if selector is None:
            return np.zeros(n, np.int16)
        default = -1 if selector.default is None else [t.name for t in self.layout.record_types].index(selector.default)
        types = np.full(n, default, np.int16)
        cells = records[:, selector.offset: selector.offset + selector.length]
        for value, t in self._selector:
            types[(cells == value).all(axis=1)] = t
        return types

    @staticmethod
    def _rows(records: np.ndarray, types: np.ndarray, t: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        if (types == t).all():
            return np.arange(n), records
        index = np.flatnonzero(types == t)
        # Details usually sit in one run between header and trailer: a slice is a view, not a copy.
        if index.size and index[-1] - index[0] + 1 == index.size:
            return index, records[index[0]: index[-1] + 1]
        return index, records[index]

    def raw(self, records: np.ndarray, name: str, record_type: str | None = None) -> np.ndarray:
        """The undecoded (n, length) bytes of a field, e.g. a caller reference to copy as is."""
        f = self.layout.record_type(record_type).field(name)
        return records[:, f.offset: f.end]

    # -- encoding -------------------------------------------------------------------------------
    def encode_records(self, columns: Mapping[str, Any], record_type: str | None = None) -> np.ndarray:
        """Columns -> (n, record length) uint8 records of one type, unframed. Fields without a
        column get blanks / zeros (the type field: its selector value). Raises EncodeError.
        OCCURS DEPENDING ON: each record's shape comes from its counter columns; shorter shapes
        are padded with spaces to the longest (``encode`` writes each at its own length)."""
        return self._encode(columns, record_type)[0]

    def _encode(self, columns: Mapping[str, Any], record_type: str | None) -> tuple[np.ndarray, np.ndarray | None]:
        t = self.layout.record_types.index(self.layout.record_type(record_type))
        plan = self._plans[t]
        known = {f.name for f, _ in plan.encode}
        if unknown := set(columns) - known:
            raise ValueError(f"record type {plan.rtype.name} has no fields {sorted(unknown)}")
        sizes = {len(v) for v in columns.values()}
        if len(sizes) > 1:
            raise ValueError(f"columns differ in length: {sorted(sizes)}")
        n = sizes.pop() if sizes else 0
        if plan.rtype.shapes is not None:
            return encode_shapes(plan.rtype, columns, n, lambda shape: self._shape_plan(t, shape), self._fill,
                                 self.codepage.space)
        out = np.tile(plan.template, (n, 1))
        self._fill(plan, out, columns, None)
        return out, None

    @staticmethod
    def _fill(plan: _Plan, out: np.ndarray, columns: Mapping[str, Any], rows: np.ndarray | None) -> None:
        """Encode the given columns (their ``rows``, or all) into ``out``, field by field."""
        for f, codec in plan.encode:
            if f.name not in columns:
                continue
            column = columns[f.name] if rows is None else np.asarray(columns[f.name])[rows]
            try:
                out[:, f.offset: f.end] = codec.encode(codec.prepare(column, f.scale))
            except EncodeError as exc:
                where = exc.rows if rows is None else rows[list(exc.rows)]
                raise EncodeError(f.name, exc.reason, where, exc.detail) from None

    def encode(self, columns: Mapping[str, Any], record_type: str | None = None) -> bytes:
        """Columns -> framed bytes (F: padded to LRECL, line ends; V: RDWs; VB: BDWs)."""
        records, lengths = self._encode(columns, record_type)
        return self.framer.join(records, self.codepage.space, lengths)
