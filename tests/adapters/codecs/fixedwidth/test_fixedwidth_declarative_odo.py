"""The plain declarative layout's variable tables (``depending_on``): the same shapes and bytes as
the copybook that says the same thing, and the mistakes refused in one line."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scoregate.adapters.codecs.fixedwidth import LayoutError, RecordCodec, layout_from_spec, parse_copybook

COPYBOOK = """
       01  RECORD.
           05  CUST-ID   PIC X(4).
           05  N-ACCTS   PIC 9(2).
           05  N-NOTES   PIC S9(3) COMP-3.
           05  BALANCE   PIC S9(5)V99 COMP-3
                         OCCURS 0 TO 5 DEPENDING ON N-ACCTS.
           05  NOTE      PIC X(2) OCCURS 1 TO 3
                         DEPENDING ON N-NOTES.
           05  SCORE     PIC 9(3).
"""
SPEC = {"fields": [
    {"name": "CUST-ID", "type": "text", "length": 4},
    {"name": "N-ACCTS", "type": "zoned", "digits": 2},
    {"name": "N-NOTES", "type": "packed", "digits": 3, "signed": True},
    {"name": "BALANCE", "type": "packed", "digits": 7, "scale": 2, "signed": True, "occurs": 5,
     "depending_on": "N-ACCTS"},
    {"name": "NOTE", "type": "text", "length": 2, "occurs": 3, "occurs_min": 1, "depending_on": "N-NOTES"},
    {"name": "SCORE", "type": "zoned", "digits": 3},
]}


def test_the_same_shapes_and_bytes_as_the_copybook() -> None:
    spec, cobol = layout_from_spec(SPEC).record_type(), parse_copybook(COPYBOOK).record_type()
    assert [(t.table, t.counter, t.minimum, t.maximum) for t in spec.shapes.tables] == [
        (t.table, t.counter, t.minimum, t.maximum) for t in cobol.shapes.tables]
    for counts in [(0, 1), (2, 3), (5, 1), (3, 2)]:
        assert [replace(f, line=None) for f in spec.shapes.record_type(counts).fields] == [
            replace(f, line=None) for f in cobol.shapes.record_type(counts).fields]
    columns = {"CUST-ID": ["C1", "C2", "C3"], "N-ACCTS": [0, 2, 5], "N-NOTES": [1, 3, 2],
               "BALANCE(1)": [0, 12345, -1], "BALANCE(2)": [0, -50, 2], "NOTE(1)": ["A", "B", "C"],
               "NOTE(2)": ["", "D", "E"], "NOTE(3)": ["", "F", ""], "SCORE": [1, 2, 3]}
    encoded = RecordCodec(layout_from_spec(SPEC), "cp037", "VB").encode(columns)
    assert encoded == RecordCodec(parse_copybook(COPYBOOK), "cp037", "VB").encode(columns)
    codec = RecordCodec(layout_from_spec(SPEC), "cp037", "VB")
    batch = codec.decode(codec.split(encoded, final=True))
    assert len(batch.errors) == 0 and batch.columns["SCORE"].tolist() == [1, 2, 3]
    assert batch.parts["RECORD"].absent["NOTE(3)"].tolist() == [True, False, True]
    with pytest.raises(ValueError, match="outside 1 to 3"):
        layout_from_spec(SPEC).record_type().shapes.record_type((1, 0))


def _with(i: int, **change) -> dict:
    fields = [dict(f) for f in SPEC["fields"]]
    fields[i].update(change)
    return {"fields": fields}


@pytest.mark.parametrize(("spec", "message"), [
    (_with(3, depending_on="SCORE"), "depending_on 'SCORE' is not an earlier field of record RECORD"),
    (_with(3, depending_on="CUST-ID"), "depending_on CUST-ID must be a single integer"),
    (_with(1, scale=1), "depending_on N-ACCTS must be a single integer"),
    (_with(5, offset=40), "field SCORE: a field after a depending_on table cannot give an offset"),
    (_with(0, occurs_min=1), "occurs_min needs depending_on"),
    (_with(3, occurs_min=6), "occurs_min 6 must be between 0 and occurs"),
    ({"record_types": [{"length": 60, **_with(0)}]}, "a record with depending_on tables takes its length from them"),
])
def test_mistakes_are_one_line(spec: dict, message: str) -> None:
    with pytest.raises(LayoutError, match=message):
        layout_from_spec(spec)


def test_a_fixed_table_keeps_its_explicit_offsets() -> None:
    layout = layout_from_spec({"fields": [{"name": "A", "type": "text", "length": 2, "occurs": 2},
                                          {"name": "B", "type": "zoned", "digits": 2, "offset": 10}]})
    assert layout.record_type().shapes is None and layout.record_type().field("B").offset == 10
    assert np.array_equal([f.offset for f in layout.record_type().fields], [0, 2, 10])
