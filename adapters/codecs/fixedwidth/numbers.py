"""Decimal numbers: ZonedDecimal (DISPLAY), PackedDecimal (COMP-3), BinaryInteger (COMP/COMP-5).

Up to 18 digits a column is int64 in units of the last digit. From 19 to 31 digits ("wide",
Enterprise COBOL's ARITH(EXTEND)) the digits accumulate in two int64 limbs, still one vector
operation per byte position, and the column holds exact ``Decimal`` real values (one Python
object per record: such fields are rare, and exactness matters more there than speed).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from .encoding import INVALID, CodePage
from .errors import EncodeError, Reason
from .fields import WIDE, Decoded, FieldCodec, rows_of, to_scaled_wide
from .layout import INT64_DIGITS

_LIMB = 10**INT64_DIGITS


class _Digits:
    """Decimal digits pushed column-wise, most significant first; a second int64 limb past 18."""

    def __init__(self, n: int, total: int) -> None:
        self.value = np.zeros(n, np.int64)
        self.high: np.ndarray | None = None
        self.left = total
        self.wide = total > INT64_DIGITS

    def push(self, digit: np.ndarray) -> None:
        if self.wide and self.left == INT64_DIGITS and self.high is None:
            self.high, self.value = self.value, np.zeros_like(self.value)
        self.value *= 10
        self.value += digit
        self.left -= 1

    def result(self) -> np.ndarray:
        if self.high is None:
            return self.value
        return self.high.astype(object) * _LIMB + self.value.astype(object)


def _finish(value: np.ndarray, negative: np.ndarray | None, reasons: np.ndarray, scale: int, wide: bool) -> np.ndarray:
    if negative is not None:
        if wide:
            value = np.where(negative, -value, value)
        else:
            np.negative(value, out=value, where=negative)
    value[reasons != 0] = 0
    if wide:
        value = np.array([Decimal(int(v)).scaleb(-scale, context=WIDE) for v in value], dtype=object)
    return value


class _Numeric(FieldCodec):
    digits: int
    scale: int = 0

    @property
    def wide(self) -> bool:
        return self.digits > INT64_DIGITS

    def empty(self, n: int) -> np.ndarray:
        return np.full(n, Decimal(0), dtype=object) if self.wide else np.zeros(n, np.int64)

    def prepare(self, values: object, scale: int) -> np.ndarray:
        return to_scaled_wide(values, scale) if self.wide else super().prepare(values, scale)

    def _check_range(self, values: np.ndarray, signed: bool) -> np.ndarray:
        v = np.asarray(values, dtype=object if self.wide else np.int64)
        if not signed and (neg := rows_of(v < 0)).size:
            raise EncodeError("", "NEGATIVE_UNSIGNED", neg, "the field is unsigned")
        limit = 10**self.digits
        if (over := rows_of((v >= limit) | (v <= -limit))).size:
            raise EncodeError("", "OVERFLOW", over, f"more than {self.digits} digits")
        return v

    def _digits_of(self, magnitude: np.ndarray, count: int) -> np.ndarray:
        """(count, n) uint8 digits of non-negative values (int64, or exact ints when wide)."""
        if not self.wide:
            return self._split_digits(magnitude, count)
        high, low = (magnitude // _LIMB).astype(np.int64), (magnitude % _LIMB).astype(np.int64)
        return np.concatenate([self._split_digits(high, count - INT64_DIGITS),
                               self._split_digits(low, INT64_DIGITS)])

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
                 sign_separate: bool = False, blank_when_zero: bool = False, scale: int = 0) -> None:
        self.digits, self.codepage, self.signed, self.scale = digits, codepage, signed, scale
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
        acc = _Digits(n, self.digits)
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
            acc.push(d)
        value = acc.result()
        if self.separate:
            s = c[self.sign_col]
            negative = s == self._minus
            bad_sign = ~(negative | (s == self._plus))
        elif not self.signed:
            # A valid overpunch on an unsigned field is a sign error, not a bad digit.
            last = c[self.length - 1]
            bad_sign = bad_digit & (np.take(cp.sign_digit, last) != INVALID) & ((last - self._zero) > 9)
        reasons = np.where(bad_digit, np.uint8(Reason.BAD_ZONED_DIGIT), np.uint8(0))
        if bad_sign is not None:
            reasons[bad_sign] = Reason.BAD_ZONED_SIGN
        if self.blank_when_zero:
            blank = (c == cp.space).all(axis=0)
            reasons[blank] = 0
            value[blank] = 0
        return _finish(value, negative, reasons, self.scale, self.wide), reasons

    def encode(self, values: np.ndarray) -> np.ndarray:
        v = self._check_range(values, self.signed)
        digits = self._digits_of(np.abs(v), self.digits)
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

    def __init__(self, digits: int, *, signed: bool = False, scale: int = 0) -> None:
        self.digits, self.signed, self.scale = digits, signed, scale
        self.length = digits // 2 + 1
        self._pad = digits % 2 == 0  # an even digit count leaves the first nibble unused (must be 0)

    def decode(self, cells: np.ndarray) -> Decoded:
        c = np.ascontiguousarray(cells.T)
        n = c.shape[1]
        bad_digit = np.zeros(n, bool)
        last = c[self.length - 1]
        if self.wide:
            acc = _Digits(n, 2 * self.length - 1)
            for nibble in [x for j in range(self.length - 1) for x in (c[j] >> 4, c[j] & 0x0F)] + [last >> 4]:
                bad_digit |= nibble > 9
                acc.push(nibble)
            value = acc.result()
        else:
            value = np.zeros(n, np.int64)
            ten = np.uint8(10)
            for j in range(self.length - 1):
                # Nibble arithmetic on contiguous uint8 vectors: several times faster than a table gather.
                high, low = c[j] >> 4, c[j] & 0x0F
                bad_digit |= (high > 9) | (low > 9)
                value *= 100
                value += high * ten + low
            bad_digit |= (last >> 4) > 9
            value *= 10
            value += last >> 4
        sign = last & 0x0F
        if self._pad:
            bad_digit |= (c[0] >> 4) != 0
        negative = (sign == 0x0D) | (sign == 0x0B)
        bad_sign = (sign < 0x0A) | (negative & (not self.signed))
        reasons = np.where(bad_sign, np.uint8(Reason.BAD_PACKED_SIGN),
                           np.where(bad_digit, np.uint8(Reason.BAD_PACKED_DIGIT), np.uint8(0)))
        return _finish(value, negative, reasons, self.scale, self.wide), reasons

    def encode(self, values: np.ndarray) -> np.ndarray:
        v = self._check_range(values, self.signed)
        nibbles = self._digits_of(np.abs(v), 2 * self.length - 1)
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
            if (bad := rows_of((v < info.min) | (v > min(info.max, np.iinfo(np.int64).max)))).size:
                raise EncodeError("", "OVERFLOW" if (v[bad] >= 0).all() else "NEGATIVE_UNSIGNED", bad,
                                  f"outside {self.dtype.name}")
        return np.ascontiguousarray(v.astype(self.dtype)).view(np.uint8).reshape(v.shape[0], self.length)


