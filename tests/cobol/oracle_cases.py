"""The oracle's cases: a copybook, the program's view of it, the values it writes; and both
directions of the comparison (a COBOL program writes and scoregate decodes, scoregate encodes and
the program reads). The test modules say which copybooks and why."""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import numpy as np

from scoregate.adapters.codecs.fixedwidth import Field, Kind, Layout, RecordCodec, RecordType, parse_copybook

from corpus import WRAPPER
from gnucobol import DATA_FILE, Compiler, Shape, Slot, cobol_ref, parse_display, program, shift, staging_picture

NOT_COMPILED = {
    # Copybooks no COBOL compiler takes as they stand (the engine parses them).
    "ibm-zopeneditor-CUSTCOPY.cpy": "its names carry a COPY REPLACING tag, ':TAG:-REC'",
    "cobrix-test10.cpy": "its level numbers start in column 7, the indicator area",
    "cobrix-test12.cpy": "its level numbers start in column 7, the indicator area",
    # Parsed since the engine reads OCCURS DEPENDING ON; oracle/odo.cpy is the ODO case.
    "cobrix-test1.cpy": "a data name GnuCOBOL reserves (ID), and the generated values ignore its ODO count",
    "cobrix-test15.cpy": "a data name GnuCOBOL reserves (ID), and the generated values ignore its ODO count",
}
RESERVED_NAMES = {"ADDRESS", "CURRENCY", "RECORD"}
"""Reserved words some copybooks (Cobrix's) use as data names: compiled with -fnot-reserved."""
ALPHABET = string.ascii_letters + string.digits + " -.,/"
Values = dict[str, "str | Decimal"]


@dataclass(frozen=True)
class Case:
    """A copybook and the program's view of it."""

    text: str
    wrapper: str | None
    width: int
    shapes: list[Shape]
    writes: list[tuple[int, Values]]
    names: tuple[str, ...] = ()
    """Reserved words the copybook uses as data names."""
    unread: frozenset[str] = frozenset()
    """Fields GnuCOBOL cannot read back exactly (left out of the reading direction)."""
    options: tuple[str, ...] = ()
    """cobc options after the IBM ones."""

    def build(self, cobol: Compiler) -> Path:
        return cobol.build(self.source(), self.names, self.options)

    def source(self) -> str:
        return program(self.text, self.wrapper, self.width, self.shapes, self.writes)


# -- cases from the engine's layout (the constructs it supports) -----------------------------------

def _roots(text: str) -> list[str]:
    """The 01 records of a copybook (fixed format), by name."""
    code = "\n".join(line[7:72] for line in text.expandtabs(8).splitlines() if len(line) > 7 and line[6] not in "*/")
    return re.findall(r"^\s*0?1\s+([A-Za-z0-9:_-]+)", code, flags=re.MULTILINE)


def settable(rtype: RecordType) -> list[Field]:
    return [f for f in rtype.data_fields if not f.redefines]


def _shapes(layout: Layout, roots: list[str]) -> list[Shape]:
    common = set.intersection(*({f.name for f in t.data_fields} for t in layout.record_types))
    shapes = []
    for t in layout.record_types:
        root = t.name if len(roots) > 1 else (roots[0] if roots else WRAPPER)
        slots = []
        for f in settable(t):
            qualifier = t.name if len(roots) > 1 or f.name not in common else root
            picture = None if f.kind is Kind.TEXT else staging_picture(f.digits, f.scale, f.signed)
            slots.append(Slot(f.name, cobol_ref(f.name, qualifier), picture))
        shapes.append(Shape(root, tuple(slots), t.name))
    return shapes


def _value(slot: Slot, length: int, style: str, rng: random.Random) -> str | Decimal:
    if slot.picture is None:
        size = {"max": length, "min": 0}.get(style, rng.randint(0, length))
        return "".join(rng.choice(ALPHABET) for _ in range(size)).rstrip(" ")
    signed, digits, scale = slot.sign_digits_scale
    top = 10 ** (digits + scale) - 1
    low = -top if signed else 0
    scaled = {"max": top, "min": low}.get(style, rng.randint(low, top))
    return shift(scaled, -scale)


def known_values(shape: Shape, rtype: RecordType, seed: int) -> list[Values]:
    """Three records: every field at its largest, at its smallest (empty text), then random."""
    rng = random.Random(seed)
    return [{s.name: _value(s, rtype.field(s.name).length, style, rng) for s in shape.slots}
            for style in ("max", "min", "random")]


def engine_case(text: str, seed: int = 1) -> tuple[Case, Layout]:
    roots = _roots(text)
    layout = parse_copybook(text, name=WRAPPER)
    shapes = _shapes(layout, roots)
    writes = [(k, v) for k, (s, t) in enumerate(zip(shapes, layout.record_types, strict=True))
              for v in known_values(s, t, seed)]
    words = set(re.findall(r"[A-Z][A-Z0-9-]*", "\n".join(line[7:72] for line in text.upper().splitlines())))
    names = tuple(sorted(RESERVED_NAMES & words))
    return Case(text, None if roots else WRAPPER, layout.width, shapes, writes, names), layout


# -- scoregate's side -------------------------------------------------------------------------------

def as_gnucobol(rtype: RecordType) -> RecordType:
    """The record type as GnuCOBOL lays it out: COMP-5 in host (little-endian) byte order."""
    return replace(rtype, fields=tuple(replace(f, little_endian=True) if f.kind is Kind.BINARY and f.native else f
                                       for f in rtype.fields))


def _codec(layout: Layout, shape: Shape, width: int) -> RecordCodec:
    rtype = as_gnucobol(layout.record_type(shape.record_type if len(layout.record_types) > 1 else None))
    return RecordCodec(Layout((rtype,), name=layout.name), "latin-1", "FB", lrecl=width,
                       fields=[s.name for s in shape.slots])


def _real(f: Field, value: object) -> str | Decimal:
    if f.kind is Kind.TEXT:
        return str(value)
    if isinstance(value, np.floating | float):
        return Decimal(repr(float(value)))
    if isinstance(value, Decimal):
        return value
    return shift(int(value), -f.scale)


def decode(layout: Layout, case: Case, data: bytes) -> list[Values]:
    """The values of the fields each written record set, as scoregate decodes them."""
    assert len(data) == len(case.writes) * case.width, f"{len(data)} bytes for {len(case.writes)} records"
    records = np.frombuffer(data, np.uint8).reshape(-1, case.width)
    out = []
    for i, (k, values) in enumerate(case.writes):
        codec = _codec(layout, case.shapes[k], case.width)
        batch = codec.decode(records[i: i + 1])
        assert not len(batch.errors), batch.explain(5)
        rtype = codec.layout.record_types[0]
        out.append({n: _real(rtype.field(n), batch.columns[n][0]) for n in values})
    return out


def differences(got: list[Values], expected: list[Values]) -> list[str]:
    """``record i field: got != expected`` for every value that differs."""
    assert len(got) == len(expected), f"{len(got)} records, expected {len(expected)}"
    return [f"record {i} {name}: {g.get(name)!r} != {value!r}"
            for i, (g, e) in enumerate(zip(got, expected, strict=True)) for name, value in e.items()
            if g.get(name) != value]


def encode(layout: Layout, shape: Shape, width: int, rows: list[Values]) -> bytes:
    codec = _codec(layout, shape, width)
    # An occurrence past its OCCURS DEPENDING ON count has no value in the row; any will do.
    columns = {s.name: np.array([r.get(s.name, 0 if s.picture else "") for r in rows], dtype=object if s.picture else str)
               for s in shape.slots}
    return codec.encode(columns)


# -- the two directions, shared by every case --------------------------------------------------------

def check_cobol_writes(cobol: Compiler, tmp_path: Path, case: Case, layout_of) -> None:
    exe = case.build(cobol)
    cobol.run(exe, "WRITE", tmp_path)
    layout = layout_of()
    assert layout.width == case.width, "scoregate and GnuCOBOL disagree on the record length"
    got = decode(layout, case, (tmp_path / DATA_FILE).read_bytes())
    assert not differences(got, [values for _, values in case.writes])


def check_cobol_reads(cobol: Compiler, tmp_path: Path, case: Case, layout: Layout, rows: dict[int, list[Values]]
                      ) -> None:
    exe = case.build(cobol)
    for k, expected in rows.items():
        if not case.shapes[k].slots:  # a heading of FILLER only: nothing to write or read
            continue
        (tmp_path / DATA_FILE).write_bytes(encode(layout, case.shapes[k], case.width, expected))
        shown = parse_display(cobol.run(exe, f"R{k}", tmp_path), case.shapes[k], case.shapes)
        assert not differences(shown, [{n: v.rstrip(" ") if isinstance(v, str) else v for n, v in r.items()
                                        if n not in case.unread} for r in expected])
