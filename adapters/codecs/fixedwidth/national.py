"""PIC N / USAGE NATIONAL: UTF-16 big-endian (CCSID 1200), two bytes a character.

Characters of the Basic Multilingual Plane (all but a few) are one UTF-16 unit, which widens to
numpy's UCS-4 ``U`` layout directly, so a column decodes without a loop per record. Only records
that hold a surrogate pair (a character beyond U+FFFF) go through Python's codec, one by one.
Trailing spaces (U+0020) are removed on decode and written on encode, as for text.
"""

from __future__ import annotations

import numpy as np

from .errors import EncodeError, Reason
from .fields import Decoded, FieldCodec, rows_of


class National(FieldCodec):
    """``chars`` UTF-16 code units, ``2 * chars`` bytes."""

    def __init__(self, length: int) -> None:
        self.length, self.chars = length, length // 2

    def empty(self, n: int) -> np.ndarray:
        return np.zeros(n, f"U{self.chars}")

    def prepare(self, values: object, scale: int) -> np.ndarray:
        return np.asarray(values)

    def decode(self, cells: np.ndarray) -> Decoded:
        n = cells.shape[0]
        units = np.ascontiguousarray(cells).view(">u2").reshape(n, self.chars).astype(np.uint32)
        text = np.ascontiguousarray(units).view(f"U{self.chars}").reshape(n).copy()
        reasons = np.zeros(n, np.uint8)
        for row in rows_of(((units >= 0xD800) & (units <= 0xDFFF)).any(axis=1)):
            try:
                text[row] = cells[row].tobytes().decode("utf-16-be")
            except UnicodeDecodeError:
                text[row], reasons[row] = "", Reason.BAD_NATIONAL
        return np.strings.rstrip(text, " "), reasons

    def encode(self, values: np.ndarray) -> np.ndarray:
        arr = np.asarray(values)
        if arr.dtype.kind != "U":
            arr = np.array(["" if v is None else str(v) for v in arr.ravel()], dtype=str)
        n = arr.shape[0]
        codes = arr.astype(f"U{max(arr.dtype.itemsize // 4, self.chars)}").view(np.uint32).reshape(n, -1)
        out = np.full((n, self.chars), 0x0020, np.uint32)
        width = min(codes.shape[1], self.chars)
        out[:, :width] = np.where(codes[:, :width] == 0, 0x0020, codes[:, :width])
        too_long = (codes[:, self.chars:] != 0).any(axis=1) if codes.shape[1] > self.chars else np.zeros(n, bool)
        astral = (codes > 0xFFFF).any(axis=1)
        units = out.astype(">u2").view(np.uint8).reshape(n, self.length)
        for row in rows_of(astral):  # surrogate pairs: two units for one character
            data = str(arr[row]).encode("utf-16-be")
            too_long[row] = len(data) > self.length
            if not too_long[row]:
                units[row] = np.frombuffer(data.ljust(self.length, b"\0")[: self.length], np.uint8)
                units[row, len(data):].reshape(-1, 2)[:] = (0x00, 0x20)
        if (bad := rows_of(too_long)).size:
            raise EncodeError("", "TOO_LONG", bad, f"longer than {self.chars} UTF-16 units")
        return units
