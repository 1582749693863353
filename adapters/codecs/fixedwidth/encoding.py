"""Code pages: byte <-> character tables and the bytes that numbers are written with.

Every supported code page is a permutation of the 256 Latin-1 characters (U+0000-U+00FF), so
decoding text is one byte-to-byte table into Latin-1 followed by a widening to UCS-4, and
encoding is the inverse table. Names: ``latin-1`` (``ascii`` is read as its superset latin-1, so
a stray high byte decodes instead of failing), and the EBCDIC pages ``cp037`` (US/Canada),
``cp500`` (international) and ``cp1047`` (Latin-1/Open Systems).

cp037 and cp500 come from Python's codecs. cp1047 is built from cp037 and six code points taken
from IBM's CDRA table for CCSID 1047 (registered at IANA as charset IBM1047); the test
``test_cp1047_matches_ibm_table`` compares all 256 bytes with that table. Line ends follow the
IBM table as Python's cp037 does (0x25 = LF, 0x15 = NEL); z/OS UNIX swaps them (ICU's
``swaplfnl`` variant), which only matters for line-delimited EBCDIC text.

Numbers: a zoned digit is the code page's ``'0'``-``'9'``. The sign of an overpunched zoned field
is, in EBCDIC, the zone nibble of its sign byte (C/A/E/F positive, D/B negative; the two
alternates are IBM's "non-preferred" signs) and, in ASCII, the classic overpunch letters
``{ABCDEFGHI`` (+0..+9) and ``}JKLMNOPQR`` (-0..-9), plain digits being positive.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

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
    to_latin1: np.ndarray = field(repr=False)
    """uint8[256]: code page byte -> Latin-1 byte (= Unicode code point)."""
    from_latin1: np.ndarray = field(repr=False)
    """uint8[256]: Latin-1 byte -> code page byte."""
    sign_digit: np.ndarray = field(init=False, repr=False)
    """uint8[256]: digit carried by an overpunched sign byte, INVALID if none."""
    sign_negative: np.ndarray = field(init=False, repr=False)
    """bool[256]: the overpunched sign byte means negative."""
    positive_punch: np.ndarray = field(init=False, repr=False)
    """uint8[10]: sign byte written for +0..+9 (signed fields)."""
    negative_punch: np.ndarray = field(init=False, repr=False)
    """uint8[10]: sign byte written for -0..-9."""

    def __post_init__(self) -> None:
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
        """The code page byte of one Latin-1 character (``' '``, ``'0'``, ``'+'`` ...)."""
        return int(self.from_latin1[ord(char)])

    @property
    def space(self) -> int:
        return self.byte(" ")

    @property
    def zero(self) -> int:
        return self.byte("0")

    def encode_text(self, text: str) -> bytes:
        """Encode a short Python string (layout constants such as record type values)."""
        try:
            latin = text.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise LayoutError(f"{text!r} has a character outside code page {self.name}") from exc
        return self.from_latin1[np.frombuffer(latin, np.uint8)].tobytes()

    def decode_text(self, data: bytes) -> str:
        return self.to_latin1[np.frombuffer(data, np.uint8)].tobytes().decode("latin-1")


def _table_from_python(name: str, overrides: dict[int, str] | None = None) -> np.ndarray:
    chars = list(bytes(range(256)).decode(name))
    for code, char in (overrides or {}).items():
        chars[code] = char
    table = np.frombuffer("".join(chars).encode("latin-1"), np.uint8).copy()
    # A permutation of Latin-1, or the single-table design above does not hold.
    assert len(np.unique(table)) == 256, name
    return table


def _build(name: str) -> CodePage:
    if name == "latin-1":
        to_latin1 = np.arange(256, dtype=np.uint8)
        ebcdic = False
    elif name == "cp1047":
        to_latin1, ebcdic = _table_from_python("cp037", _CP1047_OVER_CP037), True
    else:
        to_latin1, ebcdic = _table_from_python(name), True
    from_latin1 = np.empty(256, np.uint8)
    from_latin1[to_latin1] = np.arange(256, dtype=np.uint8)
    to_latin1.flags.writeable = from_latin1.flags.writeable = False
    return CodePage(name, ebcdic, to_latin1, from_latin1)


CODE_PAGES = ("latin-1", "cp037", "cp500", "cp1047")
ALIASES = {
    "latin1": "latin-1", "iso-8859-1": "latin-1", "iso8859-1": "latin-1", "ascii": "latin-1",
    "us-ascii": "latin-1", "037": "cp037", "ibm037": "cp037", "ibm-037": "cp037", "cp37": "cp037",
    "500": "cp500", "ibm500": "cp500", "ibm-500": "cp500", "1047": "cp1047", "ibm1047": "cp1047",
    "ibm-1047": "cp1047",
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
