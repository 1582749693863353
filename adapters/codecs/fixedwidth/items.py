"""An elementary entry (PICTURE + USAGE + SIGN ...) -> :class:`Item`, and one occurrence of it -> Field."""

from __future__ import annotations

from dataclasses import dataclass

from .entries import Entry
from .errors import LayoutError
from .layout import Field, Kind
from .pictures import Picture, picture


@dataclass(frozen=True)
class Item:
    """What every occurrence of one elementary entry shares."""

    picture: Picture
    length: int
    align: int
    """Boundary under SYNCHRONIZED (IBM: binary 2 or 4, COMP-1 4, COMP-2 8; others 1)."""


def _binary_align(length: int) -> int:
    return 2 if length == 2 else 4


_FLOATS = {"FLOAT4": 4, "FLOAT8": 8, "IEEE4": 4, "IEEE8": 8}


def read_item(e: Entry, options: dict) -> Item:
    """``options["floating_point"]``: "hfp" (default), "ieee" or "ieee-le", how COMP-1/COMP-2 are stored."""
    usage = e.usage or "DISPLAY"
    if usage in _FLOATS:
        if e.pic is not None:
            raise LayoutError(f"{e.name}: a COMP-1/COMP-2 item takes no PICTURE", e.line)
        fmt = options.get("floating_point", "hfp")
        fmt = "ieee" if usage.startswith("IEEE") and fmt == "hfp" else fmt
        length = _FLOATS[usage]
        return Item(Picture(Kind.FLOAT, signed=True, length=length, edit=fmt), length, length)
    if e.pic is None:
        raise LayoutError(f"{e.name} has neither a PIC clause nor subordinate items", e.line)
    pic = picture(e.pic, usage, e.line, sign_separate=e.sign_separate)
    align = _binary_align(pic.length) if pic.kind is Kind.BINARY else 1
    return Item(pic, pic.length, align)


def item_field(e: Entry, name: str, offset: int, view: bool) -> Field:
    """The Field of one occurrence of ``e`` at ``offset``."""
    pic: Picture = e.item.picture
    kind = pic.kind
    if kind in (Kind.FLOAT, Kind.NATIONAL, Kind.EDITED):
        return Field(name, offset, pic.length, kind, digits=pic.digits, scale=pic.scale, signed=pic.signed,
                     blank_when_zero=e.blank_when_zero and kind is Kind.EDITED, filler=e.name == "FILLER",
                     redefines=view, line=e.line, picture=pic.edit if kind is Kind.EDITED else "",
                     ieee=pic.edit.startswith("ieee"), little_endian=pic.edit == "ieee-le")
    zoned_sign = kind is Kind.ZONED and pic.signed
    return Field(
        name, offset, pic.length, kind, digits=pic.digits, scale=pic.scale, signed=pic.signed,
        sign_leading=bool(e.sign_leading) and zoned_sign, sign_separate=e.sign_separate and zoned_sign,
        native=e.usage == "NATIVE", blank_when_zero=e.blank_when_zero and kind is Kind.ZONED,
        filler=e.name == "FILLER", redefines=view, line=e.line)
