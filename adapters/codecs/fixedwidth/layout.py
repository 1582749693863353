"""The resolved layout of fixed-width records: Field, RecordType, Selector, Layout.

Both front ends produce this model: :func:`~.copybook.parse_copybook` (COBOL copybooks) and
:func:`~.declarative.layout_from_spec` (a plain list of fields, for files without a copybook).
Everything is resolved here: absolute offsets, byte lengths, OCCURS already flattened into
``NAME(1)``, ``NAME(2)`` (``NAME(i,j)`` when nested), duplicate names qualified COBOL-style as
``NAME OF PARENT``. A layout holds one or more record types (header, detail, trailer); a
:class:`Selector` says which type a record is, by the text value of a type field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from .errors import LayoutError

MAX_DIGITS = 31
"""Enterprise COBOL's limit (ARITH(EXTEND)). Up to 18 digits decode into int64; 19 to 31
("wide") into exact Python ints (a numpy object column), float64 in ``Part.floats``."""
MAX_BINARY_DIGITS = 18
INT64_DIGITS = 18


class Kind(StrEnum):
    TEXT = "text"  # PIC X / PIC A (and alphanumeric-edited pictures)
    ZONED = "zoned"  # PIC 9 USAGE DISPLAY, overpunched or separate sign
    PACKED = "packed"  # COMP-3 / PACKED-DECIMAL
    BINARY = "binary"  # COMP / COMP-4 / BINARY / COMP-5
    EDITED = "edited"  # numeric-edited PIC (Z, *, $, ., ',', +, -, CR, DB, B, 0, /)
    FLOAT = "float"  # COMP-1 / COMP-2: IBM hexadecimal floating point, or IEEE 754 binary
    NATIONAL = "national"  # PIC N USAGE NATIONAL: UTF-16BE


def binary_length(digits: int) -> int:
    """Bytes of a COMP item with ``digits`` digits (IBM: 1-4 -> 2, 5-9 -> 4, 10-18 -> 8)."""
    return 2 if digits <= 4 else 4 if digits <= 9 else 8


def numeric_length(kind: Kind, digits: int, sign_separate: bool = False) -> int:
    """Bytes a numeric field of ``digits`` digits occupies."""
    if kind is Kind.ZONED:
        return digits + int(sign_separate)
    if kind is Kind.PACKED:
        return digits // 2 + 1
    if kind is Kind.BINARY:
        return binary_length(digits)
    raise ValueError(kind)


@dataclass(frozen=True)
class Field:
    """One elementary item at an absolute offset (0-based) in its record."""

    name: str
    offset: int
    length: int
    kind: Kind
    digits: int = 0
    """Total digits, integer and decimal places (numeric kinds)."""
    scale: int = 0
    """Implied decimal places (the ``V99``); values are integers in units of 10**-scale."""
    signed: bool = False
    sign_leading: bool = False
    sign_separate: bool = False
    native: bool = False
    """Binary only: COMP-5, the whole binary range is valid (no PIC digit limit)."""
    little_endian: bool = False
    """Binary only: for non-IBM producers; COBOL on the mainframe is big-endian."""
    blank_when_zero: bool = False
    """Zoned only: all spaces decode as 0 instead of a bad digit."""
    filler: bool = False
    """Not decoded; written as spaces (text) or zeros (numbers)."""
    redefines: bool = False
    """A second view of bytes another field already describes: decoded, but written only when
    its column is given."""
    line: int | None = None
    """Copybook line it came from (for error messages)."""
    picture: str = ""
    """Edited only: the picture, one symbol per byte (``ZZ,ZZ9.99CR``; repeat counts expanded)."""
    ieee: bool = False
    """Float only: IEEE 754 binary (big-endian unless ``little_endian``) instead of IBM HFP."""

    def __post_init__(self) -> None:
        where = f"field {self.name}"
        if self.offset < 0 or self.length < 1:
            raise LayoutError(f"{where}: offset {self.offset} / length {self.length} out of range", self.line)
        if self.kind in (Kind.TEXT, Kind.NATIONAL, Kind.FLOAT):
            if self.digits or self.scale or (self.signed and self.kind is not Kind.FLOAT):
                raise LayoutError(f"{where}: {self.kind.value} fields have no digits, scale or sign", self.line)
            if (self.kind is Kind.FLOAT and self.length not in (4, 8)) or (
                    self.kind is Kind.NATIONAL and self.length % 2):
                raise LayoutError(f"{where}: a {self.kind.value} field cannot be {self.length} bytes", self.line)
            return
        if self.kind is Kind.EDITED:
            if len(self.picture) != self.length or not 1 <= self.digits <= MAX_DIGITS:
                raise LayoutError(f"{where}: edited picture {self.picture!r} does not make {self.length} bytes",
                                  self.line)
            return
        if self.kind is Kind.BINARY and self.digits > MAX_BINARY_DIGITS:
            raise LayoutError(f"{where}: binary items hold at most {MAX_BINARY_DIGITS} digits", self.line)
        if self.kind is Kind.BINARY and self.native and not self.digits:
            if self.length not in (2, 4, 8):
                raise LayoutError(f"{where}: binary length must be 2, 4 or 8, not {self.length}", self.line)
        elif not 1 <= self.digits <= MAX_DIGITS:
            raise LayoutError(f"{where}: {self.digits} digits; 1 to {MAX_DIGITS} are supported", self.line)
        elif self.length != numeric_length(self.kind, self.digits, self.sign_separate):
            raise LayoutError(
                f"{where}: {self.kind.value} with {self.digits} digits takes "
                f"{numeric_length(self.kind, self.digits, self.sign_separate)} bytes, not {self.length}", self.line)
        # A negative scale or one above the digits is COBOL's P: PIC 9(3)PP is -2, PIC PP9 is 3.
        if not -MAX_DIGITS <= self.scale <= (self.digits or MAX_BINARY_DIGITS) + MAX_DIGITS:
            raise LayoutError(f"{where}: scale {self.scale} out of range for {self.digits} digits", self.line)
        if (self.sign_leading or self.sign_separate) and not (self.kind is Kind.ZONED and self.signed):
            raise LayoutError(f"{where}: SIGN LEADING/SEPARATE applies to signed zoned fields only", self.line)

    @property
    def end(self) -> int:
        return self.offset + self.length

    def describe(self) -> str:
        """``S9(7)V99 packed`` style summary, for layout listings."""
        if self.kind is Kind.TEXT:
            return f"X({self.length})"
        if self.kind is Kind.NATIONAL:
            return f"N({self.length // 2}) national"
        if self.kind is Kind.FLOAT:
            return f"COMP-{1 if self.length == 4 else 2} {'ieee' if self.ieee else 'hfp'}"
        if self.kind is Kind.EDITED:
            return f"{self.picture} edited"
        if not self.digits:
            return f"{'S' if self.signed else ''}binary({self.length}) native"
        integer, decimals = self.digits - max(self.scale, 0), min(max(self.scale, 0), self.digits)
        pic = ("S" if self.signed else "") + (f"9({integer})" if integer > 0 else "")
        pic += f"P({-self.scale})" if self.scale < 0 else ""
        pic += (f"VP({self.scale - self.digits})" if self.scale > self.digits else "V" if self.scale else "")
        pic += f"9({decimals})" if decimals else ""
        sign = (" leading" if self.sign_leading else "") + (" separate" if self.sign_separate else "")
        return f"{pic} {self.kind.value}{sign}" + (" native" if self.native else "")


@dataclass(frozen=True)
class DependingOn:
    """One ``OCCURS min TO max DEPENDING ON counter`` table of a record type."""

    table: str
    """The table item's name."""
    counter: str
    """The field holding the count (a field of the same record type, before the table)."""
    minimum: int
    maximum: int
    line: int | None = None


class Shapes(Protocol):
    """The concrete layouts of a record type whose tables vary (OCCURS DEPENDING ON).

    ``tables`` are in the order of their counters in the record; the counter of table k lies
    where the counts of tables 0..k-1 put it (its position depends on no later count)."""

    tables: tuple[DependingOn, ...]

    def record_type(self, counts: tuple[int, ...]) -> RecordType:
        """The fixed layout of the records whose tables hold ``counts`` occurrences (one count
        per table, each within its range). Fields of absent occurrences are left out."""
        ...


@dataclass(frozen=True)
class RecordType:
    """One kind of record (header, detail, trailer): its fields in offset order and its length.

    With ``shapes`` (OCCURS DEPENDING ON) the fields and length are those of the longest record,
    every table full; ``shapes.record_type(counts)`` gives the layout of one shape."""

    name: str
    fields: tuple[Field, ...]
    length: int = 0
    """Bytes; 0 means the end of the last field."""
    shapes: Shapes | None = field(default=None, compare=False)
    """How the layout varies with the OCCURS DEPENDING ON counts; None: it does not."""
    _by_name: Mapping[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = tuple(sorted(self.fields, key=lambda f: f.offset))
        object.__setattr__(self, "fields", fields)
        if not fields:
            raise LayoutError(f"record type {self.name} has no fields")
        end = max(f.end for f in fields)
        if self.length == 0:
            object.__setattr__(self, "length", end)
        elif self.length < end:
            raise LayoutError(f"record type {self.name}: length {self.length} < end of its fields ({end})")
        by_name: dict[str, Field] = {}
        for f in fields:
            if f.filler:
                continue
            if f.name in by_name:
                raise LayoutError(f"record type {self.name}: field {f.name} appears twice", f.line)
            by_name[f.name] = f
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    @property
    def data_fields(self) -> tuple[Field, ...]:
        """The fields that are decoded (all but FILLER)."""
        return tuple(self._by_name.values())

    def field(self, name: str) -> Field:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"record type {self.name} has no field {name!r}") from None


@dataclass(frozen=True)
class Selector:
    """Which record type a record is: the text at ``offset:offset+length`` looked up in ``values``."""

    offset: int
    length: int
    values: Mapping[str, str]
    """Type-field value (text, as a COBOL program writes it) -> record type name."""
    default: str | None = None
    """Record type for any other value; None rejects them as UNKNOWN_RECORD_TYPE."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        for value in self.values:
            if not 0 < len(value) <= self.length:
                raise LayoutError(f"record type value {value!r} does not fit the {self.length}-byte type field")


@dataclass(frozen=True)
class Layout:
    """All record types of one file or message format, and how to tell them apart."""

    record_types: tuple[RecordType, ...]
    selector: Selector | None = None
    name: str = ""

    def __post_init__(self) -> None:
        names = [t.name for t in self.record_types]
        if not names:
            raise LayoutError("a layout needs at least one record type")
        if len(set(names)) != len(names):
            raise LayoutError(f"record type names repeat: {names}")
        if self.selector is not None:
            targets = set(self.selector.values.values()) | ({self.selector.default} - {None})
            if unknown := targets - set(names):
                raise LayoutError(f"the selector names unknown record types {sorted(unknown)}; known: {names}")

    @property
    def width(self) -> int:
        """The longest record type, the default LRECL."""
        return max(t.length for t in self.record_types)

    def record_type(self, name: str | None = None) -> RecordType:
        """The record type called ``name``; with None, the only one (an error if there are several)."""
        if name is None:
            if len(self.record_types) != 1:
                raise ValueError(f"layout has record types {[t.name for t in self.record_types]}; name one")
            return self.record_types[0]
        for t in self.record_types:
            if t.name == name:
                return t
        raise KeyError(f"no record type {name!r}; known: {[t.name for t in self.record_types]}")

    def with_selector(self, type_field: str, values: Mapping[str, str], default: str | None = None) -> Layout:
        """This layout with record types chosen by the value of ``type_field``, e.g.
        ``layout.with_selector("REC-TYPE", {"H": "HEADER", "D": "DETAIL", "T": "TRAILER"})``."""
        spans = {(f.offset, f.length) for t in self.record_types for f in t.fields if f.name == type_field}
        if len(spans) != 1:
            found = "is in no record type" if not spans else f"has different positions {sorted(spans)}"
            raise LayoutError(f"type field {type_field!r} {found}")
        (offset, length), = spans
        return replace(self, selector=Selector(offset, length, values, default))

    def describe(self) -> str:
        """A listing of every field: record type, name, offset (0-based), length, type."""
        lines = [f"{'type':<14} {'field':<30} {'offset':>6} {'length':>6}  picture"]
        for t in self.record_types:
            for f in t.fields:
                lines.append(f"{t.name:<14} {f.name:<30} {f.offset:>6} {f.length:>6}  {f.describe()}")
            lines.append(f"{t.name:<14} {'(record length)':<30} {'':>6} {t.length:>6}"
                         + ("  the longest; OCCURS DEPENDING ON below" if t.shapes else ""))
            for table in t.shapes.tables if t.shapes else ():
                lines.append(f"{t.name:<14} {'(' + table.table + ')':<30} {'':>6} {'':>6}  "
                             f"OCCURS {table.minimum} TO {table.maximum} DEPENDING ON {table.counter}")
        return "\n".join(lines)
