"""The field codec interface (:class:`FieldCodec`), Text, and the conversion of given numbers.

One class per kind of field: Text here, ZonedDecimal/PackedDecimal/BinaryInteger in
``numbers.py``, HexFloat/IeeeFloat in ``floats.py``, EditedNumeric in ``edited.py``, National in
``national.py``; :func:`~.kinds.codec_for` picks one for a Field.

Each works on a whole column at once: ``decode(cells)`` takes the ``(n, length)`` uint8 bytes of
one field in n records (usually a strided view into the chunk) and returns ``(values, reasons)``:
values as int64 (numbers, in units of the last digit) or a numpy ``U`` array (text, trailing
spaces removed), and a uint8 array of :class:`~.errors.Reason` per record (0 = good; a bad
value is 0). ``encode(values)`` returns the ``(n, length)`` uint8 bytes or raises
:class:`~.errors.EncodeError` naming the rows that do not fit. No Python loop runs per record:
numeric decoders transpose the field once, so that each byte position is one contiguous vector,
and loop over the byte positions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

import numpy as np

from .encoding import CodePage
from .errors import EncodeError

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

    def prepare(self, values: object, scale: int) -> np.ndarray:
        """Given values (numpy arrays, lists, Decimals ...) -> what ``encode`` takes."""
        return to_scaled(values, scale)


def rows_of(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


class Text(FieldCodec):
    """PIC X / PIC A: code page bytes <-> a numpy ``U`` array, trailing spaces stripped on decode,
    padded with spaces on encode."""

    def __init__(self, length: int, codepage: CodePage) -> None:
        self.length = length
        self.codepage = codepage
        self._identity = codepage.name == "latin-1"

    def empty(self, n: int) -> np.ndarray:
        return np.zeros(n, f"U{self.length}")

    def prepare(self, values: object, scale: int) -> np.ndarray:
        return np.asarray(values)

    def decode(self, cells: np.ndarray) -> Decoded:
        n = cells.shape[0]
        # Code points as uint32 are exactly numpy's 'U' layout: one table lookup, no per-row decode.
        wide = np.take(self.codepage.to_unicode, cells)
        text = wide.view(f"U{self.length}").reshape(n)
        return np.strings.rstrip(text, " "), np.zeros(n, np.uint8)  # any byte is some character

    def encode(self, values: np.ndarray) -> np.ndarray:
        arr = np.asarray(values)
        if arr.dtype.kind != "U":
            arr = np.array(["" if v is None else str(v) for v in arr.ravel()], dtype=str)
        n = arr.shape[0]
        # The cheap whole-array checks first; the per-row searches only when something is wrong.
        if arr.dtype.itemsize // 4 > self.length and (too_long := rows_of(np.strings.str_len(arr) > self.length)).size:
            raise EncodeError("", "TOO_LONG", too_long, f"longer than {self.length} characters")
        codes = arr.astype(f"U{self.length}").view(np.uint32).reshape(n, self.length)
        # numpy pads 'U' with NULs; the record pads with spaces (a NUL inside a value is lost too).
        codes[codes == 0] = 0x20
        if self._identity and (not codes.size or codes.max() <= 0xFF):
            return codes.astype(np.uint8)
        out = np.take(self.codepage.from_unicode, np.minimum(codes, 0xFFFF))
        if codes.size and ((out < 0) | (codes > 0xFFFF)).any():
            bad = rows_of(((out < 0) | (codes > 0xFFFF)).any(axis=1))
            raise EncodeError("", "UNMAPPABLE_CHARACTER", bad, f"outside code page {self.codepage.name}")
        return out.astype(np.uint8)


def to_scaled(values: object, scale: int) -> np.ndarray:
    """Numbers -> int64 in units of 10**-scale.

    numpy integer arrays are taken as already scaled (what decode returns); floats are real values
    (rounded half-even); Python objects (Decimal, int, str, as from ``decode_one``) are real values.
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        if (bad := rows_of(~np.isfinite(arr))).size:
            raise EncodeError("", "NOT_A_NUMBER", bad)
        scaled = np.rint(arr * 10.0**scale)
        if (bad := rows_of(np.abs(scaled) >= 2.0**63)).size:
            raise EncodeError("", "OVERFLOW", bad)
        return scaled.astype(np.int64)
    out = np.empty(arr.size, np.int64)
    for i, value in enumerate(_exact(arr, scale)):
        if not -(2**63) <= value < 2**63:
            raise EncodeError("", "OVERFLOW", [i])
        out[i] = value
    return out


WIDE = Context(prec=80)
"""Decimal arithmetic for 19-31 digit values: the default context's 28 digits would round them."""


def _exact(arr: np.ndarray, scale: int) -> list[int]:
    """Python numbers (Decimal, int, str, float) -> exact ints in units of 10**-scale (half-even)."""
    quantum = Decimal(1).scaleb(-scale)
    out = []
    for i, item in enumerate(arr.ravel()):
        if isinstance(item, np.generic):
            item = item.item()
        try:
            d = Decimal(item) if not isinstance(item, float) else Decimal(repr(item))
            out.append(int(d.quantize(quantum, rounding=ROUND_HALF_EVEN, context=WIDE).scaleb(scale, context=WIDE)))
        except (InvalidOperation, TypeError, ValueError, OverflowError):
            raise EncodeError("", "NOT_A_NUMBER", [i], repr(item)) from None
    return out


def to_scaled_wide(values: object, scale: int) -> np.ndarray:
    """Numbers -> exact Python ints (object array) in units of 10**-scale, for fields of 19-31
    digits: numpy integers are taken as already scaled, everything else (the ``Decimal`` values
    a wide column decodes to, ints, strings, floats) as real values."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.astype(object)
    return np.array(_exact(arr, scale), dtype=object)
