"""What can go wrong: a bad layout (raised), bad data in a record (reported), a value that won't fit.

Layout and copybook mistakes raise :class:`LayoutError` naming the line. Bad data never raises
while decoding a batch: each bad field of each record gets a :class:`Reason`, reported in
``DecodedBatch.errors``. Values that cannot be written in a field raise :class:`EncodeError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class Reason(IntEnum):
    """Why a record was rejected. The int is what the vectorised decoders store (0 = good);
    ``.name`` is the short stable code that goes into reject files and error replies."""

    OK = 0
    BAD_ZONED_DIGIT = 1
    """A zoned (display) numeric byte is not a digit: a space, a letter, low-values."""
    BAD_ZONED_SIGN = 2
    """The sign byte of a zoned field is not a valid overpunch / separate sign, or an unsigned
    field carries a sign."""
    BAD_PACKED_DIGIT = 3
    """A COMP-3 digit nibble is above 9 (or the pad nibble of an even digit count is not 0)."""
    BAD_PACKED_SIGN = 4
    """A COMP-3 sign nibble is not A-F, or an unsigned field is negative."""
    BINARY_OVERFLOW = 5
    """A binary (COMP) value exceeds its PIC digits, or an unsigned 8-byte value exceeds int64."""
    SHORT_RECORD = 6
    """The record is shorter than its record type (its fields are not decoded)."""
    LONG_RECORD = 7
    """The record is longer than LRECL (it was cut to LRECL)."""
    BAD_RDW = 8
    """A record or block descriptor word is invalid; the rest of the chunk cannot be framed."""
    UNKNOWN_RECORD_TYPE = 9
    """The record type field holds a value no record type is selected by."""
    BAD_ODO_COUNT = 10
    """An OCCURS DEPENDING ON counter holds a count outside the table's declared range."""
    BAD_EDITED = 11
    """A numeric-edited field holds something its picture cannot write (a letter, a misplaced
    space, a sign character where none belongs)."""
    BAD_FLOAT = 12
    """An IEEE float field holds a NaN or an infinity."""
    BAD_NATIONAL = 13
    """A national (UTF-16) field holds an unpaired surrogate."""

    @property
    def code(self) -> str:
        return self.name


REASON_TEXT = {
    Reason.OK: "ok",
    Reason.BAD_ZONED_DIGIT: "not a zoned decimal digit",
    Reason.BAD_ZONED_SIGN: "not a valid zoned decimal sign",
    Reason.BAD_PACKED_DIGIT: "not a valid packed decimal digit",
    Reason.BAD_PACKED_SIGN: "not a valid packed decimal sign",
    Reason.BINARY_OVERFLOW: "binary value exceeds the field's digits",
    Reason.SHORT_RECORD: "record shorter than its record type",
    Reason.LONG_RECORD: "record longer than LRECL",
    Reason.BAD_RDW: "no valid record/block descriptor word; framing lost",
    Reason.UNKNOWN_RECORD_TYPE: "unknown record type",
    Reason.BAD_ODO_COUNT: "OCCURS DEPENDING ON count outside the table's range",
    Reason.BAD_EDITED: "not a value its edited picture can hold",
    Reason.BAD_FLOAT: "not a finite floating-point number",
    Reason.BAD_NATIONAL: "not valid UTF-16",
}
"""A short description of each reason, for messages."""


class LayoutError(ValueError):
    """A layout or copybook that cannot be used. ``line`` is the 1-based copybook line, if any."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


class EncodeError(ValueError):
    """Values that cannot be written into a field (too long, out of range, negative for an
    unsigned field, not a number, a character outside the code page). ``rows`` are the
    offending positions of the column (the first few in the message)."""

    def __init__(self, field: str, reason: str, rows: Sequence[int], detail: str = "") -> None:
        self.field = field
        self.reason = reason
        self.rows = tuple(int(r) for r in rows)
        self.detail = detail
        shown = ", ".join(map(str, self.rows[:5])) + (" ..." if len(self.rows) > 5 else "")
        extra = f": {detail}" if detail else ""
        super().__init__(f"{field or 'value'}: {reason} in row(s) {shown}{extra}")

    def for_field(self, field: str) -> EncodeError:
        """The same error named after the field (the field codecs do not know names)."""
        return EncodeError(field, self.reason, self.rows, self.detail)
