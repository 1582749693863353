"""A PICTURE string and USAGE -> what the item is: kind, digits, scale, sign, bytes.

``X``/``A``/``9`` (alphanumeric), ``S``/``9``/``V``/``P`` (numeric; ``P`` scales by a power of
ten that is not stored), and the edited pictures are told apart here; everything else (``N``
national, ``G`` DBCS, ``E`` external floating point) names itself in the refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import LayoutError
from .layout import MAX_DIGITS, Kind, numeric_length

_SYMBOL = re.compile(r"(CR|DB|[AXS9VPZ*$+\-.,B0/NGE])(?:\((\d+)\))?")


@dataclass(frozen=True)
class Picture:
    kind: Kind
    digits: int = 0
    scale: int = 0
    signed: bool = False
    length: int = 0


def expand(pic: str, line: int) -> str:
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


def picture(pic: str, usage: str, line: int, *, sign_separate: bool = False) -> Picture:
    """What an elementary item with this PICTURE and USAGE holds (see the module docstring)."""
    symbols = expand(pic, line)
    chars = set(symbols)
    if "G" in chars or "N" in chars:
        raise LayoutError(f"PIC {pic}: {'DBCS PIC G' if 'G' in chars else 'national PIC N'} is not supported", line)
    if chars & set("XA"):
        if chars - set("XA9") or usage != "DISPLAY":
            raise LayoutError(f"PIC {pic}: an alphanumeric item must be USAGE DISPLAY without S or V", line)
        return Picture(Kind.TEXT, length=len(symbols))
    if chars - set("S9VP"):
        raise LayoutError(f"PIC {pic}: an edited picture is not supported", line)
    if "P" in chars:
        raise LayoutError(f"PIC {pic}: scaling position P is not supported", line)
    if symbols.count("S") > (symbols[:1] == "S") or symbols.count("V") > 1:
        raise LayoutError(f"PIC {pic}: S must come first and V at most once", line)
    digits = symbols.count("9")
    scale = symbols.partition("V")[2].count("9")
    if not 1 <= digits <= MAX_DIGITS:
        raise LayoutError(f"PIC {pic}: {digits} digits; 1 to {MAX_DIGITS} are supported", line)
    kind = {"DISPLAY": Kind.ZONED, "PACKED": Kind.PACKED}.get(usage, Kind.BINARY)
    signed = "S" in chars
    separate = kind is Kind.ZONED and signed and sign_separate
    return Picture(kind, digits, scale, signed, numeric_length(kind, digits, separate))
