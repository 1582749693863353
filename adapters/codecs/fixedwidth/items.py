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


def read_item(e: Entry, options: dict) -> Item:
    usage = e.usage or "DISPLAY"
    if usage in ("FLOAT4", "FLOAT8", "IEEE4", "IEEE8", "NATIONAL"):
        raise LayoutError(f"{e.name}: USAGE {usage} is not supported", e.line)
    assert e.pic is not None
    pic = picture(e.pic, usage, e.line, sign_separate=e.sign_separate)
    align = _binary_align(pic.length) if pic.kind is Kind.BINARY else 1
    return Item(pic, pic.length, align)


def item_field(e: Entry, name: str, offset: int, view: bool) -> Field:
    """The Field of one occurrence of ``e`` at ``offset``."""
    pic: Picture = e.item.picture
    kind = pic.kind
    zoned_sign = kind is Kind.ZONED and pic.signed
    return Field(
        name, offset, pic.length, kind, digits=pic.digits, scale=pic.scale, signed=pic.signed,
        sign_leading=bool(e.sign_leading) and zoned_sign, sign_separate=e.sign_separate and zoned_sign,
        native=e.usage == "NATIVE", blank_when_zero=e.blank_when_zero and kind is Kind.ZONED,
        filler=e.name == "FILLER", redefines=view, line=e.line)
