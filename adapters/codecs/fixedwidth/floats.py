"""COMP-1 / COMP-2: IBM hexadecimal floating point (HFP, the mainframe's), or IEEE 754 binary.

HFP (z/Architecture Principles of Operation, "Hexadecimal-Floating-Point Number
Representation"): bit 0 the sign, bits 1-7 a base-16 exponent in excess-64, then the fraction,
6 hex digits (COMP-1, 4 bytes) or 14 (COMP-2, 8 bytes), with the radix point before it:
``value = (-1)**sign * 0.fraction(hex) * 16**(exponent - 64)``.

Decoded values are float64. Every COMP-1 value is exact in float64 (24-bit fraction, exponents
within range). A COMP-2 fraction has 56 bits against float64's 53: it is rounded to nearest, a
relative precision of 2**-53 (about 16 significant digits), the precision this engine states for
COMP-2. Encoding rounds to nearest as well (COMP-1 keeps 21 to 24 significant bits, by the hex
normalisation); a value outside the format's range (overflow, or a nonzero value that would
underflow to zero) raises an EncodeError instead of being clamped.
"""

from __future__ import annotations

import numpy as np

from .errors import EncodeError, Reason
from .fields import Decoded, FieldCodec, rows_of


class _Float(FieldCodec):
    def empty(self, n: int) -> np.ndarray:
        return np.zeros(n, np.float64)

    def prepare(self, values: object, scale: int) -> np.ndarray:
        try:
            arr = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            arr = np.asarray(values, dtype=object)
            bad = [i for i, v in enumerate(arr.ravel()) if not _is_number(v)]
            raise EncodeError("", "NOT_A_NUMBER", bad) from None
        if (bad := rows_of(~np.isfinite(arr))).size:
            raise EncodeError("", "NOT_A_NUMBER", bad)
        return arr


def _is_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


class HexFloat(_Float):
    """IBM HFP, 4 (COMP-1) or 8 (COMP-2) bytes, big-endian."""

    def __init__(self, length: int) -> None:
        self.length = length
        self._bits = 24 if length == 4 else 56
        self._dtype = np.dtype(">u4" if length == 4 else ">u8")

    def decode(self, cells: np.ndarray) -> Decoded:
        n = cells.shape[0]
        raw = np.ascontiguousarray(cells).view(self._dtype).reshape(n).astype(np.uint64)
        exponent = ((raw >> np.uint64(self._bits)) & np.uint64(0x7F)).astype(np.int64)
        fraction = raw & np.uint64((1 << self._bits) - 1)
        value = np.ldexp(fraction.astype(np.float64), 4 * (exponent - 64) - self._bits)
        negative = (raw >> np.uint64(self._bits + 7)) != 0
        np.negative(value, out=value, where=negative)
        return value, np.zeros(n, np.uint8)  # every bit pattern is a number

    def encode(self, values: np.ndarray) -> np.ndarray:
        x = np.asarray(values, np.float64)
        n = x.shape[0]
        mantissa, power = np.frexp(np.abs(x))  # |x| = mantissa * 2**power, mantissa in [0.5, 1)
        exponent = -(-power // 4)  # the hex exponent: |x| = f * 16**exponent with f in [1/16, 1)
        fraction = np.rint(np.ldexp(mantissa, power - 4 * exponent + self._bits))
        carry = fraction >= 2.0**self._bits  # rounding up to 1.0: renormalise
        fraction[carry] = 2.0 ** (self._bits - 4)
        exponent = exponent + carry + 64
        zero = x == 0
        if (over := rows_of(~zero & (exponent > 127))).size:
            raise EncodeError("", "OVERFLOW", over, "beyond the range of IBM hexadecimal floating point")
        if (under := rows_of(~zero & (exponent < 0))).size:
            raise EncodeError("", "UNDERFLOW", under, "too small for IBM hexadecimal floating point")
        word = (np.signbit(x) & ~zero).astype(np.uint64) << np.uint64(self._bits + 7)
        word |= np.where(zero, 0, exponent).astype(np.uint64) << np.uint64(self._bits)
        word |= np.where(zero, 0, fraction).astype(np.uint64)
        return np.ascontiguousarray(word.astype(self._dtype)).view(np.uint8).reshape(n, self.length)


class IeeeFloat(_Float):
    """IEEE 754 binary32 / binary64, big-endian unless ``little_endian`` (a non-IBM producer)."""

    def __init__(self, length: int, *, little_endian: bool = False) -> None:
        self.length = length
        self._dtype = np.dtype(f"{'<' if little_endian else '>'}f{length}")

    def decode(self, cells: np.ndarray) -> Decoded:
        n = cells.shape[0]
        value = np.ascontiguousarray(cells).view(self._dtype).reshape(n).astype(np.float64)
        bad = ~np.isfinite(value)
        value[bad] = 0
        return value, np.where(bad, np.uint8(Reason.BAD_FLOAT), np.uint8(0))

    def encode(self, values: np.ndarray) -> np.ndarray:
        x = np.asarray(values, np.float64)
        with np.errstate(over="ignore"):
            narrowed = x.astype(self._dtype)
        if (over := rows_of(~np.isfinite(narrowed))).size:
            raise EncodeError("", "OVERFLOW", over, f"beyond the range of IEEE binary{self.length * 8}")
        return np.ascontiguousarray(narrowed).view(np.uint8).reshape(x.shape[0], self.length)
