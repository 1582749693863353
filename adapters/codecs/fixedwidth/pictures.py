"""A PICTURE string and USAGE -> what the item is: kind, digits, scale, sign, bytes.

``X``/``A``/``9`` alphanumeric (with ``B``, ``0``, ``/`` alphanumeric-edited, read as text);
``S``/``9``/``V``/``P`` numeric, where ``P`` scales by a power of ten that is not stored (``9(3)PP``
holds hundreds: scale -2; ``PP99`` holds ten-thousandths: scale 4); ``N`` national (UTF-16);
numeric-edited pictures (``edited.py`` checks their form). Refused, naming the line: ``G`` DBCS,
``E`` external floating point, edited pictures of more than 18 digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .edited import analyse
from .errors import LayoutError
from .layout import INT64_DIGITS, MAX_BINARY_DIGITS, MAX_DIGITS, Kind, numeric_length

_SYMBOL = re.compile(r"(CR|DB|[AXS9VPZ*$+\-.,B0/NGE])(?:\((\d+)\))?")


@dataclass(frozen=True)
class Picture:
    kind: Kind
    digits: int = 0
    scale: int = 0
    signed: bool = False
    length: int = 0
    edit: str = ""
    """Numeric-edited: the picture, one symbol per byte (V left out)."""


def expand(pic: str, line: int | None) -> str:
    """``S9(3)V9(2)`` -> ``S999V99``; CR and DB stay two letters."""
    out, pos = [], 0
    for m in _SYMBOL.finditer(pic):
        if m.start() != pos:
            break
        out.append(m.group(1) * int(m.group(2) or 1))
        pos = m.end()
    if pos != len(pic) or not out:
        raise LayoutError(f"PIC {pic}: cannot read the picture string (at {pic[pos:]!r})", line)
    return "".join(out)


def picture(pic: str, usage: str, line: int | None, *, sign_separate: bool = False) -> Picture:
    """What an elementary item with this PICTURE and USAGE holds (see the module docstring)."""
    symbols = expand(pic, line)
    chars = set(symbols)
    if "G" in chars:
        raise LayoutError(f"PIC {pic}: DBCS PIC G is not supported (graphic data has no single-byte reading)", line)
    if "E" in chars:
        raise LayoutError(f"PIC {pic}: external floating-point (E) pictures are not supported", line)
    if "N" in chars:
        if chars != {"N"} or usage not in ("DISPLAY", "NATIONAL"):
            raise LayoutError(f"PIC {pic}: a national item is PIC N(n) [USAGE NATIONAL]", line)
        return Picture(Kind.NATIONAL, length=2 * len(symbols))
    if usage == "NATIONAL":
        raise LayoutError(f"PIC {pic}: USAGE NATIONAL numbers and edited items are not supported", line)
    if chars & set("XA"):
        if chars - set("XA9B0/") or usage != "DISPLAY":
            raise LayoutError(f"PIC {pic}: an alphanumeric item must be USAGE DISPLAY without S or V", line)
        return Picture(Kind.TEXT, length=len(symbols))
    if chars - set("S9VP"):
        return _edited(pic, symbols, usage, line)
    if symbols.count("S") > (symbols[:1] == "S") or symbols.count("V") > 1:
        raise LayoutError(f"PIC {pic}: S must come first and V at most once", line)
    digits = symbols.count("9")
    scale = _scale(pic, symbols.lstrip("S"), line)
    kind = {"DISPLAY": Kind.ZONED, "PACKED": Kind.PACKED}.get(usage, Kind.BINARY)
    limit = MAX_BINARY_DIGITS if kind is Kind.BINARY else MAX_DIGITS
    if not 1 <= digits <= limit:
        what = f"binary items hold at most {limit} digits" if kind is Kind.BINARY and digits else \
            f"1 to {limit} are supported"
        raise LayoutError(f"PIC {pic}: {digits} digits; {what}", line)
    signed = "S" in chars
    separate = kind is Kind.ZONED and signed and sign_separate
    return Picture(kind, digits, scale, signed, numeric_length(kind, digits, separate))


def _scale(pic: str, body: str, line: int | None) -> int:
    """Decimal places of ``9``/``V``/``P`` (negative for trailing P, beyond the digits for leading P)."""
    plain = body.replace("V", "")
    if "P" not in plain:
        return body.partition("V")[2].count("9")
    if not re.fullmatch(r"P+9+|9+P+", plain) or ("V" in body and body.strip("V") != plain):
        raise LayoutError(f"PIC {pic}: P must stand at one end of the digits (with V, if any, outside them)", line)
    if plain.startswith("P"):
        return len(plain)  # PP99: .00dd
    return -plain.count("P")  # 99PP: dd00


def _edited(pic: str, symbols: str, usage: str, line: int | None) -> Picture:
    if usage != "DISPLAY":
        raise LayoutError(f"PIC {pic}: an edited picture must be USAGE DISPLAY", line)
    if "P" in symbols or "S" in symbols or symbols.count("V") > 1:
        raise LayoutError(f"PIC {pic}: an edited picture takes no S or P, and V at most once", line)
    after_v = symbols.partition("V")[2]
    body = symbols.replace("V", "")
    try:
        edit = analyse(body, sum(c in "9Z*" for c in after_v) if "V" in symbols else 0)
    except ValueError as exc:
        raise LayoutError(f"PIC {pic}: {exc}", line) from None
    if edit.digits > INT64_DIGITS:
        raise LayoutError(f"PIC {pic}: edited pictures of more than {INT64_DIGITS} digits are not supported", line)
    return Picture(Kind.EDITED, edit.digits, edit.scale, edit.signed, len(body), body)
