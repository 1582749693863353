"""Record formats seen in the field beyond F/FB/V/VB: text-mode lines (LS) and spanned VBS, and the
hints a wrong framing or code page guess gets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoregate.adapters.codecs.fixedwidth import RecordCodec, framing_hint, layout_from_spec

LAYOUT = layout_from_spec({"fields": [{"name": "ID", "type": "text", "length": 4},
                                      {"name": "AMT", "type": "zoned", "digits": 5, "signed": True,
                                       "sign_separate": True, "sign": "leading"},
                                      {"name": "NOTE", "type": "text", "length": 6}]})


def _pieces(codec: RecordCodec, data: bytes, size: int) -> tuple[list[str], list[str]]:
    """Decode ``data`` fed in pieces of ``size`` bytes: (IDs, reject reasons)."""
    ids, reasons = [], []
    for batch in codec.iter_batches([data[i: i + size] for i in range(0, len(data), size)], batch_records=3):
        ids += batch.columns["ID"].tolist()
        reasons += [r.reason for r in batch.errors]
    return ids, reasons


def test_text_mode_lines_are_padded_not_short() -> None:
    codec = RecordCodec(LAYOUT, "ascii", "LS")
    # A Windows transfer (CRLF), trailing blanks trimmed by the transfer, a missing last newline.
    data = b"A001+00012HELLO \r\nA002-00003\r\nA003+00001XY\nA004+00009LONGER-THAN-LRECL\nA005+00000"
    batch = codec.decode(codec.split(data, final=True))
    assert batch.columns["ID"].tolist() == ["A001", "A002", "A003", "A004", "A005"]
    assert batch.columns["AMT"].tolist() == [12, -3, 1, 9, 0]
    assert batch.columns["NOTE"].tolist() == ["HELLO", "", "XY", "LONGER", ""]
    assert [(r.record, r.reason) for r in batch.errors] == [(3, "LONG_RECORD")]
    assert codec.encode({"ID": ["B1"], "AMT": [5], "NOTE": ["Z"]}) == b"B1  +00005Z     \n"
    assert _pieces(codec, data, 7)[0] == ["A001", "A002", "A003", "A004", "A005"]


def _sdw(body: bytes, code: int) -> bytes:
    return (len(body) + 4).to_bytes(2, "big") + bytes([code, 0]) + body


def _bdw(*segments: bytes) -> bytes:
    inner = b"".join(segments)
    return (len(inner) + 4).to_bytes(2, "big") + b"\0\0" + inner


REC = [b"R001+00001AAAAAA", b"R002-00002BBBBBB", b"R003+00003CCCCCC"]


def test_vbs_records_spanning_segments_and_blocks_are_reassembled() -> None:
    codec = RecordCodec(LAYOUT, "latin-1", "VBS", block_descriptors=True)
    data = (_bdw(_sdw(REC[0], 0), _sdw(REC[1][:5], 1))  # R002 starts in block 1 ...
            + _bdw(_sdw(REC[1][5:9], 3))  # ... goes on in block 2 ...
            + _bdw(_sdw(REC[1][9:], 2), _sdw(REC[2], 0)))  # ... and ends in block 3
    batch = codec.decode(codec.split(data, final=True))
    assert batch.columns["ID"].tolist() == ["R001", "R002", "R003"] and len(batch.errors) == 0
    assert batch.columns["NOTE"].tolist() == ["AAAAAA", "BBBBBB", "CCCCCC"]
    for size in (1, 5, 13, 29):  # a chunk boundary anywhere, even inside a spanned record
        assert _pieces(codec, data, size) == (["R001", "R002", "R003"], []), size
    plain = RecordCodec(LAYOUT, "latin-1", "VS")
    assert _pieces(plain, _sdw(REC[0][:3], 1) + _sdw(REC[0][3:], 2) + _sdw(REC[2], 0), 4)[0] == ["R001", "R003"]


def test_vbs_out_of_sequence_segment_breaks_framing() -> None:
    codec = RecordCodec(LAYOUT, "latin-1", "VS")
    framed = codec.split(_sdw(REC[0], 0) + _sdw(REC[1][:5], 2), final=True)  # a last segment with no first
    assert framed.broken and framed.lengths.tolist() == [16, -1]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.text("ABC", min_size=1, max_size=4), st.integers(-99999, 99999)), min_size=1, max_size=30),
       st.sampled_from(["VBS", "LS"]), st.integers(1, 50))
def test_vbs_and_ls_round_trip(rows, recfm: str, piece: int) -> None:
    codec = RecordCodec(LAYOUT, "latin-1", recfm, block_descriptors=recfm == "VBS", block_size=64)
    columns = {"ID": np.array([r[0] for r in rows]), "AMT": np.array([r[1] for r in rows])}
    data = codec.encode(columns)
    ids, reasons = _pieces(codec, data, piece)
    assert ids == columns["ID"].tolist() and reasons == []


HINTS = [
    # (configured recfm, encoding, block_descriptors, data, fragment of the hint)
    ("FB", "cp037", False, (b"\x00\x14\x00\x00" + "R001+00001AAAAAA".encode("cp037")) * 3, "RDW"),
    ("V", "cp037", False, b"\x00\x18\x00\x00\x00\x14\x00\x00" + "R001+00001AAAAAA".encode("cp037"), "block"),
    ("FB", "cp037", False, b"R001+00001AAAAAA\nR002-00002BBBBBB\n", "ASCII"),
    ("FB", "cp037", False, b"R001+00001AAAAAAR002-00002BBBBBB", "ASCII"),
    ("FB", "latin-1", False, "R001+00001AAAAAAR002-00002BBBBBB".encode("cp037"), "EBCDIC"),
    ("V", "latin-1", False, b"R001+00001AAAAAA\nR002-00002BBBBBB\n", "LS"),
]


@pytest.mark.parametrize(("recfm", "encoding", "bdw", "data", "fragment"), HINTS)
def test_a_wrong_guess_gets_a_hint_naming_the_likely_framing(recfm, encoding, bdw, data: bytes, fragment) -> None:
    hint = framing_hint(data, recfm=recfm, encoding=encoding, lrecl=16, block_descriptors=bdw)
    assert hint is not None and fragment in hint, hint


def test_no_hint_when_the_guess_fits() -> None:
    codec = RecordCodec(LAYOUT, "cp037", "VB", block_descriptors=True)
    data = codec.encode({"ID": ["R001", "R002"], "AMT": [1, 2]})
    assert framing_hint(data, recfm="VB", encoding="cp037", lrecl=16, block_descriptors=True) is None
    fixed = RecordCodec(LAYOUT, "cp037", "FB").encode({"ID": ["R001", "R002"], "AMT": [1, 2]})
    assert framing_hint(fixed, recfm="FB", encoding="cp037", lrecl=16, block_descriptors=False) is None
