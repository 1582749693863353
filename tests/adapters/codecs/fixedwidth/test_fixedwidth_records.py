"""RecordCodec: framing per RECFM, streaming, record types, per-record rejects, single messages."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from scoregate.adapters.codecs.fixedwidth import (
    EncodeError,
    Layout,
    LayoutError,
    RecordCodec,
    RecordError,
    layout_from_spec,
)

from fixedwidth_samples import assert_columns_equal, detail_columns

HEADER = {"FILE-ID": ["SCOREREQ"], "BUSINESS-DATE": [20261124], "SOURCE-SYSTEM": ["LOANS"]}


def _file(codec: RecordCodec, details: dict) -> bytes:
    n = len(next(iter(details.values())))
    trailer = {"RECORD-COUNT": [n], "TOTAL-INCOME": [int(np.sum(details["ANNUAL-INCOME"]))]}
    return (codec.encode(HEADER, "HEADER-AREA") + codec.encode(details, "DETAIL-AREA")
            + codec.encode(trailer, "TRAILER-AREA"))


def _stream(codec: RecordCodec, data: bytes, sizes: list[int]) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """Split ``data`` fed in pieces of the given sizes; return all records, lengths and broken."""
    records, lengths, pending, pos, broken = [], [], b"", 0, False
    for size in [*sizes, len(data)]:
        piece, pos = data[pos: pos + size], pos + size
        final = pos >= len(data)
        framed = codec.split(pending + piece, final=final)
        pending, broken = framed.remainder, framed.broken
        records.append(framed.records)
        lengths.append(framed.lengths if framed.lengths is not None else np.full(len(framed.records), codec.lrecl))
        if final:
            break
    return np.concatenate(records), np.concatenate(lengths), broken


FORMATS = [
    ("cp037", "FB", {}),
    ("cp037", "F", {"line_end": b"\x25"}),
    ("latin-1", "FB", {"line_end": b"\n"}),
    ("ascii", "F", {"line_end": b"\r\n"}),
    ("cp037", "V", {}),
    ("cp1047", "VB", {"block_descriptors": True, "block_size": 800}),
    ("cp500", "VB", {}),
]


@pytest.mark.parametrize(("encoding", "recfm", "options"), FORMATS)
def test_file_round_trips_through_every_record_format(request_layout: Layout, encoding: str, recfm: str,
                                                      options: dict) -> None:
    codec = RecordCodec(request_layout, encoding, recfm, **options)
    details = detail_columns(50, seed=len(options))
    data = _file(codec, details)
    batch = codec.decode(codec.split(data, final=True))
    assert len(batch) == 52 and len(batch.errors) == 0, batch.explain()
    detail = batch.parts["DETAIL-AREA"]
    assert detail.index.tolist() == list(range(1, 51))
    assert_columns_equal(detail.columns, details)
    assert_columns_equal(batch.parts["HEADER-AREA"].columns, HEADER)
    assert batch.parts["TRAILER-AREA"].columns["TOTAL-INCOME"][0] == details["ANNUAL-INCOME"].sum()
    # The same bytes fed in awkward pieces frame into the same records.
    records, _, broken = _stream(codec, data, [1, 7, 121, 3, 500, 4, 1000, 2])
    assert not broken and (records == batch.records).all()
    # And encoding the decoded columns gives the same bytes back.
    again = codec.encode(detail.columns, "DETAIL-AREA")
    assert again == codec.encode(details, "DETAIL-AREA")


def test_fixed_records_are_views_of_the_chunk(request_codec: RecordCodec) -> None:
    data = _file(request_codec, detail_columns(3)) + b"\x40" * 7
    framed = request_codec.split(data)
    assert framed.records.shape == (5, 120) and framed.remainder == b"\x40" * 7 and framed.lengths is None
    assert np.shares_memory(framed.records, np.frombuffer(data, np.uint8))  # zero-copy
    data = data[:-7]
    # The last, short record of a file is flagged, not fatal.
    last = request_codec.split(data + bytes.fromhex("E3F0F0"), final=True)
    batch = request_codec.decode(last)
    assert [tuple(r) for r in batch.errors] == [(5, "", "SHORT_RECORD")]


def test_packed_field_holding_the_line_end_byte_is_not_split(request_layout: Layout) -> None:
    codec = RecordCodec(request_layout, "cp037", "F", line_end=b"\x25")
    details = detail_columns(4)
    details["ANNUAL-INCOME"][:] = 25252525252  # packed: 0x02 0x52 0x52 ... 0x25 in the middle
    data = codec.encode(details, "DETAIL-AREA")
    assert data.count(b"\x25") > 4
    batch = codec.decode(codec.split(data))
    assert len(batch) == 4 and len(batch.errors) == 0
    assert (batch.parts["DETAIL-AREA"].columns["ANNUAL-INCOME"] == 25252525252).all()
    # Also when the file's last line has no terminator.
    last = codec.decode(codec.split(data[:-1], final=True))
    assert len(last) == 4 and len(last.errors) == 0


def test_text_lines_of_the_wrong_length_are_flagged_and_framing_continues() -> None:
    layout = layout_from_spec({"fields": [
        {"name": "ID", "type": "text", "length": 4}, {"name": "AMOUNT", "type": "zoned", "digits": 5, "offset": 5}]})
    codec = RecordCodec(layout, "ascii", "F", line_end=b"\n")
    data = b"A001 12345\nA002 123\nA003 00042\nA004 00001 TOO LONG\nA005 0000E\nA006 00006"
    batch = codec.decode(codec.split(data, final=True))
    assert [tuple(r) for r in batch.errors] == [
        (1, "", "SHORT_RECORD"), (3, "", "LONG_RECORD"), (4, "AMOUNT", "BAD_ZONED_SIGN")]
    assert batch.columns["ID"].tolist() == ["A001", "A002", "A003", "A004", "A005", "A006"]
    assert batch.columns["AMOUNT"].tolist() == [12345, 0, 42, 1, 0, 6]
    assert batch.bad.tolist() == [False, True, False, True, True, False]
    assert batch.explain()[0].message == "record shorter than its record type: 8 bytes, record type RECORD needs 10"


def test_bad_rdw_keeps_the_good_records_and_marks_the_stream_broken(request_layout: Layout) -> None:
    codec = RecordCodec(request_layout, "cp037", "V")
    good = _file(codec, detail_columns(3))
    garbage = b"\x00\x10\x01\x02" + b"\x40" * 30  # non-zero RDW flag bytes
    framed = codec.split(good + garbage + good)
    assert framed.broken and framed.remainder == b""
    batch = codec.decode(framed)
    assert len(batch) == 6
    assert [tuple(r) for r in batch.errors] == [(5, "", "BAD_RDW")]
    assert batch.types.tolist() == [0, 1, 1, 1, 2, -1]
    assert batch.explain()[0].message.endswith("the bytes there: 00100102" + "40" * 12)
    # An RDW chain that does not end exactly at the end of the file is broken as well.
    assert codec.split(good[:-5], final=True).broken


@pytest.mark.parametrize("blocked", [False, True])
def test_variable_records_shorter_than_their_type(request_layout: Layout, blocked: bool) -> None:
    data = bytearray(_file(RecordCodec(request_layout, "cp037", "V"), detail_columns(2)))
    # Cut the last record (the trailer) to 20 data bytes, with an RDW that says so.
    last = len(data) - 124
    data[last: last + 2] = (24).to_bytes(2, "big")
    del data[last + 24:]
    if blocked:
        data[0:0] = (len(data) + 4).to_bytes(2, "big") + b"\0\0"
    codec = RecordCodec(request_layout, "cp037", "VB" if blocked else "V", block_descriptors=blocked)
    batch = codec.decode(codec.split(bytes(data), final=True))
    assert [tuple(r) for r in batch.errors] == [(3, "", "SHORT_RECORD")]
    assert batch.parts["TRAILER-AREA"].columns["RECORD-COUNT"].tolist() == [2]  # bytes present still decode
    assert batch.lengths.tolist() == [120, 120, 120, 20]


def test_extended_block_descriptor(request_layout: Layout) -> None:
    codec = RecordCodec(request_layout, "cp037", "VB", block_descriptors=True)
    plain = codec.encode(detail_columns(2), "DETAIL-AREA")  # one block
    extended = (0x80000000 | len(plain)).to_bytes(4, "big") + plain[4:]
    assert len(codec.decode(codec.split(extended, final=True)).errors) == 0


def test_bad_values_flag_only_their_record_and_field(request_codec: RecordCodec) -> None:
    details = detail_columns(100, seed=3)
    data = bytearray(_file(request_codec, details))

    def rec(i: int) -> int:  # offset of detail record i (after the header)
        return 120 * (i + 1)

    data[rec(17) + 21] = (data[rec(17) + 21] & 0xF0) | 0x07  # ANNUAL-INCOME sign nibble 7
    data[rec(42) + 14] = 0x40  # APPLICANT-AGE middle digit a space
    data[rec(42) + 59] = 0xC1  # PAYMENT-DAYS(1,1) first digit 'A'
    data[rec(99) + 0] = 0xC7  # record type 'G'
    batch = request_codec.decode(request_codec.split(bytes(data)))
    assert [tuple(r) for r in batch.errors] == [
        (18, "ANNUAL-INCOME", "BAD_PACKED_SIGN"),
        (43, "APPLICANT-AGE", "BAD_ZONED_DIGIT"),
        (43, "PAYMENT-DAYS(1,1)", "BAD_ZONED_DIGIT"),
        (100, "", "UNKNOWN_RECORD_TYPE"),
    ]
    detail = batch.parts["DETAIL-AREA"].columns
    good = np.ones(100, bool)
    good[[17, 42, 99]] = False
    assert (detail["ANNUAL-INCOME"][:99][good[:99]] == details["ANNUAL-INCOME"][:99][good[:99]]).all()
    assert detail["ANNUAL-INCOME"][17] == 0 and detail["LOAN-AMOUNT"][17] == details["LOAN-AMOUNT"][17]
    explained = batch.explain()
    assert explained[0].message.startswith("ANNUAL-INCOME (offset 16, S9(9)V9(2) packed): not a valid packed")
    assert explained[3].message == "unknown record type: type field holds 'G' (C7)"


def test_default_record_type_and_missing_selector(request_layout: Layout) -> None:
    layout = request_layout.with_selector("REC-TYPE", {"H": "HEADER-AREA", "T": "TRAILER-AREA"},
                                          default="DETAIL-AREA")
    codec = RecordCodec(layout, "cp037")
    data = RecordCodec(request_layout, "cp037").encode(detail_columns(2), "DETAIL-AREA")
    assert RecordCodec(layout, "cp037").decode(codec.split(data)).parts["DETAIL-AREA"].index.tolist() == [0, 1]
    with pytest.raises(LayoutError, match="need a selector"):
        RecordCodec(Layout(request_layout.record_types), "cp037")


def test_single_message_round_trip_and_errors(request_layout: Layout) -> None:
    codec = RecordCodec(request_layout, "cp037", "F")
    values = {"CUSTOMER-REF": "C-1", "APPLICANT-AGE": 41, "ANNUAL-INCOME": Decimal("58000.50"),
              "DEBT-RATIO": Decimal("-0.1234"), "ACCOUNT-BALANCE": -12.5, "TOTAL-LIMIT": 4_000_000_000}
    message = codec.encode_one(values, "DETAIL-AREA")
    assert len(message) == 120 and message[:1] == b"\xc4"  # 'D' filled in from the selector
    decoded = codec.decode_one(message)
    assert decoded["REC-TYPE"] == "D" and decoded["CUSTOMER-REF"] == "C-1"
    assert (decoded["ANNUAL-INCOME"], decoded["DEBT-RATIO"]) == (Decimal("58000.50"), Decimal("-0.1234"))
    assert decoded["ACCOUNT-BALANCE"] == Decimal("-12.50") and decoded["TOTAL-LIMIT"] == 4_000_000_000
    assert decoded["PAYMENT-AMOUNT(3)"] == 0 and decoded["EMPLOYER-NAME"] == ""
    assert codec.encode_one(decoded, "DETAIL-AREA") == message
    bad = bytearray(message)
    bad[21] = 0x12  # ANNUAL-INCOME's sign byte
    with pytest.raises(RecordError) as info:
        codec.decode_one(bytes(bad[:60]))
    assert [(e.field, e.reason) for e in info.value.errors] == [("", "SHORT_RECORD")]
    assert info.value.values["TOTAL-LIMIT"] == 4_000_000_000 and info.value.values["PAYMENT-AMOUNT(2)"] is None
    with pytest.raises(RecordError) as info:
        codec.decode_one(bytes(bad))
    assert [(e.field, e.reason) for e in info.value.errors] == [("ANNUAL-INCOME", "BAD_PACKED_SIGN")]
    assert info.value.values["ANNUAL-INCOME"] is None and info.value.values["CUSTOMER-REF"] == "C-1"


@pytest.mark.parametrize(("columns", "error", "match"), [
    ({"CUSTOMER-REF": ["X" * 13]}, EncodeError, "CUSTOMER-REF: TOO_LONG in row"),
    ({"APPLICANT-AGE": [1, -1]}, EncodeError, "APPLICANT-AGE: NEGATIVE_UNSIGNED in row"),
    ({"ANNUAL-INCOME": [1e12]}, EncodeError, "ANNUAL-INCOME: OVERFLOW"),
    ({"ANNUAL-INCOME": [float("nan")]}, EncodeError, "NOT_A_NUMBER"),
    ({"ANNUAL-INCOME": np.array(["12x"], dtype=object)}, EncodeError, "NOT_A_NUMBER"),
    ({"EMPLOYER-NAME": ["€uro"]}, EncodeError, "UNMAPPABLE_CHARACTER"),
    ({"NO-SUCH-FIELD": [1]}, ValueError, "no fields"),
    ({"APPLICANT-AGE": [1, 2], "DELINQUENCIES": [1]}, ValueError, "differ in length"),
])
def test_encode_errors_name_the_field(request_codec: RecordCodec, columns: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        request_codec.encode(columns, "DETAIL-AREA")


def test_float_columns_are_real_values_and_int_columns_scaled_units(request_codec: RecordCodec) -> None:
    as_float = request_codec.encode({"ANNUAL-INCOME": np.array([123.45, -0.015])}, "DETAIL-AREA")
    as_int = request_codec.encode({"ANNUAL-INCOME": np.array([12345, -2])}, "DETAIL-AREA")
    assert as_float == as_int  # -0.015 rounds half-even to -0.02
    part = request_codec.decode(request_codec.split(as_int)).parts["DETAIL-AREA"]
    assert part.floats("ANNUAL-INCOME").tolist() == [123.45, -0.02]
    real = part.real_columns()
    assert real["ANNUAL-INCOME"].tolist() == [123.45, -0.02] and real["APPLICANT-AGE"].dtype == np.int64


def test_decode_only_some_fields_and_iterate_batches(request_layout: Layout) -> None:
    codec = RecordCodec(request_layout, "cp037", "FB", fields=["REC-TYPE", "ANNUAL-INCOME"])
    details = detail_columns(1000, seed=9)
    data = _file(codec, details)
    chunks = [data[i: i + 5000] for i in range(0, len(data), 5000)]
    batches = list(codec.iter_batches(chunks, batch_records=300))
    assert [b.start for b in batches] == [0, 300, 600, 900]
    income = np.concatenate([b.parts["DETAIL-AREA"].columns["ANNUAL-INCOME"] for b in batches])
    assert (income == details["ANNUAL-INCOME"]).all()
    assert set(batches[0].parts["DETAIL-AREA"].columns) == {"REC-TYPE", "ANNUAL-INCOME"}
    assert codec.raw(batches[0].records, "CUSTOMER-REF", "DETAIL-AREA")[1].tobytes() == "C00000000000".encode("cp037")
    with pytest.raises(LayoutError, match="not in the layout"):
        RecordCodec(request_layout, fields=["NOPE"])


def test_layout_and_format_mistakes_raise(request_layout: Layout) -> None:
    with pytest.raises(LayoutError, match="RECFM"):
        RecordCodec(request_layout, recfm="U")
    with pytest.raises(LayoutError, match="shorter than the longest"):
        RecordCodec(request_layout, lrecl=100)
    with pytest.raises(LayoutError, match="line ends apply to RECFM F"):
        RecordCodec(request_layout, recfm="V", line_end=b"\n")
    with pytest.raises(LayoutError, match="need RECFM VB"):
        RecordCodec(request_layout, recfm="V", block_descriptors=True)
