"""OCCURS ... DEPENDING ON: the tables of a record type, their counters, one layout per shape.

A shape is one tuple of counts, one per table and, for a table whose counter sits in each
occurrence of an outer table, one per such occurrence (``GROUP OCCURS 0 TO 2 DEPENDING ON
COUNT`` holding ``INNER-COUNT`` and ``INNER-GROUP ... DEPENDING ON INNER-COUNT`` has three:
COUNT, INNER-COUNT(1), INNER-COUNT(2); the outer occurrences then differ in size, each as long as
its own counts make it, as Cobrix reads them). Each shape is a fixed layout, built on first use
by placing the copybook's entry tree with those counts, then cached: a file holds few distinct
shapes, and the records of one shape decode together, vectorised (``variable.py``).

Rules (which keep a shape readable front to back): the counter is an integer numeric item of the
same record, before the table it counts and outside it; every table holding the counter holds
the table too (the counter of one occurrence counts the table of that occurrence). Nested
tables and several tables are allowed.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence

from .entries import Entry
from .errors import LayoutError
from .layout import DependingOn, Kind, RecordType
from .tree import Counts, Flat, is_table, walk

_PLACING = threading.Lock()
"""Placing a shape rewrites the offsets in the shared entry tree: one shape at a time."""

Key = tuple[Entry, tuple[int, ...]]
"""An ODO table and the subscripts of the outer tables its count is read in."""


def tables_of(root: Entry, entries: list[Entry], flat: list[Flat], names: dict[Key, str]
              ) -> list[tuple[Key, DependingOn]]:
    """The ODO tables among ``entries`` (a record type's, in copybook order) with their counters,
    one per outer occurrence where the counter is read per occurrence, in counter order.
    Marks the outer tables whose occurrences vary (``Entry.varies``, ``Entry.odo_depth``)."""
    order = {e: i for i, e in enumerate(walk(root))}
    parents = {child: e for e in walk(root) for child in e.children}
    found: list[tuple[int, Key, DependingOn, tuple[Entry, ...]]] = []
    offsets = {(f.entry, f.subs): f.field.offset for f in flat}
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
        if counter in walk(table):
            raise LayoutError(f"{where}: the counter is inside the table it counts", table.line)
        if order[counter] > order[table]:
            raise LayoutError(f"{where}: the counter must come before the table in the same record", table.line)
        outer = _tables_above(counter, parents)
        if not set(outer) <= set(_tables_above(table, parents)):
            raise LayoutError(f"{where}: the counter is inside a table that does not hold {table.name} "
                              "(which occurrence counts it?)", table.line)
        table.odo_depth = len(outer)
        for t in outer:
            t.varies = True
        for subs in itertools.product(*(range(1, t.occurs + 1) for t in outer)):
            if (counter, subs) not in names:  # e.g. in another record type's REDEFINES alternative
                raise LayoutError(f"{where}: the counter is not a field of this record type", table.line)
            name = table.name + (f"({','.join(map(str, subs))})" if subs else "")
            spec = DependingOn(name, names[(counter, subs)], table.occurs_min or 0, table.occurs, table.line)
            found.append((offsets[(counter, subs)], (table, subs), spec, outer))
    found.sort(key=lambda x: x[0])
    index = {key: k for k, (_, key, _, _) in enumerate(found)}
    out = []
    for _, (table, subs), spec, outer in found:
        # The outer ODO occurrences this one lives in: counted by earlier tables of the list.
        inside = tuple((index[(t, subs[: t.odo_depth])], subs[j]) for j, t in enumerate(outer)
                       if t.depending_on is not None)
        out.append(((table, subs), DependingOn(spec.table, spec.counter, spec.minimum, spec.maximum, spec.line,
                                               inside)))
    return out


def _tables_above(e: Entry, parents: dict[Entry, Entry]) -> tuple[Entry, ...]:
    """The tables enclosing ``e`` (not ``e`` itself), outermost first."""
    out = []
    while e in parents:
        e = parents[e]
        if is_table(e):
            out.append(e)
    return tuple(reversed(out))


class EntryShapes:
    """:class:`~.layout.Shapes` of a copybook record type: places the entry tree per shape."""

    def __init__(self, tables: Sequence[tuple[Key, DependingOn]], build: Callable[[Counts], RecordType]) -> None:
        self.tables = tuple(spec for _, spec in tables)
        self._keys = tuple(key for key, _ in tables)
        self._build = build
        self._cache: dict[tuple[int, ...], RecordType] = {}

    def record_type(self, counts: tuple[int, ...]) -> RecordType:
        counts = tuple(int(c) for c in counts)
        if (found := self._cache.get(counts)) is not None:
            return found
        known: list[int] = []
        for spec, count in zip(self.tables, counts, strict=True):
            if not spec.present(known):
                count = 0  # an absent table: whatever was given, no occurrence is placed
            elif not spec.minimum <= count <= spec.maximum:
                raise ValueError(f"{spec.table}: {count} occurrences, outside {spec.minimum} to {spec.maximum}")
            known.append(count)
        with _PLACING:
            rtype = self._build(dict(zip(self._keys, known, strict=True)))
        self._cache[counts] = rtype
        return rtype
