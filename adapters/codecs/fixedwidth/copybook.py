"""COBOL copybook text -> :class:`~.layout.Layout`; every error names its line.

Supported: level numbers 01-49 and groups; ``PIC``/``PICTURE`` with ``X``, ``A``, ``9``, ``S``,
``V`` and repeat counts (``X(10)``, ``S9(7)V99``, ``SV99``); ``USAGE`` (or bare) ``DISPLAY``,
``COMP``/``COMP-4``/``BINARY``/``COMPUTATIONAL(-n)``, ``COMP-5``, ``COMP-3``/``PACKED-DECIMAL``,
inherited from groups; ``SIGN [IS] LEADING|TRAILING [SEPARATE [CHARACTER]]`` (also on groups);
``OCCURS n [TIMES]`` on items and groups (flattened to ``NAME(1)``, nested ``NAME(1,2)``);
``OCCURS [m TO] n DEPENDING ON counter`` (variable tables, also nested or several; the fields
after them move with the counts: see ``odo.py``); ``SYNCHRONIZED`` (IBM slack bytes, ``tree.py``);
``REDEFINES``; ``FILLER`` and unnamed items; ``BLANK WHEN ZERO``; ``VALUE``, level 88,
``JUSTIFIED``, ``INDEXED BY``, ``KEY IS``, ``GLOBAL``/``EXTERNAL`` are read and ignored.
Fixed format: columns 1-6 (sequence numbers) and 73-80 are ignored, ``*``/``/``/``D`` in column 7
is a comment line, ``-`` continues the previous line (words and literals); an entry may span
lines. Free format (``*>`` comments) is detected when column 7 holds anything else.

Refused with a :class:`~.errors.LayoutError` naming the line: ``COMP-1``/``COMP-2`` floats,
``POINTER``/``INDEX``, national ``PIC N``, DBCS ``PIC G``, edited pictures (``Z``, ``*``, ``$``,
``.``, ``,``, ``+``, ``-``, ``B``, ``0``, ``/``, ``CR``, ``DB``), scaling ``P``, levels 66 and 77,
more than 18 digits.

Record types: several 01 records are one record type each. A single 01 whose group items
redefine each other (header, detail and trailer areas sharing one area) gives one record type per
alternative, each with the fields outside the alternatives (the common type field): the
shallowest such set is used unless ``record_types`` names the groups. Any other REDEFINES is a
second view of the same bytes (decoded; written only when given). Pick record types by a type
field with :meth:`Layout.with_selector`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from .entries import Entry, EntryParser
from .errors import LayoutError
from .layout import Field, Kind, Layout, RecordType
from .lexer import statements
from .odo import EntryShapes, tables_of
from .tree import Flat, flatten, inherit, place, walk


def _roots(text: str, fixed_format: bool | None, name: str) -> list[Entry]:
    roots: list[Entry] = []
    stack: list[Entry] = []
    for tokens in statements(text, fixed_format):
        entry = EntryParser(tokens).entry()
        if entry is None:
            continue
        if entry.level == 66:  # RENAMES entries follow their record; they take no part in its layout
            if not roots:
                raise LayoutError("a level 66 RENAMES entry must follow the record it renames", entry.line)
            roots[-1].children.append(entry)
            continue
        while stack and stack[-1].level >= entry.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(entry)
        stack.append(entry)
    if not roots:
        raise LayoutError("the copybook holds no data description entries")
    if any(r.level != 1 for r in roots):  # a copybook of 05-level items meant for inclusion under an 01
        roots = [Entry(1, name or "RECORD", roots[0].line, children=roots)]
    return roots


def _alternatives(root: Entry, names: Sequence[str] | None) -> list[Entry]:
    """The groups that are record types inside a single 01 (empty: the 01 is the only one)."""
    queue = [root]
    while queue:
        group = queue.pop(0)
        kids = group.children
        for k in kids:
            if names is not None:
                if k.name in names:
                    return [c for c in kids if c.name in names]
            elif k.redefines is not None:
                members = [c for c in kids if c.name == k.redefines or c.redefines == k.redefines]
                if all(m.children for m in members):
                    return members
        queue.extend(k for k in kids if k.children and k.occurs == 1)
    if names:
        raise LayoutError(f"record type groups {list(names)} not found as siblings in the copybook")
    return []


def _record_type(name: str, root: Entry, skip: Sequence[Entry] = (), member: Entry | None = None) -> RecordType:
    """One record type: ``root`` without the record-type groups in ``skip``, plus ``member``."""
    def fields(counts: dict[Entry, int]) -> list[Flat]:
        place(root, counts)
        out: list[Flat] = []
        flatten(root, counts, 0, (), False, root.name, out, skip)
        if member is not None:
            path = _path_to(root, member) or [root, member]
            flatten(member, counts, sum(p.offset for p in path[1:-1]), (), False, path[-2].name, out, ())
        out.extend(_renames(root, out, counts))
        return out

    flat = fields({})
    seen: dict[str, set[Entry]] = {}
    for item in flat:
        if not item.field.filler:
            seen.setdefault(item.field.name, set()).add(item.entry)
    qualified = {e for entries in seen.values() if len(entries) > 1 for e in entries}

    def build(counts: dict[Entry, int]) -> RecordType:
        return RecordType(name, tuple(
            replace(f.field, name=f"{f.field.name} OF {f.parent}") if f.entry in qualified and not f.field.filler
            else f.field for f in fields(counts)))

    rtype = build({})
    names = {f.entry: rtype.fields[i].name for i, f in enumerate(sorted(flat, key=lambda f: f.field.offset))}
    entries = walk(root, skip) + (walk(member) if member is not None else [])
    tables = tables_of(root, entries, flat, names)
    return replace(rtype, shapes=EntryShapes(tables, build)) if tables else rtype


def parse_copybook(text: str, *, record_types: Sequence[str] | None = None, fixed_format: bool | None = None,
                   name: str = "", floating_point: Literal["hfp", "ieee", "ieee-le"] = "hfp") -> Layout:
    """Parse a copybook into a Layout (see the module docstring for what is supported).

    ``record_types`` names the record types: redefining groups of a single 01, some of several 01
    records, or the 01 itself (one type); ``()`` for none, None to find them as described above.
    ``fixed_format`` forces (True) or disables (False) the column rules instead of detecting them.
    ``floating_point``: how COMP-1/COMP-2 are stored, IBM hexadecimal (the mainframe's) or IEEE 754
    big-endian (``ieee``: converted on the way) or little-endian (``ieee-le``: written by COBOL on
    x86, GnuCOBOL's native floats).
    """
    roots = _roots(text, fixed_format, name)
    if floating_point not in ("hfp", "ieee", "ieee-le"):
        raise LayoutError(f"floating_point must be 'hfp', 'ieee' or 'ieee-le', not {floating_point!r}")
    options = {"floating_point": floating_point}
    for root in roots:
        inherit(root, "DISPLAY", (None, False), False, False, options)
        place(root, {})
    if len(roots) > 1:
        if record_types and (missing := set(record_types) - {r.name for r in roots}):
            raise LayoutError(f"record types {sorted(missing)} are not 01 records of the copybook")
        types = [_record_type(r.name, r) for r in roots if not record_types or r.name in record_types]
    else:
        root = roots[0]
        # Naming the 01 itself means: one record type, every REDEFINES a view.
        members = [] if record_types and root.name in record_types else _alternatives(root, record_types)
        types = [_record_type(m.name, root, members, m) for m in members] or [_record_type(root.name, root)]
    return Layout(tuple(types), name=name or roots[0].name)


def _renames(root: Entry, flat: list[Flat], counts: dict[Entry, int]) -> list[Flat]:
    """Level 66: one item renamed is that item under a new name; A THRU B is text over their bytes."""
    by_entry = {f.entry: f.field for f in flat}
    out = []
    for e in (c for c in root.children if c.renames is not None):
        first, last = e.renames
        span = []
        for name in (first, last or first):
            found = [x for x in walk(root) if x.name == name and x.renames is None]
            path = _path_to(root, found[0]) if len(found) == 1 else None
            if path is None or any(p.occurs > 1 or p.depending_on for p in path[1:]):
                raise LayoutError(f"RENAMES {name}: no single item of that name outside tables in the record", e.line)
            if path[-1].children and not any(x in by_entry for x in walk(path[-1])) or \
                    not path[-1].children and path[-1] not in by_entry:
                break  # the item belongs to another record type
            span.append((sum(p.offset for p in path[1:]), path[-1]))
        if len(span) < 2:
            continue
        (start, a), (end_start, b) = span
        if last is None and not a.children:
            out.append(Flat(root.name, e, replace(by_entry[a], name=e.name, redefines=True, line=e.line)))
            continue
        end = end_start + b.size * counts.get(b, b.occurs)
        if end <= start:
            raise LayoutError(f"RENAMES {first} THRU {last}: {last} ends before {first} starts", e.line)
        out.append(Flat(root.name, e, Field(e.name, start, end - start, Kind.TEXT, redefines=True, line=e.line)))
    return out


def _path_to(node: Entry, target: Entry) -> list[Entry] | None:
    if node is target:
        return [node]
    for child in node.children:
        if (found := _path_to(child, target)) is not None:
            return [node, *found]
    return None
