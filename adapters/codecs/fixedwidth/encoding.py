"""Code pages: byte <-> character tables and the bytes that numbers are written with.

Every code page maps its 256 bytes to 256 distinct characters, so decoding text is one table
lookup straight into numpy's UCS-4 ``U`` layout, and encoding one lookup in the inverse table
(indexed by code point, up to U+FFFF). Names: ``latin-1`` (``ascii`` is read as its superset
latin-1, so a stray high byte decodes instead of failing) and the EBCDIC pages: 037
(US/Canada), 273 (Germany/Austria), 277 (Denmark/Norway), 278 (Finland/Sweden), 280 (Italy),
284 (Spain), 285 (UK), 297 (France), 500 (international), 871 (Iceland), 1047 (Open Systems),
and the euro variants 1140-1149 of 037, 273, 277, 278, 280, 284, 285, 297, 500 and 871 (the
currency sign replaced by the euro sign), as ``cp037`` or ``037``, ``ibm-1141`` ...

cp037, cp273, cp500 and cp1140 come from Python's codecs. cp1047 is built from cp037 and six
code points taken from IBM's CDRA table for CCSID 1047 (registered at IANA as charset IBM1047);
the test ``test_cp1047_matches_ibm_table`` compares all 256 bytes with that table. The others
come from the ``ebcdic`` package (the standard library has no codec for them), with byte 0x15
read as NEL (U+0085) as IBM's tables and Python's cp037 do (the package reads it as a second LF).
Line ends follow the IBM table (0x25 = LF, 0x15 = NEL); z/OS UNIX swaps them (ICU's
``swaplfnl`` variant), which only matters for line-delimited EBCDIC text.

Numbers: a zoned digit is the code page's ``'0'``-``'9'``. The sign of an overpunched zoned field
is, in EBCDIC, the zone nibble of its sign byte (C/A/E/F positive, D/B negative; the two
alternates are IBM's "non-preferred" signs) and, in ASCII, the classic overpunch letters
``{ABCDEFGHI`` (+0..+9) and ``}JKLMNOPQR`` (-0..-9), plain digits being positive.
"""

from __future__ import annotations

import codecs
import difflib
from dataclasses import dataclass, field

import ebcdic  # noqa: F401 - registers the EBCDIC codecs the standard library lacks (cp277, cp1141 ...)
import numpy as np

from .errors import LayoutError

INVALID = 255
"""Marks a byte that is not a digit in the digit tables."""

# IBM CCSID 1047 differs from CCSID 37 only here (IBM CDRA table, IANA charset-reg IBM1047).
_CP1047_OVER_CP037 = {0x5F: "^", 0xAD: "[", 0xB0: "\u00ac", 0xBA: "\u00dd", 0xBB: "\u00a8", 0xBD: "]"}

_ASCII_POSITIVE = "{ABCDEFGHI"
_ASCII_NEGATIVE = "}JKLMNOPQR"


@dataclass(frozen=True, eq=False)
class CodePage:
    """The tables one code page needs. Build with :func:`codepage`."""

    name: str
    ebcdic: bool
    to_unicode: np.ndarray = field(repr=False)
    """uint32[256]: code page byte -> Unicode code point (numpy's ``U`` element)."""
    from_unicode: np.ndarray = field(init=False, repr=False)
    """int16[65536]: code point -> code page byte, -1 for a character the page lacks."""
    sign_digit: np.ndarray = field(init=False, repr=False)
    """uint8[256]: digit carried by an overpunched sign byte, INVALID if none."""
    sign_negative: np.ndarray = field(init=False, repr=False)
    """bool[256]: the overpunched sign byte means negative."""
    positive_punch: np.ndarray = field(init=False, repr=False)
    """uint8[10]: sign byte written for +0..+9 (signed fields)."""
    negative_punch: np.ndarray = field(init=False, repr=False)
    """uint8[10]: sign byte written for -0..-9."""

    def __post_init__(self) -> None:
        inverse = np.full(0x10000, -1, np.int16)
        inverse[self.to_unicode] = np.arange(256, dtype=np.int16)
        inverse.flags.writeable = False
        object.__setattr__(self, "from_unicode", inverse)
        digit = np.full(256, INVALID, np.uint8)
        negative = np.zeros(256, bool)
        if self.ebcdic:
            for zone, neg in ((0xC, False), (0xA, False), (0xE, False), (0xF, False), (0xD, True), (0xB, True)):
                for d in range(10):
                    digit[zone << 4 | d] = d
                    negative[zone << 4 | d] = neg
            positive = np.array([0xC0 | d for d in range(10)], np.uint8)
            negatives = np.array([0xD0 | d for d in range(10)], np.uint8)
        else:
            for d in range(10):
                digit[0x30 + d] = d
                digit[ord(_ASCII_POSITIVE[d])] = d
                digit[ord(_ASCII_NEGATIVE[d])] = d
                negative[ord(_ASCII_NEGATIVE[d])] = True
            positive = np.frombuffer(_ASCII_POSITIVE.encode("latin-1"), np.uint8).copy()
            negatives = np.frombuffer(_ASCII_NEGATIVE.encode("latin-1"), np.uint8).copy()
        for name, value in (("sign_digit", digit), ("sign_negative", negative),
                            ("positive_punch", positive), ("negative_punch", negatives)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    def byte(self, char: str) -> int:
        """The code page byte of one character (``' '``, ``'0'``, ``'+'`` ...)."""
        return int(self.from_unicode[ord(char)])

    @property
    def space(self) -> int:
        return self.byte(" ")

    @property
    def zero(self) -> int:
        return self.byte("0")

    def encode_text(self, text: str) -> bytes:
        """Encode a short Python string (layout constants such as record type values)."""
        codes = [ord(c) for c in text]
        out = [int(self.from_unicode[c]) if c < 0x10000 else -1 for c in codes]
        if -1 in out:
            raise LayoutError(f"{text!r} has a character outside code page {self.name}")
        return bytes(out)

    def decode_text(self, data: bytes) -> str:
        return "".join(map(chr, self.to_unicode[np.frombuffer(data, np.uint8)].tolist()))


def _table_from_python(name: str, overrides: dict[int, str] | None = None) -> np.ndarray:
    chars = list(bytes(range(256)).decode(name))
    if chars[0x15] == "\n":  # the ebcdic package's second LF: IBM's table says NEL
        chars[0x15] = "\x85"
    for code, char in (overrides or {}).items():
        chars[code] = char
    table = np.array([ord(c) for c in chars], np.uint32)
    # 256 distinct characters below U+10000, or the two-table design above does not hold.
    assert len(np.unique(table)) == 256 and table.max() < 0x10000, name
    return table


def _build(name: str) -> CodePage:
    if name == "latin-1":
        table, ebcdic_page = np.arange(256, dtype=np.uint32), False
    elif name == "cp1047":
        table, ebcdic_page = _table_from_python("cp037", _CP1047_OVER_CP037), True
    else:
        table, ebcdic_page = _table_from_python(codecs.lookup(name).name), True
    table.flags.writeable = False
    return CodePage(name, ebcdic_page, table)


_EBCDIC = ("037", "273", "277", "278", "280", "284", "285", "297", "500", "871", "1047",
           "1140", "1141", "1142", "1143", "1144", "1145", "1146", "1147", "1148", "1149")
CODE_PAGES = ("latin-1", *(f"cp{n}" for n in _EBCDIC))
ALIASES = {
    "latin1": "latin-1", "iso-8859-1": "latin-1", "iso8859-1": "latin-1", "ascii": "latin-1",
    "us-ascii": "latin-1", "cp37": "cp037",
    **{alias: f"cp{n}" for n in _EBCDIC for alias in (n, f"ibm{n}", f"ibm-{n}", f"ccsid{n}", f"ebcdic-{n}")},
}
_CACHE: dict[str, CodePage] = {}


def codepage(name: str | CodePage) -> CodePage:
    """The code page called ``name`` (case-insensitive, common aliases accepted)."""
    if isinstance(name, CodePage):
        return name
    key = name.strip().lower().replace("_", "-")
    key = ALIASES.get(key, key)
    if key not in CODE_PAGES:
        known = sorted((*CODE_PAGES, *ALIASES))
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise LayoutError(f"unknown encoding {name!r} (known: {', '.join(CODE_PAGES)}){hint}")
    if key not in _CACHE:
        _CACHE[key] = _build(key)
    return _CACHE[key]
