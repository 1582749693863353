"""OCCURS ... DEPENDING ON: the tables of a record type, their counters, one layout per shape.

A shape is one tuple of counts (one per table). Each shape is a fixed layout, built on first use
by placing the copybook's entry tree with those counts, then cached: a file holds few distinct
shapes, and the records of one shape decode together, vectorised (``variable.py``).

Rules (IBM Enterprise COBOL's, which keep a shape readable front to back): the counter is an
integer numeric item of the same record, outside every table, before the table it counts; its
position may depend on earlier tables only. Nested tables and several tables are allowed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from .entries import Entry
from .errors import LayoutError
from .layout import DependingOn, Kind, RecordType
from .tree import Flat, walk

_PLACING = threading.Lock()
"""Placing a shape rewrites the offsets in the shared entry tree: one shape at a time."""


def tables_of(root: Entry, entries: list[Entry], flat: list[Flat], names: dict[Entry, str]
              ) -> list[tuple[Entry, DependingOn]]:
    """The ODO tables among ``entries`` (a record type's, in copybook order) with their counters."""
    order = {e: i for i, e in enumerate(walk(root))}
    inside_table = _inside_tables(root)
    found = []
    for table in (e for e in entries if e.depending_on is not None):
        where = f"OCCURS ... DEPENDING ON {table.depending_on}"
        counters = [e for e in walk(root) if e.name == table.depending_on and e is not table]
        if len(counters) != 1:
            problem = "no item of that name in the record" if not counters else "the name is not unique in the record"
            raise LayoutError(f"{where}: {problem}", table.line)
        counter = counters[0]
        item = counter.item
        if counter.children or item is None or item.picture.kind not in (Kind.ZONED, Kind.PACKED, Kind.BINARY) \
                or item.picture.scale:
            raise LayoutError(f"{where}: the counter must be an integer numeric item", table.line)
        if counter in inside_table:
            raise LayoutError(f"{where}: the counter is inside a table (each occurrence would need its own shape)",
                              table.line)
        if order[counter] > order[table] or counter not in names:
            raise LayoutError(f"{where}: the counter must come before the table in the same record", table.line)
        found.append((counter, table, DependingOn(table.name, names[counter], table.occurs_min or 0, table.occurs,
                                                  table.line)))
    found.sort(key=lambda ctd: order[ctd[0]])
    return [(table, spec) for _, table, spec in found]


def _inside_tables(root: Entry) -> set[Entry]:
    out: set[Entry] = set()

    def visit(e: Entry, in_table: bool) -> None:
        if in_table:
            out.add(e)
        for child in e.children:
            visit(child, in_table or e.occurs > 1 or e.depending_on is not None)
    visit(root, False)
    return out


class EntryShapes:
    """:class:`~.layout.Shapes` of a copybook record type: places the entry tree per shape."""

    def __init__(self, tables: Sequence[tuple[Entry, DependingOn]],
                 build: Callable[[dict[Entry, int]], RecordType]) -> None:
        self.tables = tuple(spec for _, spec in tables)
        self._entries = tuple(entry for entry, _ in tables)
        self._build = build
        self._cache: dict[tuple[int, ...], RecordType] = {}

    def record_type(self, counts: tuple[int, ...]) -> RecordType:
        counts = tuple(int(c) for c in counts)
        if (found := self._cache.get(counts)) is not None:
            return found
        for spec, count in zip(self.tables, counts, strict=True):
            if not spec.minimum <= count <= spec.maximum:
                raise ValueError(f"{spec.table}: {count} occurrences, outside {spec.minimum} to {spec.maximum}")
        with _PLACING:
            rtype = self._build(dict(zip(self._entries, counts, strict=True)))
        self._cache[counts] = rtype
        return rtype
