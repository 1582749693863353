"""Vectorised codecs, one class per kind of field: Text, ZonedDecimal, PackedDecimal, BinaryInteger.

Each works on a whole column at once: ``decode(cells)`` takes the ``(n, length)`` uint8 bytes of
one field in n records (usually a strided view into the chunk) and returns ``(values, reasons)``:
values as int64 (numbers, in units of the last digit) or a numpy ``U`` array (text, trailing
spaces removed), and a uint8 array of :class:`~.errors.Reason` per record (0 = good; a bad
value is 0). ``encode(values)`` returns the ``(n, length)`` uint8 bytes or raises
:class:`~.errors.EncodeError` naming the rows that do not fit. No Python loop runs per record:
numeric decoders transpose the field once, so that each byte position is one contiguous vector,
and loop over the (at most 18) byte positions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import numpy as np

from .encoding import INVALID, CodePage
from .errors import EncodeError, Reason
from .layout import Field, Kind

Decoded = tuple[np.ndarray, np.ndarray]
"""(values, reasons): reasons is uint8, 0 for a good value, else a :class:`~.errors.Reason`."""


class FieldCodec(ABC):
    """Decodes and encodes one field's column. ``length`` is its width in bytes."""

    length: int

    @abstractmethod
    def decode(self, cells: np.ndarray) -> Decoded:
        """``cells``: (n, length) uint8. Returns values (n,) and reasons (n,) uint8 (0 = good).
        Called once per field and chunk; must not loop over records in Python."""

    def empty(self, n: int) -> np.ndarray:
        """A column of n default values (what a record without this field holds)."""
        return np.zeros(n, np.int64)

    @abstractmethod
    def encode(self, values: np.ndarray) -> np.ndarray:
        """Values (n,) -> (n, length) uint8. Numbers are int64 in units of the last digit.
        Raises EncodeError (without the field name, which the caller adds) for values that do not fit."""


def _rows(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


class Text(FieldCodec):
    """PIC X / PIC A: code page bytes <-> a numpy ``U`` array, trailing spaces stripped on decode,
    padded with spaces on encode."""

    def __init__(self, length: int, codepage: CodePage) -> None:
        self.length = length
        self.codepage = codepage
        self._identity = not codepage.ebcdic

    def empty(self, n: int) -> np.ndarray:
        return np.zeros(n, f"U{self.length}")

    def decode(self, cells: np.ndarray) -> Decoded:
        n = cells.shape[0]
        latin = cells if self._identity else np.take(self.codepage.to_latin1, cells)
        # Latin-1 bytes widened to UCS-4 are exactly numpy's 'U' layout: no per-row decode.
        wide = np.ascontiguousarray(latin, dtype=np.uint32)
        text = wide.view(f"U{self.length}").reshape(n)
        return np.strings.rstrip(text, " "), np.zeros(n, np.uint8)  # any byte is some character

    def encode(self, values: np.ndarray) -> np.ndarray:
        arr = np.asarray(values)
        if arr.dtype.kind != "U":
            arr = np.array(["" if v is None else str(v) for v in arr.ravel()], dtype=str)
        n = arr.shape[0]
        # The cheap whole-array checks first; the per-row searches only when something is wrong.
        if arr.dtype.itemsize // 4 > self.length and (too_long := _rows(np.strings.str_len(arr) > self.length)).size:
            raise EncodeError("", "TOO_LONG", too_long, f"longer than {self.length} characters")
        codes = arr.astype(f"U{self.length}").view(np.uint32).reshape(n, self.length)
        if codes.size and codes.max() > 255:
            bad = _rows((codes > 255).any(axis=1))
            raise EncodeError("", "UNMAPPABLE_CHARACTER", bad, f"outside code page {self.codepage.name}")
        latin = codes.astype(np.uint8)
        # numpy pads 'U' with NULs; the record pads with spaces (a NUL inside a value is lost too).
        latin[latin == 0] = 0x20
        return latin if self._identity else np.take(self.codepage.from_latin1, latin)


class _Numeric(FieldCodec):
    digits: int

    def _check_range(self, values: np.ndarray, signed: bool) -> np.ndarray:
        v = np.asarray(values, dtype=np.int64)
        if not signed and (neg := _rows(v < 0)).size:
            raise EncodeError("", "NEGATIVE_UNSIGNED", neg, "the field is unsigned")
        limit = 10**self.digits
        if (over := _rows((v >= limit) | (v <= -limit))).size:
            raise EncodeError("", "OVERFLOW", over, f"more than {self.digits} digits")
        return v

    @staticmethod
    def _split_digits(magnitude: np.ndarray, count: int) -> np.ndarray:
        """(count, n) uint8 decimal digits of non-negative int64s, most significant first."""
        out = np.empty((count, magnitude.shape[0]), np.uint8)
        rest, j = magnitude, count
        while j > 0:
            # Nine digits at a time in uint32: 32-bit division is several times faster than int64.
            if j > 9:
                rest, limb = np.divmod(rest, 10**9)
            else:
                limb = rest
            limb = limb.astype(np.uint32)
            for i in range(j - 1, max(j - 9, 0) - 1, -1):
                q = limb // 10
                out[i] = limb - q * 10
                limb = q
            j -= 9
        return out


class ZonedDecimal(_Numeric):
    """PIC 9 / S9 USAGE DISPLAY: one code page digit per byte; the sign overpunched on the last
    (or, SIGN LEADING, the first) byte, or a separate '+'/'-' byte (SIGN ... SEPARATE)."""

    def __init__(self, digits: int, codepage: CodePage, *, signed: bool = False, sign_leading: bool = False,
                 sign_separate: bool = False, blank_when_zero: bool = False) -> None:
        self.digits, self.codepage, self.signed = digits, codepage, signed
        self.separate = signed and sign_separate
        self.length = digits + int(self.separate)
        self.blank_when_zero = blank_when_zero
        self.sign_col = (0 if sign_leading else self.length - 1) if signed else None
        cols = range(self.length)
        self.digit_cols = [j for j in cols if not (self.separate and j == self.sign_col)]
        self.punch_col = self.sign_col if signed and not self.separate else None
        self._zero = np.uint8(codepage.zero)
        self._plus, self._minus = np.uint8(codepage.byte("+")), np.uint8(codepage.byte("-"))

    def decode(self, cells: np.ndarray) -> Decoded:
        cp = self.codepage
        c = np.ascontiguousarray(cells.T)  # (length, n): each byte position contiguous
        n = c.shape[1]
        value = np.zeros(n, np.int64)
        bad_digit = np.zeros(n, bool)
        bad_sign = negative = None
        for j in self.digit_cols:
            if j == self.punch_col:
                d = np.take(cp.sign_digit, c[j])
                bad_sign = d == INVALID
                negative = np.take(cp.sign_negative, c[j])
            else:
                d = c[j] - self._zero  # wraps below '0', so one comparison catches both sides
                bad_digit |= d > 9
            value *= 10
            value += d
        if self.separate:
            s = c[self.sign_col]
            negative = s == self._minus
            bad_sign = ~(negative | (s == self._plus))
        elif not self.signed:
            # A valid overpunch on an unsigned field is a sign error, not a bad digit.
            last = c[self.length - 1]
            bad_sign = bad_digit & (np.take(cp.sign_digit, last) != INVALID) & ((last - self._zero) > 9)
        if negative is not None:
            np.negative(value, out=value, where=negative)
        reasons = np.where(bad_digit, np.uint8(Reason.BAD_ZONED_DIGIT), np.uint8(0))
        if bad_sign is not None:
            reasons[bad_sign] = Reason.BAD_ZONED_SIGN
        value[reasons != 0] = 0
        if self.blank_when_zero:
            blank = (c == cp.space).all(axis=0)
            value[blank] = reasons[blank] = 0
        return value, reasons

    def encode(self, values: np.ndarray) -> np.ndarray:
        v = self._check_range(values, self.signed)
        digits = self._split_digits(np.abs(v), self.digits)
        out = np.empty((self.length, v.shape[0]), np.uint8)
        out[self.digit_cols] = digits + self._zero
        negative = v < 0
        if self.punch_col is not None:
            d = digits[self.digit_cols.index(self.punch_col)]
            out[self.punch_col] = np.where(negative, self.codepage.negative_punch[d], self.codepage.positive_punch[d])
        elif self.separate:
            out[self.sign_col] = np.where(negative, self._minus, self._plus)
        return out.T


class PackedDecimal(_Numeric):
    """COMP-3 / PACKED-DECIMAL: two BCD digits per byte, the last nibble the sign (C/A/E/F
    positive, D/B negative; F written for unsigned fields, C/D for signed ones)."""

    def __init__(self, digits: int, *, signed: bool = False) -> None:
        self.digits, self.signed = digits, signed
        self.length = digits // 2 + 1
        self._pad = digits % 2 == 0  # an even digit count leaves the first nibble unused (must be 0)

    def decode(self, cells: np.ndarray) -> Decoded:
        c = np.ascontiguousarray(cells.T)
        n = c.shape[1]
        value = np.zeros(n, np.int64)
        bad_digit = np.zeros(n, bool)
        ten = np.uint8(10)
        for j in range(self.length - 1):
            # Nibble arithmetic on contiguous uint8 vectors: several times faster than a table gather.
            high, low = c[j] >> 4, c[j] & 0x0F
            bad_digit |= (high > 9) | (low > 9)
            value *= 100
            value += high * ten + low
        last = c[self.length - 1]
        high, sign = last >> 4, last & 0x0F
        bad_digit |= high > 9
        value *= 10
        value += high
        if self._pad:
            bad_digit |= (c[0] >> 4) != 0
        negative = (sign == 0x0D) | (sign == 0x0B)
        bad_sign = (sign < 0x0A) | (negative & (not self.signed))
        np.negative(value, out=value, where=negative)
        reasons = np.where(bad_sign, np.uint8(Reason.BAD_PACKED_SIGN),
                           np.where(bad_digit, np.uint8(Reason.BAD_PACKED_DIGIT), np.uint8(0)))
        value[reasons != 0] = 0
        return value, reasons

    def encode(self, values: np.ndarray) -> np.ndarray:
        v = self._check_range(values, self.signed)
        nibbles = self._split_digits(np.abs(v), 2 * self.length - 1)
        out = np.empty((self.length, v.shape[0]), np.uint8)
        out[:-1] = nibbles[0:-1:2] << 4 | nibbles[1::2]
        sign = np.where(v < 0, np.uint8(0x0D), np.uint8(0x0C)) if self.signed else np.uint8(0x0F)
        out[-1] = nibbles[-1] << 4 | sign
        return out.T


class BinaryInteger(_Numeric):
    """COMP / COMP-4 / BINARY (values limited to the PIC digits) and COMP-5 (the whole range),
    big-endian two's complement unless ``little_endian``."""

    def __init__(self, length: int, *, signed: bool = False, digits: int = 0, native: bool = False,
                 little_endian: bool = False) -> None:
        self.length, self.signed, self.digits = length, signed, digits
        self.limited = bool(digits) and not native
        self.dtype = np.dtype(f"{'<' if little_endian else '>'}{'i' if signed else 'u'}{length}")

    def decode(self, cells: np.ndarray) -> Decoded:
        n = cells.shape[0]
        raw = np.ascontiguousarray(cells).view(self.dtype).reshape(n)
        value = raw.astype(np.int64)
        over = np.zeros(n, bool)
        if self.dtype.kind == "u" and self.length == 8:
            over |= raw > np.iinfo(np.int64).max
        if self.limited:
            # e.g. 0x40404040 (spaces) in a PIC S9(9) COMP would otherwise read as 1077952576.
            limit = 10**self.digits
            over |= (value >= limit) | (value <= -limit)
        reasons = np.where(over, np.uint8(Reason.BINARY_OVERFLOW), np.uint8(0))
        value[over] = 0
        return value, reasons

    def encode(self, values: np.ndarray) -> np.ndarray:
        if self.limited:
            v = self._check_range(values, self.signed)
        else:
            v = np.asarray(values, dtype=np.int64)
            info = np.iinfo(self.dtype)
            if (bad := _rows((v < info.min) | (v > min(info.max, np.iinfo(np.int64).max)))).size:
                raise EncodeError("", "OVERFLOW" if (v[bad] >= 0).all() else "NEGATIVE_UNSIGNED", bad,
                                  f"outside {self.dtype.name}")
        return np.ascontiguousarray(v.astype(self.dtype)).view(np.uint8).reshape(v.shape[0], self.length)


def codec_for(field: Field, codepage: CodePage) -> FieldCodec:
    """The codec that reads and writes ``field`` in ``codepage``."""
    if field.kind is Kind.TEXT:
        return Text(field.length, codepage)
    if field.kind is Kind.ZONED:
        return ZonedDecimal(field.digits, codepage, signed=field.signed, sign_leading=field.sign_leading,
                            sign_separate=field.sign_separate, blank_when_zero=field.blank_when_zero)
    if field.kind is Kind.PACKED:
        return PackedDecimal(field.digits, signed=field.signed)
    return BinaryInteger(field.length, signed=field.signed, digits=field.digits, native=field.native,
                         little_endian=field.little_endian)


def to_scaled(values: object, scale: int) -> np.ndarray:
    """Numbers -> int64 in units of 10**-scale.

    numpy integer arrays are taken as already scaled (what decode returns); floats are real values
    (rounded half-even); Python objects (Decimal, int, str, as from ``decode_one``) are real values.
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        if (bad := _rows(~np.isfinite(arr))).size:
            raise EncodeError("", "NOT_A_NUMBER", bad)
        scaled = np.rint(arr * 10.0**scale)
        if (bad := _rows(np.abs(scaled) >= 2.0**63)).size:
            raise EncodeError("", "OVERFLOW", bad)
        return scaled.astype(np.int64)
    out = np.empty(arr.size, np.int64)
    quantum = Decimal(1).scaleb(-scale)
    for i, item in enumerate(arr.ravel()):
        if isinstance(item, np.generic):
            item = item.item()
        try:
            d = Decimal(item) if not isinstance(item, float) else Decimal(repr(item))
            out[i] = int(d.quantize(quantum, rounding=ROUND_HALF_EVEN).scaleb(scale))
        except (InvalidOperation, TypeError, ValueError, OverflowError):
            raise EncodeError("", "NOT_A_NUMBER", [i], repr(item)) from None
    return out
