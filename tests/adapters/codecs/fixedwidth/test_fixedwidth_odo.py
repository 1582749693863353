"""OCCURS ... DEPENDING ON: variable tables and the fields after them, decoded by shape and written back."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoregate.adapters.codecs.fixedwidth import EncodeError, RecordCodec, parse_copybook

CUSTOMER = """
       01  CUST-REC.
           05  CUST-ID        PIC X(4).
           05  N-ACCTS        PIC 9(2).
           05  N-NOTES        PIC S9(3) COMP-3.
           05  ACCT OCCURS 0 TO 5 TIMES DEPENDING ON N-ACCTS.
               10  ACCT-NO    PIC X(3).
               10  BALANCE    PIC S9(5)V99 COMP-3.
           05  NOTE  PIC X(2) OCCURS 1 TO 3 DEPENDING ON N-NOTES.
           05  SCORE-HINT     PIC 9(3).
"""

# Hand-computed cp037 bytes, one record per shape:
#  C001: CUST-ID "C001" C3F0F0F1 | N-ACCTS "02" F0F2 | N-NOTES +1 packed 001C |
#        ACCT(1) "A01" C1F0F1, BALANCE +123.45 = 0012345C | ACCT(2) "B02" C2F0F2, -0.50 = 0000050D |
#        NOTE(1) "OK" D6D2 | SCORE-HINT 007 F0F0F7: 27 bytes, RDW 31 = 001F0000
#  C002: no accounts, three notes: C3F0F0F2 F0F0 003C C1C1 C2C2 C3C3 F1F0F0: 17 bytes, RDW 0015
C001 = "C3F0F0F1" "F0F2" "001C" "C1F0F1" "0012345C" "C2F0F2" "0000050D" "D6D2" "F0F0F7"
C002 = "C3F0F0F2" "F0F0" "003C" "C1C1" "C2C2" "C3C3" "F1F0F0"
TOO_MANY = "C3F0F0F3" "F0F7" "001C" "C1F0F1"  # N-ACCTS 07: the table holds at most 5
NO_NOTE = "C3F0F0F4" "F0F0" "000C" "F0F0F0"  # N-NOTES 0: at least 1


def _vb(*records: str) -> bytes:
    out = b""
    for hexed in records:
        data = bytes.fromhex(hexed)
        out += (len(data) + 4).to_bytes(2, "big") + b"\0\0" + data
    return out


@pytest.fixture(scope="module")
def codec() -> RecordCodec:
    return RecordCodec(parse_copybook(CUSTOMER), "cp037", "V")


# (counts, field, offset, length): the fields after a table move with its count.
SHAPES = [
    ((5, 3), "SCORE-HINT", 49, 3),
    ((2, 1), "SCORE-HINT", 24, 3),
    ((2, 1), "NOTE(1)", 22, 2),
    ((0, 3), "NOTE(3)", 12, 2),
    ((0, 1), "SCORE-HINT", 10, 3),
    ((3, 2), "BALANCE(3)", 25, 4),
]


@pytest.mark.parametrize(("counts", "name", "offset", "length"), SHAPES)
def test_each_shape_is_a_fixed_layout(counts, name: str, offset: int, length: int) -> None:
    rtype = parse_copybook(CUSTOMER).record_type()
    assert rtype.length == 52 and rtype.shapes is not None  # the longest record: every table full
    assert [(t.counter, t.minimum, t.maximum) for t in rtype.shapes.tables] == [("N-ACCTS", 0, 5), ("N-NOTES", 1, 3)]
    shape = rtype.shapes.record_type(counts)
    f = shape.field(name)
    assert (f.offset, f.length) == (offset, length)
    assert shape.length == 4 + 2 + 2 + 7 * counts[0] + 2 * counts[1] + 3
    assert "ACCT-NO(4)" not in {g.name for g in shape.fields} or counts[0] >= 4
    assert "(ACCT)" in parse_copybook(CUSTOMER).describe() and "OCCURS 1 TO 3 DEPENDING ON N-NOTES" in \
        parse_copybook(CUSTOMER).describe()


def test_a_vb_file_decodes_each_record_at_its_own_offsets(codec: RecordCodec) -> None:
    batch = codec.decode(codec.split(_vb(C001, C002, TOO_MANY, NO_NOTE), final=True))
    cols = batch.columns
    assert cols["CUST-ID"][:2].tolist() == ["C001", "C002"]
    assert cols["BALANCE(1)"][0] == 12345 and cols["BALANCE(2)"][0] == -50
    assert cols["ACCT-NO(2)"][0] == "B02" and cols["NOTE(1)"][0] == "OK"
    assert cols["NOTE(3)"][1] == "CC" and cols["SCORE-HINT"][:2].tolist() == [7, 100]
    part = batch.parts["CUST-REC"]
    assert part.counts is not None and part.counts[:2].tolist() == [[2, 1], [0, 3]]
    assert part.absent["ACCT-NO(1)"].tolist() == [False, True, True, True]
    assert part.absent["NOTE(2)"].tolist() == [True, False, True, True]
    assert np.isnan(part.real_columns()["BALANCE(3)"][0]) and part.real_columns()["BALANCE(1)"][0] == 123.45
    # Out-of-range counts reject their record with the counter named; the others decode.
    assert [(r.record, r.field, r.reason) for r in batch.errors] == [
        (2, "N-ACCTS", "BAD_ODO_COUNT"), (3, "N-NOTES", "BAD_ODO_COUNT")]
    assert "N-ACCTS (offset 4, 9(2) zoned)" in batch.explain()[0].message


def test_a_batch_without_records_of_the_odo_type(codec: RecordCodec) -> None:
    framed = codec.split(b"\xc8\xc8\xc8\xc8" * 3, final=True)  # no RDW: framing lost at once
    batch = codec.decode(framed)
    assert framed.broken and [r.reason for r in batch.errors] == ["BAD_RDW"]
    assert batch.parts["CUST-REC"].counts.shape == (0, 2)


def test_short_record_and_bad_field_name_the_shape_offsets(codec: RecordCodec) -> None:
    short = C001[:-6]  # SCORE-HINT cut off
    bad = C002[:-6] + "F140F0"  # SCORE-HINT "1 0": a space where a digit belongs
    batch = codec.decode(codec.split(_vb(short, bad), final=True))
    explained = batch.explain()
    assert [(e.record, e.field, e.reason) for e in explained] == [
        (0, "", "SHORT_RECORD"), (1, "SCORE-HINT", "BAD_ZONED_DIGIT")]
    assert "24 bytes, record type CUST-REC needs 27" in explained[0].message
    assert "SCORE-HINT (offset 14, 9(3) zoned)" in explained[1].message and "F140F0" in explained[1].message


def test_encode_writes_each_record_at_its_shape_length(codec: RecordCodec) -> None:
    columns = {
        "CUST-ID": ["C001", "C002"], "N-ACCTS": [2, 0], "N-NOTES": [1, 3],
        "ACCT-NO(1)": ["A01", "x"], "BALANCE(1)": [Decimal("123.45"), 0], "ACCT-NO(2)": ["B02", ""],
        "BALANCE(2)": [Decimal("-0.50"), 0], "NOTE(1)": ["OK", "AA"], "NOTE(2)": ["", "BB"], "NOTE(3)": ["", "CC"],
        "SCORE-HINT": [7, 100],
    }
    assert codec.encode(columns) == _vb(C001, C002)
    fixed = RecordCodec(codec.layout, "cp037", "FB")
    records = fixed.encode(columns)
    assert len(records) == 104 and records[27:52] == b"\x40" * 25  # F: padded to the longest shape
    assert fixed.decode(fixed.split(records, final=True)).columns["NOTE(3)"][1] == "CC"
    with pytest.raises(EncodeError, match="N-ACCTS: OCCURS_OUT_OF_RANGE in row"):
        codec.encode({**columns, "N-ACCTS": [2, 6]})


def test_vb_blocks_of_varying_records() -> None:
    codec = RecordCodec(parse_copybook(CUSTOMER), "cp037", "VB", block_descriptors=True, block_size=64)
    n = 9
    counts = np.arange(n) % 6
    data = codec.encode({"CUST-ID": [f"C{i:03d}" for i in range(n)], "N-ACCTS": counts, "N-NOTES": np.ones(n, int),
                         "SCORE-HINT": np.arange(n)})
    blocks, pos = [], 0
    while pos < len(data):
        size = int.from_bytes(data[pos: pos + 2], "big")
        blocks.append(size)
        pos += size
    assert pos == len(data) and max(blocks) <= 64 and len(blocks) > 2
    batch = codec.decode(codec.split(data, final=True))
    assert len(batch.errors) == 0 and batch.parts["CUST-REC"].counts[:, 0].tolist() == counts.tolist()


NESTED = """
       01  ORDER-REC.
           05  N-LINES   PIC 9.
           05  N-TAGS    PIC 9.
           05  ORDER-LINE OCCURS 1 TO 3 DEPENDING ON N-LINES.
               10  SKU   PIC X(2).
               10  TAG   PIC X OCCURS 0 TO 2 DEPENDING ON N-TAGS.
           05  TOTAL     PIC 9(3).
"""


def test_nested_tables_share_their_counts() -> None:
    layout = parse_copybook(NESTED)
    assert layout.width == 2 + 3 * 4 + 3
    shape = layout.record_type().shapes.record_type((2, 1))
    assert [(f.name, f.offset) for f in shape.fields] == [
        ("N-LINES", 0), ("N-TAGS", 1), ("SKU(1)", 2), ("TAG(1,1)", 4), ("SKU(2)", 5), ("TAG(2,1)", 7), ("TOTAL", 8)]
    codec = RecordCodec(layout, "latin-1", "V")
    # "21" counts, lines "AAx" "BBy", total 042: 11 bytes.
    batch = codec.decode(codec.split(b"\x00\x0f\x00\x0021AAxBBy042", final=True))
    assert batch.columns["TAG(2,1)"][0] == "y" and batch.columns["TOTAL"][0] == 42
    assert batch.parts["ORDER-REC"].absent["TAG(1,2)"][0]


@st.composite
def customers(draw):
    n = draw(st.integers(1, 20))
    cols: dict = {"CUST-ID": [draw(st.text("ABC0123", max_size=4)) for _ in range(n)],
                  "N-ACCTS": draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)),
                  "N-NOTES": draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)),
                  "SCORE-HINT": draw(st.lists(st.integers(0, 999), min_size=n, max_size=n))}
    for i in range(1, 6):
        cols[f"ACCT-NO({i})"] = [draw(st.text("XYZ9", max_size=3)) for _ in range(n)]
        cols[f"BALANCE({i})"] = draw(st.lists(st.integers(-9999999, 9999999), min_size=n, max_size=n))
    for i in range(1, 4):
        cols[f"NOTE({i})"] = [draw(st.text("NO", max_size=2)) for _ in range(n)]
    return {k: np.array(v) for k, v in cols.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customers(), st.sampled_from(["V", "VB", "FB"]))
def test_odo_records_round_trip(columns: dict, recfm: str) -> None:
    codec = RecordCodec(parse_copybook(CUSTOMER), "cp037", recfm, block_descriptors=recfm == "VB")
    batch = codec.decode(codec.split(codec.encode(columns), final=True))
    assert len(batch.errors) == 0, batch.explain()
    part = batch.parts["CUST-REC"]
    for name, given_values in columns.items():
        present = ~part.absent.get(name, np.zeros(len(given_values), bool))
        assert part.columns[name][present].tolist() == given_values[present].tolist(), name
    accts = columns["N-ACCTS"]
    assert part.absent.get("BALANCE(3)", np.zeros(len(accts), bool)).tolist() == (accts < 3).tolist()


KINDS = """
       01  R.
           05  N        PIC 9.
           05  AMT      PIC $$,$$9.99CR OCCURS 0 TO 3 DEPENDING ON N.
           05  RATE     COMP-1.
           05  NAME     PIC N(2).
           05  BIG      PIC S9(20) COMP-3.
"""


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([("V", {}), ("FB", {}), ("VBS", {"block_descriptors": True}),
                                                  ("LS", {})]))
def test_decoding_arbitrary_bytes_never_raises(data: bytes, framing) -> None:
    recfm, options = framing
    for text in (CUSTOMER, KINDS):
        codec = RecordCodec(parse_copybook(text), "cp037", recfm, **options)
        batch = codec.decode(codec.split(data, final=True))
        assert len(batch.explain()) == len(batch.errors)
        part = next(iter(batch.parts.values()))
        good = ~batch.bad[part.index]
        if good.any():  # what decoded cleanly writes back to the same values
            columns = {k: v[good] for k, v in part.columns.items()}
            again = codec.decode(codec.split(codec.encode(columns), final=True))
            assert len(again.errors) == 0, again.explain()
            back = next(iter(again.parts.values()))
            for k, v in columns.items():
                present = ~back.absent.get(k, np.zeros(len(v), bool))
                assert back.columns[k][present].tolist() == v[present].tolist(), k
