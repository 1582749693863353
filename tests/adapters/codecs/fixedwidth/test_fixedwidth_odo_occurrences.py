"""OCCURS ... DEPENDING ON whose counter sits in each occurrence of an outer table (Cobrix's
test21 shape): every outer occurrence is as long as its own count makes it, and the records are
grouped by their whole vector of counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoregate.adapters.codecs.fixedwidth import EncodeError, LayoutError, RecordCodec, parse_copybook

ORDERS = """
       01  ORDER-REC.
           05  N-LINES    PIC 9.
           05  ORDER-LINE OCCURS 0 TO 2 TIMES DEPENDING ON N-LINES.
               10  N-TAGS PIC 9.
               10  TAG    PIC X OCCURS 0 TO 3 TIMES DEPENDING ON N-TAGS.
           05  TOTAL      PIC 9(3).
"""


def _v(*records: bytes) -> bytes:
    return b"".join((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r for r in records)


@pytest.fixture(scope="module")
def codec() -> RecordCodec:
    return RecordCodec(parse_copybook(ORDERS), "latin-1", "V")


def test_one_count_per_outer_occurrence() -> None:
    rtype = parse_copybook(ORDERS).record_type()
    assert rtype.length == 1 + 2 * 4 + 3  # the longest: both lines, three tags each
    tables = rtype.shapes.tables
    assert [(t.table, t.counter, t.minimum, t.maximum) for t in tables] == [
        ("ORDER-LINE", "N-LINES", 0, 2), ("TAG(1)", "N-TAGS(1)", 0, 3), ("TAG(2)", "N-TAGS(2)", 0, 3)]
    # The second line starts where the first one's own tags end.
    shape = rtype.shapes.record_type((2, 1, 3))
    assert [(f.name, f.offset) for f in shape.fields] == [
        ("N-LINES", 0), ("N-TAGS(1)", 1), ("TAG(1,1)", 2), ("N-TAGS(2)", 3), ("TAG(2,1)", 4), ("TAG(2,2)", 5),
        ("TAG(2,3)", 6), ("TOTAL", 7)]
    # A line past N-LINES has no count: whatever is given for it, the shape is the same.
    assert rtype.shapes.record_type((1, 2, 7)).fields == rtype.shapes.record_type((1, 2, 0)).fields
    assert "OCCURS 0 TO 3 DEPENDING ON N-TAGS(2)" in parse_copybook(ORDERS).describe()


def test_a_v_file_decodes_each_occurrence_at_its_own_length(codec: RecordCodec) -> None:
    data = _v(b"21A3BCD042", b"0007", b"12XY100", b"3", b"15", b"2111X")
    batch = codec.decode(codec.split(data, final=True))
    cols, part = batch.columns, batch.parts["ORDER-REC"]
    assert part.counts.tolist() == [[2, 1, 3], [0, 0, 0], [1, 2, 0], [-1, -1, -1], [1, -1, -1], [2, 1, 1]]
    assert [cols["TAG(1,1)"][0], cols["TAG(2,3)"][0], cols["TOTAL"][0]] == ["A", "D", 42]
    assert cols["TOTAL"][1] == 7 and cols["TAG(1,2)"][2] == "Y" and cols["TOTAL"][2] == 100
    assert part.absent["TAG(2,1)"].tolist() == [False, True, True, True, True, False]
    assert part.absent["N-TAGS(2)"].tolist() == [False, True, True, True, True, False]
    # Bad counts reject their record naming the counter of that occurrence; a cut record is short.
    assert [(e.record, e.field, e.reason) for e in batch.errors] == [
        (3, "N-LINES", "BAD_ODO_COUNT"), (4, "N-TAGS(1)", "BAD_ODO_COUNT"), (5, "", "SHORT_RECORD")]


def test_encode_writes_each_record_at_its_vector_length(codec: RecordCodec) -> None:
    columns = {"N-LINES": [2, 0, 1], "N-TAGS(1)": [1, 0, 2], "N-TAGS(2)": [3, 9, 9],
               "TAG(1,1)": ["A", "", "X"], "TAG(1,2)": ["", "", "Y"], "TAG(2,1)": ["B", "", ""],
               "TAG(2,2)": ["C", "", ""], "TAG(2,3)": ["D", "", ""], "TOTAL": [42, 7, 100]}
    # N-TAGS(2) of 9 on records without a second line is never looked at: the line is absent.
    assert codec.encode(columns) == _v(b"21A3BCD042", b"0007", b"12XY100")
    with pytest.raises(EncodeError, match=r"N-TAGS\(2\): OCCURS_OUT_OF_RANGE in row"):
        codec.encode({**columns, "N-LINES": [2, 0, 2]})


def test_records_are_grouped_by_their_whole_count_vector(codec: RecordCodec) -> None:
    vectors = [b"0", b"1" b"0", b"1" b"2XY", b"2" b"1A" b"0", b"2" b"0" b"3BCD"]
    records = [vectors[i % len(vectors)] + b"%03d" % i for i in range(500)]
    batch = codec.decode(codec.split(_v(*records), final=True))
    assert len(batch.errors) == 0
    counts = batch.parts["ORDER-REC"].counts
    assert len({tuple(c) for c in counts.tolist()}) == len(vectors)
    assert batch.columns["TOTAL"].tolist() == list(range(500))
    assert batch.columns["TAG(2,3)"][4] == "D" and batch.columns["TAG(1,1)"][3] == "A"


def test_a_counter_in_a_table_that_does_not_hold_the_table_is_refused() -> None:
    with pytest.raises(LayoutError, match="line 4.*inside a table that does not hold TAG"):
        parse_copybook("01 R.\n 05 L OCCURS 2.\n  10 N PIC 9.\n 05 TAG PIC X OCCURS 0 TO 3 DEPENDING ON N.")


@st.composite
def orders(draw):
    n = draw(st.integers(1, 12))
    lines = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    cols = {"N-LINES": lines, "TOTAL": draw(st.lists(st.integers(0, 999), min_size=n, max_size=n))}
    for i in (1, 2):
        cols[f"N-TAGS({i})"] = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
        for j in (1, 2, 3):
            cols[f"TAG({i},{j})"] = draw(st.lists(st.text("ABC", max_size=1), min_size=n, max_size=n))
    return {k: np.array(v) for k, v in cols.items()}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders(), st.sampled_from([("V", {}), ("VB", {"block_descriptors": True}), ("FB", {}), ("LS", {})]))
def test_records_round_trip(columns: dict, framing) -> None:
    recfm, options = framing
    codec = RecordCodec(parse_copybook(ORDERS), "cp037", recfm, **options)
    encoded = codec.encode(columns)
    batch = codec.decode(codec.split(encoded, final=True))
    assert len(batch.errors) == 0, batch.explain()
    part = batch.parts["ORDER-REC"]
    for name, given_values in columns.items():
        present = ~part.absent.get(name, np.zeros(len(given_values), bool))
        assert part.columns[name][present].tolist() == given_values[present].tolist(), name
    lines, tags = columns["N-LINES"], columns["N-TAGS(2)"]
    absent = part.absent.get("TAG(2,2)", np.zeros(len(lines), bool))  # no mask: every record has it
    assert absent.tolist() == ((lines < 2) | (tags < 2)).tolist()
    assert codec.encode({k: part.columns[k] for k in columns}) == encoded


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_decoding_arbitrary_bytes_never_raises(data: bytes) -> None:
    codec = RecordCodec(parse_copybook(ORDERS), "latin-1", "V")
    batch = codec.decode(codec.split(data, final=True))
    assert len(batch.explain()) == len(batch.errors)


def test_cobrix_test21_records_read_as_cobrix_reads_them() -> None:
    """Cobrix's own case for this shape (Apache-2.0): its data/test21_data/data.dat, five records
    back to back, and the values of data/test21_expected/test21.txt. Each record is framed here by
    the length its counts give (Cobrix's variable-size OCCURS reading)."""
    copybook = Path(__file__).parents[3] / "data" / "copybooks" / "cobrix-test21.cpy"
    layout = parse_copybook(copybook.read_text(encoding="latin-1"))
    codec, rtype = RecordCodec(layout, "latin-1", "F"), layout.record_type()
    data, at, got = b"010" b"12AB" b"21A2BC" b"21A1B", 0, []
    while at < len(data):
        window = np.frombuffer(data[at: at + rtype.length].ljust(rtype.length), np.uint8)[None]
        batch = codec.decode(window, np.array([min(rtype.length, len(data) - at)]))
        assert len(batch.errors) == 0, batch.explain()
        count = int(batch.columns["COUNT"][0])
        got.append((count, [(int(batch.columns[f"INNER-COUNT({g})"][0]),
                             [str(batch.columns[f"FIELD({g},{i})"][0])
                              for i in range(1, int(batch.columns[f"INNER-COUNT({g})"][0]) + 1)])
                            for g in range(1, count + 1)]))
        at += rtype.shapes.record_type(tuple(int(c) for c in batch.parts["RECORD"].counts[0])).length
    assert got == [(0, []), (1, [(0, [])]), (1, [(2, ["A", "B"])]), (2, [(1, ["A"]), (2, ["B", "C"])]),
                   (2, [(1, ["A"]), (1, ["B"])])]
