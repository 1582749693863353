"""Golden bytes for every kind of field: exact values, signs, code pages, and the reason for bad bytes."""

from __future__ import annotations

import numpy as np
import pytest

from scoregate.adapters.codecs.fixedwidth import (
    BinaryInteger,
    EncodeError,
    PackedDecimal,
    Reason,
    Text,
    ZonedDecimal,
    codepage,
)

CP037 = codepage("cp037")
ASCII = codepage("ascii")


def _decode(codec, data: bytes):
    cells = np.frombuffer(data, np.uint8).reshape(1, -1)
    values, reasons = codec.decode(cells)
    return values[0], Reason(int(reasons[0]))


def _encode(codec, value) -> bytes:
    return codec.encode(np.array([value])).tobytes()


PACKED = [
    # (digits, signed, bytes, value in units of the last digit)
    (5, True, "12345C", 12345),
    (5, True, "12345D", -12345),  # S9(3)V99: -123.45
    (5, True, "12345F", 12345),
    (5, True, "12345A", 12345),
    (5, True, "12345E", 12345),
    (5, True, "12345B", -12345),
    (5, False, "12345F", 12345),
    (5, False, "12345C", 12345),
    (1, True, "1C", 1),
    (1, True, "9D", -9),
    (4, False, "01234F", 1234),  # even digit count: the first nibble is a zero pad
    (11, True, "99999999999D", -99999999999),
    (18, True, "0" + "9" * 17 + "9C", 10**18 - 1),
    (9, True, "00000000 0C".replace(" ", ""), 0),
]


@pytest.mark.parametrize(("digits", "signed", "hexbytes", "value"), PACKED)
def test_packed_decimal_golden(digits: int, signed: bool, hexbytes: str, value: int) -> None:
    codec = PackedDecimal(digits, signed=signed)
    assert _decode(codec, bytes.fromhex(hexbytes)) == (value, Reason.OK)


@pytest.mark.parametrize(("digits", "signed", "hexbytes", "reason"), [
    (5, True, "123A5C", Reason.BAD_PACKED_DIGIT),
    (5, True, "F2345C", Reason.BAD_PACKED_DIGIT),
    (5, True, "123455", Reason.BAD_PACKED_SIGN),
    (5, True, "123450", Reason.BAD_PACKED_SIGN),
    (5, False, "12345D", Reason.BAD_PACKED_SIGN),  # negative in an unsigned field
    (4, False, "11234F", Reason.BAD_PACKED_DIGIT),  # the pad nibble is not zero
    (5, True, "404040", Reason.BAD_PACKED_SIGN),  # spaces where a number should be
])
def test_packed_decimal_rejects(digits: int, signed: bool, hexbytes: str, reason: Reason) -> None:
    assert _decode(PackedDecimal(digits, signed=signed), bytes.fromhex(hexbytes)) == (0, reason)


@pytest.mark.parametrize(("digits", "signed", "value", "hexbytes"), [
    (5, True, 12345, "12345C"), (5, True, -12345, "12345D"), (5, False, 12345, "12345F"),
    (4, True, -1, "00001D"), (1, True, 0, "0C"), (2, True, -7, "007D"),
])
def test_packed_decimal_encodes_preferred_signs(digits: int, signed: bool, value: int, hexbytes: str) -> None:
    assert _encode(PackedDecimal(digits, signed=signed), value).hex().upper() == hexbytes


ZONED_EBCDIC = [
    # (digits, options, bytes, value, encoding writes exactly these bytes)
    (3, {"signed": True}, "F1F2C3", 123, True),
    (3, {"signed": True}, "F1F2D3", -123, True),
    (3, {"signed": True}, "F1F2F3", 123, False),  # F zone read as positive; C is written
    (3, {"signed": True}, "F0F0D0", 0, False),  # negative zero
    (5, {"signed": True}, "F1F2F3F4D5", -12345, True),  # S9(3)V99: -123.45
    (3, {"signed": True}, "F1F2A3", 123, False),  # IBM's alternate signs
    (3, {"signed": True}, "F1F2B3", -123, False),
    (3, {}, "F1F2F3", 123, True),
    (3, {"signed": True, "sign_leading": True}, "D1F2F3", -123, True),
    (3, {"signed": True, "sign_leading": True}, "C1F2F3", 123, True),
    (3, {"signed": True, "sign_leading": True, "sign_separate": True}, "60F1F2F3", -123, True),
    (3, {"signed": True, "sign_leading": True, "sign_separate": True}, "4EF1F2F3", 123, True),
    (3, {"signed": True, "sign_separate": True}, "F1F2F360", -123, True),
    (3, {"signed": True, "sign_separate": True}, "F1F2F34E", 123, True),
    (3, {"blank_when_zero": True}, "404040", 0, False),
]


@pytest.mark.parametrize(("digits", "options", "hexbytes", "value", "canonical"), ZONED_EBCDIC)
def test_zoned_decimal_ebcdic_golden(digits: int, options: dict, hexbytes: str, value: int, canonical: bool) -> None:
    codec = ZonedDecimal(digits, CP037, **options)
    assert _decode(codec, bytes.fromhex(hexbytes)) == (value, Reason.OK)
    if canonical:
        assert _encode(codec, value).hex().upper() == hexbytes


@pytest.mark.parametrize(("digit", "positive", "negative"),
                         [(d, p, n) for d, (p, n) in enumerate(zip("{ABCDEFGHI", "}JKLMNOPQR", strict=True))])
def test_zoned_decimal_ascii_overpunch(digit: int, positive: str, negative: str) -> None:
    codec = ZonedDecimal(3, ASCII, signed=True)
    assert _decode(codec, f"12{positive}".encode()) == (120 + digit, Reason.OK)
    assert _decode(codec, f"12{negative}".encode()) == (-(120 + digit), Reason.OK)
    assert _decode(codec, f"12{digit}".encode()) == (120 + digit, Reason.OK)
    assert _encode(codec, 120 + digit) == f"12{positive}".encode()
    assert _encode(codec, -(120 + digit)) == f"12{negative}".encode()


@pytest.mark.parametrize(("encoding", "options", "data", "reason"), [
    ("cp037", {"signed": True}, bytes.fromhex("F140C3"), Reason.BAD_ZONED_DIGIT),
    ("cp037", {"signed": True}, bytes.fromhex("F1F2F3")[:2] + b"\x4b", Reason.BAD_ZONED_SIGN),
    ("cp037", {}, bytes.fromhex("F1F2C3"), Reason.BAD_ZONED_SIGN),  # overpunch on an unsigned field
    ("cp037", {}, bytes.fromhex("000000"), Reason.BAD_ZONED_DIGIT),  # low-values
    ("cp037", {}, bytes.fromhex("404040"), Reason.BAD_ZONED_DIGIT),  # spaces (no BLANK WHEN ZERO)
    ("cp037", {"signed": True, "sign_leading": True, "sign_separate": True}, bytes.fromhex("40F1F2F3"),
     Reason.BAD_ZONED_SIGN),
    ("ascii", {"signed": True}, b"1 3", Reason.BAD_ZONED_DIGIT),
    ("ascii", {}, b"12C", Reason.BAD_ZONED_SIGN),
    ("ascii", {"signed": True}, b"12S", Reason.BAD_ZONED_SIGN),
    ("ascii", {"signed": True, "sign_separate": True}, b"123*", Reason.BAD_ZONED_SIGN),
])
def test_zoned_decimal_rejects(encoding: str, options: dict, data: bytes, reason: Reason) -> None:
    codec = ZonedDecimal(3, codepage(encoding), **options)
    assert _decode(codec, data) == (0, reason)


@pytest.mark.parametrize(("length", "options", "hexbytes", "value", "reason"), [
    (2, {"signed": True, "digits": 4}, "FFFE", -2, Reason.OK),
    (2, {"signed": False, "digits": 4}, "270F", 9999, Reason.OK),
    (2, {"signed": False, "digits": 4}, "FFFE", 0, Reason.BINARY_OVERFLOW),  # 65534 > 9(4)
    (2, {"signed": False, "native": True, "digits": 4}, "FFFE", 65534, Reason.OK),  # COMP-5
    (4, {"signed": True, "digits": 9}, "FFFFFFFF", -1, Reason.OK),
    (4, {"signed": True, "digits": 9}, "40404040", 0, Reason.BINARY_OVERFLOW),  # spaces: 1077952576
    (4, {"signed": True, "digits": 9}, "3B9AC9FF", 999_999_999, Reason.OK),
    (8, {"signed": True, "digits": 18}, "FFFFFFFFFFFFFFFE", -2, Reason.OK),
    (8, {"signed": True, "digits": 18}, "8000000000000000", 0, Reason.BINARY_OVERFLOW),
    (8, {"signed": False, "native": True}, "FFFFFFFFFFFFFFFF", 0, Reason.BINARY_OVERFLOW),  # above int64
    (8, {"signed": False, "native": True}, "7FFFFFFFFFFFFFFF", 2**63 - 1, Reason.OK),
    (2, {"signed": True, "little_endian": True, "native": True}, "FEFF", -2, Reason.OK),
])
def test_binary_integer_golden(length: int, options: dict, hexbytes: str, value: int, reason: Reason) -> None:
    codec = BinaryInteger(length, **options)
    assert _decode(codec, bytes.fromhex(hexbytes)) == (value, reason)
    if reason is Reason.OK:
        assert _encode(codec, value).hex().upper() == hexbytes


@pytest.mark.parametrize(("encoding", "hexbytes", "text"), [
    ("cp037", "C8C5D3D3D6404040", "HELLO"),
    ("cp037", "BABB", "[]"),
    ("cp037", "4A5F", "¢¬"),
    ("cp500", "4A5A", "[]"),
    ("cp1047", "ADBD", "[]"),
    ("cp1047", "5FB0", "^¬"),
    ("cp037", "819340F0F95B", "al 09$"),
    ("latin-1", "436166E92040", "Café @"),
    ("ascii", "48692020", "Hi"),
    ("cp037", "40C1", " A"),  # leading spaces stay, trailing ones go
    ("cp037", "00000000", ""),  # low-values
])
def test_text_golden(encoding: str, hexbytes: str, text: str) -> None:
    codec = Text(len(bytes.fromhex(hexbytes)), codepage(encoding))
    assert _decode(codec, bytes.fromhex(hexbytes)) == (text, Reason.OK)
    if "00" not in hexbytes:
        assert _encode(codec, text).hex().upper() == hexbytes


@pytest.mark.parametrize(("codec", "values", "reason", "rows"), [
    (Text(3, CP037), ["abc", "abcd", "ab"], "TOO_LONG", (1,)),
    (Text(3, CP037), ["ok", "€"], "UNMAPPABLE_CHARACTER", (1,)),
    (ZonedDecimal(3, CP037), [5, -5], "NEGATIVE_UNSIGNED", (1,)),
    (ZonedDecimal(3, CP037, signed=True), [999, -1000, 1000], "OVERFLOW", (1, 2)),
    (PackedDecimal(4, signed=True), [10**4], "OVERFLOW", (0,)),
    (BinaryInteger(2, signed=True, digits=4), [10**4], "OVERFLOW", (0,)),
    (BinaryInteger(2, signed=True, native=True), [2**15], "OVERFLOW", (0,)),
    (BinaryInteger(2, signed=False, native=True), [-1], "NEGATIVE_UNSIGNED", (0,)),
])
def test_encode_refuses_values_that_do_not_fit(codec, values: list, reason: str, rows: tuple) -> None:
    with pytest.raises(EncodeError) as info:
        codec.encode(np.array(values))
    assert (info.value.reason, info.value.rows) == (reason, rows)


def test_one_bad_value_flags_only_its_row() -> None:
    data = bytes.fromhex("12345C" "12345D" "1234" "5" "5" "00001C")
    values, reasons = PackedDecimal(5, signed=True).decode(np.frombuffer(data, np.uint8).reshape(4, 3))
    assert values.tolist() == [12345, -12345, 0, 1]
    assert [Reason(r) for r in reasons] == [Reason.OK, Reason.OK, Reason.BAD_PACKED_SIGN, Reason.OK]
