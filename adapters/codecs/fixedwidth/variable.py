"""Records whose shape varies (OCCURS ... DEPENDING ON), decoded and encoded a shape at a time.

Decoding reads each table's counter (vectorised over the records, at the position the earlier
counts put it), groups the records by their tuple of counts, and decodes each group with that
shape's fixed layout, as a fixed-layout record type is decoded. A file holds few distinct shapes,
so the numpy calls per batch grow with the shapes, never with the records. A count that does not
decode, or is outside the table's ``min TO max``, rejects its record (BAD_ODO_COUNT); the other
records decode normally. Occurrences past a record's count are ``absent`` in its Part.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .batch import _Collector
from .errors import EncodeError, Reason
from .fields import FieldCodec, to_scaled
from .layout import Field, RecordType

PlanFor = Callable[[tuple[int, ...]], Any]
"""counts -> the codec's plan (``rtype``, ``decode``, ``encode``, ``template``) of that shape."""


def _split(rows: np.ndarray, values: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Rows grouped by value, in one sort (not one mask per distinct value)."""
    if not values.size:
        return []
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    cuts = np.flatnonzero(np.diff(ordered)) + 1
    return [(rows[order[a:b]], int(ordered[a])) for a, b in zip(np.r_[0, cuts], np.r_[cuts, values.size], strict=True)]


def group_by_shape(rtype: RecordType, sub: np.ndarray, index: np.ndarray, codec_of: Callable[[Field], FieldCodec],
                   rejects: _Collector) -> tuple[list[tuple[np.ndarray, tuple[int, ...]]], np.ndarray]:
    """(rows of ``sub``, counts) per shape, and the (m, tables) counts (-1 from the first count
    that does not read or is out of range)."""
    shapes = rtype.shapes
    assert shapes is not None
    maxima = tuple(t.maximum for t in shapes.tables)
    counts = np.full((sub.shape[0], len(maxima)), -1, np.int64)
    groups: list[tuple[np.ndarray, tuple[int, ...]]] = [(np.arange(sub.shape[0]), ())]
    for k, table in enumerate(shapes.tables):
        split: list[tuple[np.ndarray, tuple[int, ...]]] = []
        for rows, prefix in groups:
            # Only earlier counts move the counter of table k (odo.py checks that at parse time).
            f = shapes.record_type(prefix + maxima[k:]).field(table.counter)
            values, reasons = codec_of(f).decode(sub[rows, f.offset: f.end])
            values = np.asarray(values, np.int64)
            bad = reasons != 0
            rejects.add(index[rows[bad]], table.counter, reasons[bad])
            outside = ~bad & ((values < table.minimum) | (values > table.maximum))
            rejects.add(index[rows[outside]], table.counter, Reason.BAD_ODO_COUNT)
            ok = ~(bad | outside)
            counts[rows[ok], k] = values[ok]
            split.extend((part, (*prefix, value)) for part, value in _split(rows[ok], values[ok]))
        groups = split
    return groups, counts


def decode_shapes(rtype: RecordType, sub: np.ndarray, index: np.ndarray, lengths: np.ndarray | None,
                  plan_for: PlanFor, full: Any, codec_of: Callable[[Field], FieldCodec], rejects: _Collector
                  ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """(columns, absent masks, counts) of the records ``sub`` of an ODO record type."""
    m = sub.shape[0]
    groups, counts = group_by_shape(rtype, sub, index, codec_of, rejects)
    columns = {f.name: codec.empty(m) for f, codec in full.decode}
    absent: dict[str, np.ndarray] = {}
    unread = (counts < 0).any(axis=1)
    for rows, shape in groups:
        plan = plan_for(shape)
        cells = sub[rows]
        short = np.zeros(rows.size, bool)
        if lengths is not None:
            short = lengths[rows] < plan.rtype.length
            rejects.add(index[rows[short]], "", Reason.SHORT_RECORD)
        present = set()
        for f, codec in plan.decode:
            values, reasons = codec.decode(cells[:, f.offset: f.end])
            columns[f.name][rows] = values
            present.add(f.name)
            bad = np.flatnonzero((reasons != 0) & ~short)
            rejects.add(index[rows[bad]], f.name, reasons[bad])
        for name in columns.keys() - present:
            absent.setdefault(name, np.zeros(m, bool))[rows] = True
    for mask in absent.values():
        mask |= unread
    return columns, absent, counts


def encode_shapes(rtype: RecordType, columns: Mapping[str, Any], n: int, plan_for: PlanFor,
                  fill: Callable[[Any, np.ndarray, Mapping[str, Any], np.ndarray], None], pad: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(n, longest) records and their lengths; each record's shape comes from its counter columns
    (a counter without a column: the table's minimum)."""
    shapes = rtype.shapes
    assert shapes is not None
    counts = np.empty((n, len(shapes.tables)), np.int64)
    columns = dict(columns)
    for k, table in enumerate(shapes.tables):
        if table.counter not in columns:
            columns[table.counter] = np.full(n, table.minimum, np.int64)
        counts[:, k] = to_scaled(columns[table.counter], 0)
        if (wrong := np.flatnonzero((counts[:, k] < table.minimum) | (counts[:, k] > table.maximum))).size:
            raise EncodeError(table.counter, "OCCURS_OUT_OF_RANGE", wrong,
                              f"{table.table} holds {table.minimum} to {table.maximum} occurrences")
    out = np.full((n, rtype.length), pad, np.uint8)
    lengths = np.empty(n, np.int64)
    shapes_seen, inverse = np.unique(counts, axis=0, return_inverse=True)
    for g, shape in enumerate(shapes_seen):
        rows = np.flatnonzero(inverse.reshape(-1) == g)
        plan = plan_for(tuple(int(c) for c in shape))
        records = np.tile(plan.template, (rows.size, 1))
        fill(plan, records, columns, rows)
        out[rows, : plan.rtype.length] = records
        lengths[rows] = plan.rtype.length
    return out, lengths
