"""COMP-1/COMP-2 (IBM HFP and IEEE), PIC N (UTF-16BE), 19-31 digits, scaling P, level 66 RENAMES:
golden bytes computed by hand, and encode -> decode round trips."""

from __future__ import annotations

import math
from decimal import Context, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoregate.adapters.codecs.fixedwidth import EncodeError, Kind, RecordCodec, parse_copybook
from scoregate.adapters.codecs.fixedwidth.floats import HexFloat, IeeeFloat
from scoregate.adapters.codecs.fixedwidth.national import National

HFP = [
    # (bytes, value, length). HFP: sign bit, 7-bit exponent excess 64 (base 16), fraction 0.hhhhhh.
    ("41100000", 1.0, 4),  # 1.0 = 0x0.1 * 16**1: exponent 65 = 0x41, fraction 100000
    ("C276A000", -118.625, 4),  # -118.625 = -0x76.A = -0x0.76A * 16**2: sign + 66 = 0xC2, fraction 76A000
    ("4019999A", math.ldexp(0x19999A, -24), 4),  # 0.1 = 0x0.1999999...: 24 bits round up to 19999A
    ("41100000" "00000000", 1.0, 8),
    ("C276A000" "00000000", -118.625, 8),
    ("40199999" "9999999A", 0.1, 8),  # float64's 0.1 is 0x1.999999999999Ap-4 = 0x0.1999999999999A
    ("00000000", 0.0, 4),
    ("7FFFFFFF", (1 - 16.0**-6) * 16.0**63, 4),  # the largest COMP-1
]


@pytest.mark.parametrize(("hexed", "value", "length"), HFP)
def test_hfp_golden_bytes_both_ways(hexed: str, value: float, length: int) -> None:
    codec = HexFloat(length)
    cells = np.frombuffer(bytes.fromhex(hexed), np.uint8).reshape(1, length)
    decoded, reasons = codec.decode(cells)
    assert decoded.tolist() == [value] and not reasons.any()
    assert codec.encode(np.array([value])).tobytes().hex().upper() == hexed


def test_hfp_out_of_range_is_an_encode_error_not_a_clamp() -> None:
    with pytest.raises(EncodeError, match="OVERFLOW"):
        HexFloat(8).encode(np.array([1e80]))  # beyond 16**63
    with pytest.raises(EncodeError, match="UNDERFLOW"):
        HexFloat(4).encode(np.array([1e-80]))  # below 16**-65
    with pytest.raises(EncodeError, match="NOT_A_NUMBER"):
        HexFloat(4).prepare([float("nan")], 0)


def test_ieee_floats_and_a_copybook_of_floats() -> None:
    assert IeeeFloat(4).encode(np.array([1.0])).tobytes().hex() == "3f800000"
    assert IeeeFloat(8).encode(np.array([-2.5])).tobytes().hex() == "c004000000000000"
    values, reasons = IeeeFloat(4).decode(np.frombuffer(bytes.fromhex("7fc00000"), np.uint8).reshape(1, 4))
    assert reasons.tolist() == [12] and values.tolist() == [0.0]  # NaN: BAD_FLOAT
    with pytest.raises(EncodeError, match="OVERFLOW"):
        IeeeFloat(4).encode(np.array([1e39]))
    text = "       01  R.\n           05  A  PIC X.\n           05  B  COMP-1 SYNC.\n           05  C  COMP-2 SYNC.\n"
    rtype = parse_copybook(text).record_type()
    assert [(f.name, f.offset, f.length, f.ieee) for f in rtype.fields] == [("A", 0, 1, False), ("B", 4, 4, False),
                                                                              ("C", 8, 8, False)]
    ieee = parse_copybook(text, floating_point="ieee").record_type()
    assert all(f.ieee and not f.little_endian for f in ieee.fields if f.kind is Kind.FLOAT)
    x86 = RecordCodec(parse_copybook(text, floating_point="ieee-le"), "ascii", "FB")
    assert x86.encode_one({"A": "X", "B": 1.0, "C": -2.5}).hex() == "58" "202020" "0000803f" "00000000000004c0"
    codec = RecordCodec(parse_copybook(text), "cp037", "FB")
    record = codec.encode_one({"A": "X", "B": 1.0, "C": -118.625})
    assert record.hex().upper() == "E7" + "404040" + "41100000" + "C276A00000000000"  # slack bytes: spaces
    assert codec.decode_one(record) == {"A": "X", "B": 1.0, "C": -118.625}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e70, max_value=1e70), min_size=1))
def test_comp2_round_trips_float64_exactly(values: list[float]) -> None:
    x = np.array([v if v == 0 or abs(v) > 1e-70 else 0.0 for v in values])
    codec = HexFloat(8)  # 56 fraction bits hold every float64 of the range exactly
    decoded, _ = codec.decode(codec.encode(x))
    assert decoded.tolist() == x.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e70, max_value=1e70), min_size=1))
def test_comp1_round_trips_within_its_precision(values: list[float]) -> None:
    x = np.array([v if v == 0 or abs(v) > 1e-70 else 0.0 for v in values])
    codec = HexFloat(4)
    once, _ = codec.decode(codec.encode(x))
    assert np.allclose(once, x, rtol=2.0**-20, atol=0)  # a hex-normalised 24-bit fraction keeps >= 21 bits
    twice, _ = codec.decode(codec.encode(once))
    assert twice.tolist() == once.tolist()  # what COMP-1 holds, it writes back unchanged


NATIONAL = [
    ("Ab\u20ac", "0041" "0062" "20AC" "0020", 8),  # padded with U+0020
    ("\U0001F600", "D83D" "DE00", 4),  # beyond the BMP: a surrogate pair
    ("", "0020" "0020", 4),
]


@pytest.mark.parametrize(("text", "hexed", "length"), NATIONAL)
def test_national_golden_bytes_both_ways(text: str, hexed: str, length: int) -> None:
    codec = National(length)
    assert codec.encode(np.array([text])).tobytes().hex().upper() == hexed
    values, reasons = codec.decode(np.frombuffer(bytes.fromhex(hexed), np.uint8).reshape(1, length))
    assert values.tolist() == [text] and not reasons.any()


def test_national_bad_and_too_long() -> None:
    values, reasons = National(4).decode(np.frombuffer(bytes.fromhex("D83D0041"), np.uint8).reshape(1, 4))
    assert reasons.tolist() == [13]  # an unpaired surrogate: BAD_NATIONAL
    with pytest.raises(EncodeError, match="TOO_LONG"):
        National(4).encode(np.array(["abc"]))
    layout = parse_copybook("       01  R.\n           05  NAME  PIC N(3).\n           05  N2  PIC N(2) USAGE NATIONAL.\n")
    assert [(f.kind, f.length) for f in layout.record_type().fields] == [(Kind.NATIONAL, 6), (Kind.NATIONAL, 4)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\0"), max_size=4), min_size=1))
def test_national_round_trip(texts: list[str]) -> None:
    codec = National(16)
    fits = [t.rstrip(" ") for t in texts if len(t.encode("utf-16-be")) <= 16]
    if fits:
        values, reasons = codec.decode(codec.encode(np.array(fits)))
        assert values.tolist() == fits and not reasons.any()


WIDE = """
       01  R.
           05  BIG-PACKED   PIC S9(25)V99 COMP-3.
           05  BIG-ZONED    PIC 9(20).
           05  HUNDREDS     PIC 9(3)PP.
           05  TINY         PIC SVPP99 SIGN LEADING SEPARATE.
"""


def test_31_digits_are_exact_and_p_scales() -> None:
    layout = parse_copybook(WIDE)
    fields = {f.name: f for f in layout.record_type().fields}
    assert (fields["BIG-PACKED"].length, fields["HUNDREDS"].scale, fields["TINY"].scale) == (14, -2, 4)
    codec = RecordCodec(layout, "cp037", "FB")
    values = {"BIG-PACKED": Decimal("-1234567890123456789012345.67"), "BIG-ZONED": 12345678901234567890,
              "HUNDREDS": 12300, "TINY": Decimal("-0.0012")}
    record = codec.encode_one(values)
    # 27 digits and the sign nibble D: 28 nibbles, 14 bytes
    assert record[:14].hex().upper() == "1234567890123456789012345" "67D"
    assert record[14:34] == "12345678901234567890".encode("cp037")
    assert record[34:37] == b"\xf1\xf2\xf3" and record[37:40] == b"\x60\xf1\xf2"  # 123 hundreds; -.0012
    assert codec.decode_one(record) == {**values, "BIG-ZONED": Decimal(12345678901234567890)}
    part = codec.decode(codec.split(record, final=True)).parts["R"]
    assert part.columns["BIG-PACKED"][0] == Decimal("-1234567890123456789012345.67")
    assert part.floats("HUNDREDS").tolist() == [12300.0] and part.floats("TINY").tolist() == [-0.0012]
    assert part.floats("BIG-ZONED").tolist() == [1.2345678901234567e19]  # float64: 16-17 significant digits
    assert part.real_columns()["BIG-PACKED"].tolist() == [-1.2345678901234568e24]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(10**31) + 1, 10**31 - 1) | st.sampled_from([10**31 - 1, -(10**31) + 1, 10**18]),
                min_size=1, max_size=20))
def test_wide_packed_and_zoned_round_trip(values: list[int]) -> None:
    layout = parse_copybook("       01  R.\n           05  P  PIC S9(29)V99 COMP-3.\n           05  Z  PIC S9(31).\n")
    codec = RecordCodec(layout, "cp037", "FB")
    cents = [Decimal(v).scaleb(-2, context=Context(prec=40)) for v in values]  # 28 digits would round
    columns = {"P": np.array(cents, dtype=object), "Z": np.array([Decimal(v) for v in values], dtype=object)}
    batch = codec.decode(codec.split(codec.encode(columns), final=True))
    assert len(batch.errors) == 0
    assert [str(d) for d in batch.columns["P"]] == [str(d) for d in cents]
    assert batch.columns["Z"].tolist() == [Decimal(v) for v in values]


def test_renames_is_a_view_over_its_items() -> None:
    text = """
       01  CUST.
           05  FIRST-NAME   PIC X(5).
           05  LAST-NAME    PIC X(7).
           05  BALANCE      PIC S9(5)V99 COMP-3.
       66  FULL-NAME RENAMES FIRST-NAME THRU LAST-NAME.
       66  AMOUNT RENAMES BALANCE.
    """
    rtype = parse_copybook(text).record_type()
    full, amount = rtype.field("FULL-NAME"), rtype.field("AMOUNT")
    assert (full.offset, full.length, full.kind, full.redefines) == (0, 12, Kind.TEXT, True)
    assert (amount.offset, amount.kind, amount.scale, amount.redefines) == (12, Kind.PACKED, 2, True)
    codec = RecordCodec(parse_copybook(text), "cp037", "FB")
    values = codec.decode_one(codec.encode_one({"FIRST-NAME": "ANNA", "LAST-NAME": "SMITH", "BALANCE": Decimal("1.5")}))
    assert values["FULL-NAME"] == "ANNA SMITH" and values["AMOUNT"] == Decimal("1.50")
