"""Numeric-edited pictures: golden text both ways (hand-edited by IBM's rules), bad text rejected,
and a hypothesis round trip over pictures and values."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoregate.adapters.codecs.fixedwidth import EncodeError, RecordCodec, layout_from_spec
from scoregate.adapters.codecs.fixedwidth.edited import EditedNumeric
from scoregate.adapters.codecs.fixedwidth.encoding import codepage

LATIN = codepage("latin-1")

# (picture, value in units of the last digit, edited text). How each was edited by hand:
GOLDEN = [
    # digits 0123456 at Z Z , Z Z 9 . 9 9; first nonzero digit at byte 1: one leading space, comma kept
    ("ZZ,ZZ9.99", 123456, " 1,234.56"),
    # 0.05: suppression stops at the first 9 (byte 5); the comma inside the suppressed part is a space
    ("ZZ,ZZ9.99", 5, "     0.05"),
    ("ZZZ.ZZ", 0, "      "),  # zero and no 9: the whole item is spaces
    ("ZZZ.ZZ", 5, "   .05"),  # suppression stops at the point
    # floating $: digits at bytes 1,2,4,5,6,8,9 = 0123456; first shown digit byte 2, $ just left of it
    ("$$$,$$9.99", 123456, " $1,234.56"),
    ("$$$,$$9.99", 5, "     $0.05"),  # the 9 at byte 6 stops suppression: $ at byte 5
    ("$ZZ9.99", 5, "$  0.05"),  # a single $ is fixed at its place
    ("-ZZZ9", -42, "-  42"),
    ("ZZZ9-", 42, "  42 "),  # trailing minus: a space when positive
    ("+ZZ9", 7, "+  7"),
    ("+ZZ9", -7, "-  7"),
    ("ZZ9.99CR", -123, "  1.23CR"),
    ("ZZ9.99CR", 123, "  1.23  "),  # CR and DB show for negative values only
    ("ZZ9.99DB", -123, "  1.23DB"),
    # * fill: digits 00012345 at * * * , * * 9 . 9 9 -> first nonzero at byte 4; fill and comma become *
    ("***,**9.99", 12345, "****123.45"),
    ("***.**", 0, "***.**"),  # zero with * fill: asterisks, the point kept
    # floating minus: digits at bytes 1-4 = 0012 34 -> first shown byte 3, '-' at byte 2
    ("----9.99", -1234, "  -12.34"),
    ("----9.99", 1234, "   12.34"),
    ("++++9", 42, "  +42"),
    ("99/99/99", 311226, "31/12/26"),
    ("999B999", 123456, "123 456"),
    ("9990", 12, "0120"),  # 0 inserts a zero; the 9s always show
    ("ZZZ9V99", 12345, " 12345"),  # V: implied point, no byte
]


@pytest.mark.parametrize(("pic", "value", "text"), GOLDEN)
def test_edited_golden_text_both_ways(pic: str, value: int, text: str) -> None:
    layout = layout_from_spec({"fields": [{"name": "A", "type": "edited", "picture": pic}]})
    codec = RecordCodec(layout, "latin-1", "FB")
    assert codec.encode({"A": np.array([value])}) == text.encode("latin-1")
    batch = codec.decode(codec.split(text.encode("latin-1"), final=True))
    assert len(batch.errors) == 0, batch.explain()
    assert batch.columns["A"].tolist() == [value]


def test_edited_in_ebcdic_and_from_a_copybook() -> None:
    from scoregate.adapters.codecs.fixedwidth import parse_copybook

    layout = parse_copybook("       01  R.\n           05  AMT  PIC $$,$$9.99CR.\n")
    f = layout.record_type().field("AMT")
    assert (f.kind.value, f.digits, f.scale, f.signed, f.length) == ("edited", 6, 2, True, 11)
    codec = RecordCodec(layout, "cp037", "FB")
    data = codec.encode({"AMT": np.array([-123456])})
    assert data == "$1,234.56CR".encode("cp037")
    assert codec.decode_one(data)["AMT"] == Decimal("-1234.56")


BAD_TEXT = [
    ("ZZ9.99", "1 2.34"),  # a space after a digit
    ("ZZ9.99", " A2.34"),
    ("999", " 12"),  # a 9 position must hold a digit
    ("ZZZ9-", "  42+"),  # trailing minus: '-' or space only
    ("ZZ9.99CR", "  1.23XX"),
    ("+ZZ9", "   7"),  # a + sign position must hold + or -
]


@pytest.mark.parametrize(("pic", "text"), BAD_TEXT)
def test_text_the_picture_cannot_hold_is_rejected(pic: str, text: str) -> None:
    codec = EditedNumeric(pic.replace("V", ""), 0, LATIN)
    values, reasons = codec.decode(np.frombuffer(text.encode("latin-1"), np.uint8).reshape(1, -1))
    assert reasons.tolist() == [11] and values.tolist() == [0]  # Reason.BAD_EDITED


def test_values_that_do_not_fit_are_encode_errors() -> None:
    with pytest.raises(EncodeError, match="OVERFLOW"):
        EditedNumeric("ZZ9.99", 0, LATIN).encode(np.array([100000]))
    with pytest.raises(EncodeError, match="NEGATIVE_UNSIGNED"):
        EditedNumeric("ZZ9.99", 0, LATIN).encode(np.array([-1]))


PICTURES = ["ZZ,ZZ9.99", "$$$,$$9.99CR", "***,**9.99", "----9.99", "++++9", "-ZZZ9", "ZZZ9-", "+ZZ9.99",
            "ZZ9.99DB", "99/99/99", "999B999", "Z(6)", "ZZZ.ZZ", "$ZZ9.99", "9990"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PICTURES), st.data(), st.sampled_from(["latin-1", "cp037"]))
def test_edited_round_trip(pic: str, data, encoding: str) -> None:
    codec = EditedNumeric(pic, 0, codepage(encoding))
    top = 10**codec.digits - 1
    values = np.array(data.draw(st.lists(st.integers(-top if codec.edit.signed else 0, top), min_size=1, max_size=30)))
    decoded, reasons = codec.decode(codec.encode(values))
    assert not reasons.any() and decoded.tolist() == values.tolist()


def test_blank_when_zero_edited_item() -> None:
    from scoregate.adapters.codecs.fixedwidth import parse_copybook

    codec = RecordCodec(parse_copybook("       01  R.\n           05  A  PIC ZZZ9.99 BLANK WHEN ZERO.\n"), "ascii", "FB")
    assert codec.encode({"A": np.array([0, 150])}) == b"       " b"   1.50"
    assert codec.decode(codec.split(b"          1.50", final=True)).columns["A"].tolist() == [0, 150]
