"""Numeric-edited pictures (``ZZ,ZZ9.99CR``, ``$$$,$$9.99``, ``***9.99``, ``-(5)9``), both ways.

Editing follows IBM Enterprise COBOL: digit positions are ``9``, ``Z``, ``*`` and every symbol
of a floating string (``$$$``, ``+++``, ``---``) but its first. Leading zeros are suppressed up to
the first nonzero digit, the first ``9`` or the decimal point, whichever comes first: ``Z`` and a
floating string write spaces there (the floating symbol goes just left of the first digit shown),
``*`` writes asterisks; insertion characters (``,``, ``B`` = space, ``0``, ``/``) inside the
suppressed part become the fill too. A zero value with no ``9`` in the picture is all spaces
(``*``: all asterisks but the point). Signs: ``+`` writes ``+``/``-``; ``-`` writes ``-`` or a
space; ``CR``/``DB`` appear for negative values only (spaces otherwise).

Decoding (de-editing, as a MOVE to a numeric item does) reads the digits at the digit positions,
where a fill, space or the floating symbol counts as a leading zero, and the sign from its
positions; anything else is BAD_EDITED. Insertion positions are not checked. Both directions are
one vector operation per byte position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .encoding import CodePage
from .errors import Reason
from .fields import Decoded, FieldCodec
from .numbers import ZonedDecimal

_INSERT = ",B0/"


@dataclass(frozen=True)
class Edit:
    picture: str
    digit_pos: tuple[int, ...]
    scale: int
    fill: str
    """" " (Z, floating) or "*"."""
    floating: str
    """"$", "+", "-" or "" (no floating string)."""
    float_start: int
    float_end: int
    stop: int
    """Suppression ends here at the latest: the first 9, or the decimal point."""
    sign: str
    """"+", "-", "CR", "DB", or "" (unsigned); a floating "+"/"-" is the sign too."""
    sign_pos: tuple[int, ...]
    has_nine: bool

    @property
    def digits(self) -> int:
        return len(self.digit_pos)

    @property
    def signed(self) -> bool:
        return bool(self.sign)


def analyse(pic: str, fraction_digits: int = 0) -> Edit:
    """Check a numeric-edited picture (repeats expanded, V left out) and say where everything is.
    ``fraction_digits``: digit positions after a V (when there is no decimal point)."""
    n, sign, sign_pos = len(pic), "", ()
    body = pic
    if pic.endswith(("CR", "DB")):
        sign, sign_pos, body = pic[-2:], (n - 2, n - 1), pic[:-2] + "  "
    floating, start, end = "", -1, -1
    for symbol in "$+-":
        where = [i for i, c in enumerate(body) if c == symbol]
        if len(where) > 1:
            if floating:
                raise ValueError("two floating strings")
            floating, start, end = symbol, where[0], where[-1]
            if any(c not in symbol + _INSERT for c in body[start: end + 1]):
                raise ValueError(f"the floating {symbol!r} string is interrupted")
        elif len(where) == 1 and symbol in "+-":
            i = where[0]
            if sign or i not in (0, n - 1):
                raise ValueError(f"a single {symbol!r} must be the first or last symbol, and one sign only")
            sign, sign_pos = symbol, (i,)
    if floating in "+-" and floating:
        if sign:
            raise ValueError("a floating sign and another sign")
        sign = floating
    if "Z" in body and "*" in body:
        raise ValueError("Z and * together")
    if floating and ("Z" in body or "*" in body):
        raise ValueError("zero suppression and a floating string together")
    digit_pos = tuple(i for i, c in enumerate(body) if c in "9Z*" or (floating and c == floating and start < i <= end))
    if not digit_pos:
        raise ValueError("no digit positions")
    if body.count(".") > 1 or (body.count(".") and fraction_digits):
        raise ValueError("more than one decimal point")
    point = body.find(".")
    scale = sum(p > point for p in digit_pos) if point >= 0 else fraction_digits
    nines = [p for p in digit_pos if body[p] == "9"]
    first_fraction = digit_pos[len(digit_pos) - scale] if scale else n
    stop = min([*nines[:1], point if point >= 0 else first_fraction, n])
    return Edit(pic, digit_pos, scale, "*" if "*" in body else " ", floating, start, end, stop, sign, sign_pos,
                bool(nines))


class EditedNumeric(FieldCodec):
    """A numeric-edited DISPLAY item: int64 in units of the last digit <-> edited characters."""

    def __init__(self, picture: str, scale: int, codepage: CodePage, *, blank_when_zero: bool = False) -> None:
        self.edit = analyse(picture, scale if "." not in picture else 0)
        self.length, self.digits, self.codepage = len(picture), self.edit.digits, codepage
        self.blank_when_zero = blank_when_zero
        self._byte = {c: np.uint8(codepage.byte(c)) for c in " *$+-.,0/CRDB"}
        self._zoned = ZonedDecimal(self.digits, codepage)  # digit splitting and range checks

    def decode(self, cells: np.ndarray) -> Decoded:
        e, b = self.edit, self._byte
        c = np.ascontiguousarray(cells.T)
        n = c.shape[1]
        value = np.zeros(n, np.int64)
        seen, bad = np.zeros(n, bool), np.zeros(n, bool)
        zero = np.uint8(self.codepage.zero)
        for j in e.digit_pos:
            d = c[j] - zero
            digit = d <= 9
            filler = (c[j] == b[" "]) | (c[j] == b[e.fill])
            if e.floating and e.float_start <= j <= e.float_end:
                filler |= (c[j] == b[e.floating]) | ((c[j] == b["-"]) if e.floating == "+" else False)
            bad |= ~digit & (seen | ~filler | (e.picture[j] == "9"))
            seen |= digit
            value *= 10
            value += np.where(digit, d, 0)
        negative = self._negative(c, bad)
        blank = (c == b[" "]).all(axis=0)
        if not e.has_nine or self.blank_when_zero:
            bad &= ~blank
        np.negative(value, out=value, where=negative)
        reasons = np.where(bad, np.uint8(Reason.BAD_EDITED), np.uint8(0))
        value[bad] = 0
        return value, reasons

    def _negative(self, c: np.ndarray, bad: np.ndarray) -> np.ndarray:
        e, b = self.edit, self._byte
        if e.floating in ("+", "-"):
            span = c[e.float_start: e.float_end + 1]
            return (span == b["-"]).any(axis=0)
        if not e.sign:
            return np.zeros(c.shape[1], bool)
        if e.sign in ("CR", "DB"):
            first, second = c[e.sign_pos[0]], c[e.sign_pos[1]]
            negative = (first == b[e.sign[0]]) & (second == b[e.sign[1]])
            bad |= ~negative & ~((first == b[" "]) & (second == b[" "]))
            return negative
        s = c[e.sign_pos[0]]
        negative = s == b["-"]
        bad |= ~negative & (s != (b["+"] if e.sign == "+" else b[" "]))
        return negative

    def encode(self, values: np.ndarray) -> np.ndarray:
        e, b = self.edit, self._byte
        v = self._zoned._check_range(values, e.signed)
        n = v.shape[0]
        digits = self._zoned._split_digits(np.abs(v), self.digits)
        positions = np.array(e.digit_pos)
        nonzero = digits != 0
        first = np.where(nonzero.any(axis=0), positions[np.argmax(nonzero, axis=0)], self.length)
        lead = np.minimum(first, e.stop)
        negative = v < 0
        fill = b[e.fill]
        out = np.empty((self.length, n), np.uint8)
        k = 0
        for j, symbol in enumerate(e.picture):
            shown = j >= lead
            if k < len(positions) and positions[k] == j:
                out[j] = np.where(shown, digits[k] + np.uint8(self.codepage.zero), fill)
                k += 1
            elif j in e.sign_pos:
                out[j] = self._sign_byte(symbol, negative, j - e.sign_pos[0])
            elif symbol in _INSERT:
                literal = b[" "] if symbol == "B" else b[symbol]
                out[j] = np.where(shown, literal, fill)
            else:  # the decimal point, a fixed currency sign, the first symbol of a floating string
                out[j] = b[symbol] if symbol in b and not (e.floating and j == e.float_start) else fill
        if e.floating:
            inside = (np.arange(self.length)[:, None] >= e.float_start) & (np.arange(self.length)[:, None] < lead)
            out[inside] = b[" "]
            at = np.maximum(lead - 1, e.float_start)
            symbol = np.where(negative, b["-"], b["+"] if e.floating == "+" else b[" "]) \
                if e.floating != "$" else np.full(n, b["$"])
            out[at, np.arange(n)] = symbol
        blank = (v == 0) & (not e.has_nine or self.blank_when_zero)
        if blank.any():
            out[:, blank] = b[" "]
            if e.fill == "*" and not self.blank_when_zero:
                out[:, blank] = b["*"]
                for j in (j for j, s in enumerate(e.picture) if s == "."):
                    out[j, blank] = b["."]
        return out.T

    def _sign_byte(self, symbol: str, negative: np.ndarray, index: int) -> np.ndarray:
        b = self._byte
        if symbol == "+":
            return np.where(negative, b["-"], b["+"])
        if symbol == "-":
            return np.where(negative, b["-"], b[" "])
        letter = self.edit.sign[index]  # C/R or D/B
        return np.where(negative, b[letter], b[" "])
