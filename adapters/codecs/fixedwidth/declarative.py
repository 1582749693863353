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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .errors import LayoutError
from .layout import Field, Kind, Layout, RecordType, numeric_length
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
    """Repeat count; columns are named NAME(1) .. NAME(n)."""
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
    fields: list[Field] = []
    cursor = 0
    for fs in spec.fields:
        offset = cursor if fs.offset is None else fs.offset
        one = _field(fs, offset)
        for i in range(fs.occurs):
            name = f"{fs.name}({i + 1})" if fs.occurs > 1 else fs.name
            fields.append(replace(one, name=name, offset=offset + i * one.length))
        cursor = offset + one.length * fs.occurs
    return RecordType(spec.name, tuple(fields), spec.length or 0)


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
