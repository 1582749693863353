"""A copybook's record types as ``scoregate scaffold`` sees them: fields as proposal leaves (with
their 88-level codes), which record type is the header, the detail and the trailer, and the type
field that tells them apart. Shared by the drafts of the file channel and of fixed-width queues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scoregate.adapters.codecs.fixedwidth import Kind, Layout, LayoutError, RecordType, parse_copybook
from scoregate.adapters.codecs.fixedwidth.conditions import Condition, conditions
from scoregate.adapters.proposals import Leaf, words

ROLES = {"header": {"header", "hdr", "head"}, "detail": {"detail", "dtl", "data", "body"}, "trailer": {"trailer", "trl", "trail", "footer"}}
_DATE_WORDS = {"date", "dob", "birth", "dt"}


@dataclass(frozen=True)
class Copybook:
    path: Path
    layout: Layout
    conditions: dict[str, tuple[Condition, ...]]

    @classmethod
    def read(cls, path: Path) -> Copybook:
        """Raises ValueError in one line naming the copybook (and its line) when it does not parse."""
        text = Path(path).read_text(encoding="latin-1")
        try:
            return cls(Path(path), parse_copybook(text), conditions(text))
        except LayoutError as error:
            raise ValueError(f"{path}: {error}") from None

    def roles(self) -> dict[str, RecordType]:
        """Record types by role (header, detail, trailer) from their names; one type is the detail."""
        types = self.layout.record_types
        if len(types) == 1:
            return {"detail": types[0]}
        found = {role: t for t in types for role, names in ROLES.items() if set(words(t.name)) & names}
        if "detail" not in found:
            rest = [t for t in types if t not in found.values()] or list(types)
            found["detail"] = max(rest, key=lambda t: len(t.data_fields))
        return found

    def type_field(self) -> tuple[str | None, dict[str, str]]:
        """The field common to every record type at one place (the record type code), and the value
        of each role's type from its 88-levels (``LR-IS-HEADER VALUE 'H'``); ({}: none known)."""
        types = self.layout.record_types
        if len(types) == 1:
            return None, {}
        spans = [{(f.name, f.offset, f.length) for f in t.data_fields} for t in types]
        common = sorted(set.intersection(*spans), key=lambda s: s[1])
        if not common:
            return None, {}
        name = next((n for n, _, _ in common if n in self.conditions), common[0][0])
        roles = self.roles()
        values = {}
        for condition in self.conditions.get(name, ()):
            said = set(words(condition.name))
            role = next((r for r, names in ROLES.items() if said & names), None)
            if role in roles and condition.values:
                values[condition.values[0]] = roles[role].name
        return name, values

    def leaves(self, record: RecordType, skip: set[str] = frozenset()) -> list[Leaf]:
        return [leaf_of(f, self.conditions) for f in record.data_fields if f.name not in skip]


def base_name(name: str) -> str:
    return re.sub(r"\(\d+(,\d+)*\)", "", name.split(" OF ", 1)[0])


def leaf_of(field, found: dict[str, tuple[Condition, ...]]) -> Leaf:  # noqa: ANN001 - a layout Field
    said = set(words(field.name))
    codes = tuple((c.values[0], c.name) for c in found.get(base_name(field.name), ()) if c.values)
    if field.kind is Kind.TEXT:
        read_as = "date" if said & _DATE_WORDS and field.length in (8, 10) else "text"
    elif said & _DATE_WORDS and field.digits == 8 and not field.scale:
        read_as = "date"
    else:
        read_as = "number" if field.scale else "integer"
    return Leaf(field.name, field.describe(), read_as, codes, digits=field.digits, decimals=field.scale,
                length=field.length if field.kind is Kind.TEXT else 0)


def stem(name: str) -> tuple[str, ...]:
    """A field name's words without its record prefix (``LH-RUN-DATE`` -> ``('run', 'date')``)."""
    parts = words(base_name(name))
    return tuple(parts[1:]) if len(parts) > 1 and len(parts[0]) <= 3 else tuple(parts)
