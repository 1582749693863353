"""Field -> the codec of its kind (the one place that knows every kind)."""

from __future__ import annotations

from .encoding import CodePage
from .fields import FieldCodec, Text
from .layout import Field, Kind
from .edited import EditedNumeric
from .floats import HexFloat, IeeeFloat
from .national import National
from .numbers import BinaryInteger, PackedDecimal, ZonedDecimal


def codec_for(field: Field, codepage: CodePage) -> FieldCodec:
    """The codec that reads and writes ``field`` in ``codepage``."""
    if field.kind is Kind.TEXT:
        return Text(field.length, codepage)
    if field.kind is Kind.ZONED:
        return ZonedDecimal(field.digits, codepage, signed=field.signed, sign_leading=field.sign_leading,
                            sign_separate=field.sign_separate, blank_when_zero=field.blank_when_zero, scale=field.scale)
    if field.kind is Kind.PACKED:
        return PackedDecimal(field.digits, signed=field.signed, scale=field.scale)
    if field.kind is Kind.EDITED:
        return EditedNumeric(field.picture, field.scale, codepage, blank_when_zero=field.blank_when_zero)
    if field.kind is Kind.FLOAT:
        return IeeeFloat(field.length, little_endian=field.little_endian) if field.ieee else HexFloat(field.length)
    if field.kind is Kind.NATIONAL:
        return National(field.length)
    return BinaryInteger(field.length, signed=field.signed, digits=field.digits, native=field.native,
                         little_endian=field.little_endian)
