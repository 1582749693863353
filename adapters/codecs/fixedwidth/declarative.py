"""The plain declarative layout, for files and messages without a copybook.

A dict (from YAML, TOML or JSON config) validated by pydantic, then resolved into a
:class:`~.layout.Layout`::

    {"name": "SCOREREQ",
     "record_types": [
        {"name": "DETAIL", "fields": [
            {"name": "REC-TYPE", "type": "text", "length": 1},
            {"name": "CUST-ID", "type": "text", "length": 10},
            {"name": "INCOME", "type": "packed", "digits": 9, "scale": 2, "signed": True},
            {"name": "AGE", "type": "zoned", "digits": 3, "offset": 30},
            {"name": "LIMIT", "type": "binary", "digits": 9, "signed": True, "occurs": 3}]}],
     "select": {"field": "REC-TYPE", "values": {"D": "DETAIL"}}}

A single record type can skip ``record_types`` and give ``fields`` directly. A field without
``offset`` follows the previous one ("order"). Lengths of numeric fields follow from ``digits``
as in COBOL; a binary field may give ``length`` (2, 4, 8) instead of digits for the full range.
A variable table (COBOL's ``OCCURS ... DEPENDING ON``) names its counter, an earlier integer field:
``{"name": "AMT", "type": "packed", "digits": 7, "occurs": 5, "depending_on": "N-AMTS"}``; the
record then has one layout per count (``RecordType.shapes``), as a copybook's does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .errors import LayoutError
from .layout import DependingOn, Field, Kind, Layout, RecordType, numeric_length
from .pictures import picture


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    """Column name; FILLER (or ``filler: true``) is skipped on decode and blank on encode."""
    type: Literal["text", "zoned", "packed", "binary", "edited", "float", "national"]
    length: int | None = None
    """Bytes: required for text and national (two a character); optional for binary (2, 4 or 8)
    and float (4 or 8, default 8); derived for zoned, packed and edited."""
    picture: str | None = None
    """Edited: the COBOL picture, e.g. ``ZZ,ZZ9.99CR`` or ``$$$,$$9.99``."""
    float_format: Literal["hfp", "ieee"] = "hfp"
    """Float: IBM hexadecimal floating point (COMP-1/COMP-2 on the mainframe) or IEEE 754."""
    digits: int | None = None
    """Total digits including decimal places (zoned, packed, binary)."""
    scale: int = 0
    """Implied decimal places (COBOL ``V``)."""
    signed: bool = False
    sign: Literal["trailing", "leading"] = "trailing"
    """Zoned: where the overpunch or separate sign is."""
    sign_separate: bool = False
    """Zoned: the sign is its own '+'/'-' byte (COBOL SIGN ... SEPARATE)."""
    offset: int | None = None
    """0-based byte offset; omitted: right after the previous field."""
    occurs: int = 1
    """Repeat count; columns are named NAME(1) .. NAME(n). With ``depending_on``, the maximum."""
    depending_on: str | None = None
    """A variable table (COBOL ``OCCURS min TO max DEPENDING ON``): the earlier integer field of
    the record holding each record's count; the fields after the table move with it (they cannot
    give an ``offset``)."""
    occurs_min: int = 0
    """With ``depending_on``: the fewest occurrences a record may hold."""
    little_endian: bool = False
    """Binary from a non-IBM producer."""
    blank_when_zero: bool = False
    filler: bool = False

    @model_validator(mode="after")
    def _numbers_have_digits(self) -> FieldSpec:
        if self.type in ("text", "national") and self.length is None:
            raise ValueError(f"{self.type} fields need a length")
        if self.type == "edited" and not self.picture:
            raise ValueError("edited fields need a picture")
        if self.type in ("zoned", "packed") and self.digits is None:
            raise ValueError(f"{self.type} fields need digits")
        if self.type == "binary" and self.digits is None and self.length is None:
            raise ValueError("binary fields need digits or a length")
        if self.occurs < 1:
            raise ValueError("occurs must be at least 1")
        if self.depending_on is not None and not 0 <= self.occurs_min <= self.occurs:
            raise ValueError(f"occurs_min {self.occurs_min} must be between 0 and occurs ({self.occurs})")
        if self.depending_on is None and self.occurs_min:
            raise ValueError("occurs_min needs depending_on")
        return self


class RecordSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "RECORD"
    length: int | None = None
    """Record length when longer than its fields (trailing bytes unused)."""
    fields: list[FieldSpec]


class SelectorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    """The type field (present at the same position in every record type)."""
    values: dict[str, str]
    """Type field value -> record type name."""
    default: str | None = None


class LayoutSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    record_types: list[RecordSpec] | None = None
    fields: list[FieldSpec] | None = None
    """Shortcut for one record type called RECORD."""
    select: SelectorSpec | None = None

    @model_validator(mode="after")
    def _one_form(self) -> LayoutSpec:
        if (self.record_types is None) == (self.fields is None):
            raise ValueError("give either record_types or fields")
        return self


def _field(spec: FieldSpec, offset: int) -> Field:
    kind = Kind(spec.type)
    filler = spec.filler or spec.name.upper() == "FILLER"
    if kind in (Kind.TEXT, Kind.NATIONAL):
        return Field(spec.name, offset, spec.length or 0, kind, filler=filler)
    if kind is Kind.FLOAT:
        return Field(spec.name, offset, spec.length or 8, kind, signed=True, ieee=spec.float_format == "ieee",
                     little_endian=spec.little_endian, filler=filler)
    if kind is Kind.EDITED:
        pic = picture(spec.picture or "", "DISPLAY", None)
        if pic.kind is not Kind.EDITED:
            raise LayoutError(f"field {spec.name}: {spec.picture!r} is not a numeric-edited picture")
        return Field(spec.name, offset, pic.length, kind, digits=pic.digits, scale=pic.scale, signed=pic.signed,
                     picture=pic.edit, blank_when_zero=spec.blank_when_zero, filler=filler)
    native = kind is Kind.BINARY and spec.digits is None
    length = spec.length if native else numeric_length(kind, spec.digits or 0, spec.sign_separate)
    if spec.length is not None and spec.length != length:
        raise LayoutError(f"field {spec.name}: {spec.digits} digits take {length} bytes, not {spec.length}")
    return Field(
        spec.name, offset, length or 0, kind, digits=spec.digits or 0, scale=spec.scale,
        signed=spec.signed, sign_leading=spec.sign == "leading", sign_separate=spec.sign_separate,
        native=native, little_endian=spec.little_endian, blank_when_zero=spec.blank_when_zero,
        filler=filler)


def _record(spec: RecordSpec) -> RecordType:
    tables = _tables(spec)
    rtype = _placed(spec, {})
    return replace(rtype, shapes=SpecShapes(spec, tables)) if tables else rtype


def _placed(spec: RecordSpec, counts: Mapping[int, int]) -> RecordType:
    """The record with ``counts`` occurrences of the variable tables (by their position in the
    record's fields; the others: ``occurs``, the maximum)."""
    fields: list[Field] = []
    cursor = 0
    for k, fs in enumerate(spec.fields):
        offset = cursor if fs.offset is None else fs.offset
        one = _field(fs, offset)
        n = counts.get(k, fs.occurs)
        for i in range(n):
            name = f"{fs.name}({i + 1})" if fs.occurs > 1 or fs.depending_on else fs.name
            fields.append(replace(one, name=name, offset=offset + i * one.length))
        cursor = offset + one.length * n
    return RecordType(spec.name, tuple(fields), spec.length or 0)


def _tables(spec: RecordSpec) -> tuple[DependingOn, ...]:
    """The variable tables of a record, checked: each counter an earlier integer field."""
    tables: list[DependingOn] = []
    earlier: dict[str, FieldSpec] = {}
    for fs in spec.fields:
        if tables and fs.offset is not None:
            raise LayoutError(f"field {fs.name}: a field after a depending_on table cannot give an offset "
                              "(it moves with the table's count)")
        if fs.depending_on is not None:
            counter = earlier.get(fs.depending_on)
            if counter is None:
                raise LayoutError(f"field {fs.name}: depending_on {fs.depending_on!r} is not an earlier field "
                                  f"of record {spec.name}")
            if counter.type not in ("zoned", "packed", "binary") or counter.scale or counter.occurs > 1 \
                    or counter.depending_on:
                raise LayoutError(f"field {fs.name}: depending_on {fs.depending_on} must be a single integer "
                                  "zoned, packed or binary field")
            tables.append(DependingOn(fs.name, counter.name, fs.occurs_min, fs.occurs))
        earlier[fs.name] = fs
    if tables and spec.length is not None:
        raise LayoutError(f"record {spec.name}: a record with depending_on tables takes its length from them")
    return tuple(tables)


class SpecShapes:
    """:class:`~.layout.Shapes` of a declarative record with ``depending_on`` tables."""

    def __init__(self, spec: RecordSpec, tables: tuple[DependingOn, ...]) -> None:
        self.spec, self.tables = spec, tables
        self._positions = [k for k, fs in enumerate(spec.fields) if fs.depending_on is not None]
        self._cache: dict[tuple[int, ...], RecordType] = {}

    def record_type(self, counts: tuple[int, ...]) -> RecordType:
        counts = tuple(int(c) for c in counts)
        if (found := self._cache.get(counts)) is None:
            for table, count in zip(self.tables, counts, strict=True):
                if not table.minimum <= count <= table.maximum:
                    raise ValueError(f"{table.table}: {count} occurrences, outside {table.minimum} to {table.maximum}")
            found = self._cache[counts] = _placed(self.spec, dict(zip(self._positions, counts, strict=True)))
        return found


def layout_from_spec(spec: LayoutSpec | Mapping[str, Any]) -> Layout:
    """Resolve a declarative layout (a :class:`LayoutSpec` or the dict it validates)."""
    try:
        if not isinstance(spec, LayoutSpec):
            spec = LayoutSpec.model_validate(spec)
    except ValidationError as exc:
        raise LayoutError(f"invalid layout: {exc}") from exc
    records = spec.record_types or [RecordSpec(fields=spec.fields or [])]
    layout = Layout(tuple(_record(r) for r in records), name=spec.name)
    if spec.select is not None:
        layout = layout.with_selector(spec.select.field, spec.select.values, spec.select.default)
    return layout
