"""Records whose shape varies (OCCURS ... DEPENDING ON), decoded and encoded a shape at a time.

Decoding reads each table's counter (vectorised over the records, at the position the earlier
counts put it), groups the records by their tuple of counts, and decodes each field with the
shapes' fixed layouts, over the run of records (in shape order) that hold it at one offset. A
file holds few distinct shapes, so the numpy calls per batch grow with the shapes, never with
the records. A count that does not
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
            cells = sub[:, f.offset: f.end] if rows.size == sub.shape[0] else sub[rows, f.offset: f.end]
            values, reasons = codec_of(f).decode(cells)
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
    """(columns, absent masks, counts) of the records ``sub`` of an ODO record type.

    The records are put in shape order once (ascending counts), so that the records holding a
    field form one run: a field every record has decodes over the batch in place, an occurrence
    of a table over the run of the records that have it (a view), a field after a table run by
    run at each shape's offset. Absent occurrences are never decoded."""
    m = sub.shape[0]
    groups, counts = group_by_shape(rtype, sub, index, codec_of, rejects)
    plans = [plan_for(shape) for _, shape in groups]
    order = np.concatenate([rows for rows, _ in groups]) if groups else np.zeros(0, np.int64)
    bounds = np.cumsum([0, *(rows.size for rows, _ in groups)])
    ordered = sub[order]
    short = np.zeros(order.size, bool)  # in shape order
    if lengths is not None:
        for g, plan in enumerate(plans):
            short[bounds[g]: bounds[g + 1]] = lengths[order[bounds[g]: bounds[g + 1]]] < plan.rtype.length
    rejects.add(index[order[short]], "", Reason.SHORT_RECORD)
    short_here = np.zeros(m, bool)  # the same, in batch order
    short_here[order] = short
    columns: dict[str, np.ndarray] = {}
    absent: dict[str, np.ndarray] = {}
    presence: dict[tuple[int, ...], np.ndarray] = {}  # the fields of one occurrence share one mask
    for f, codec in full.decode:
        having = [g for g, plan in enumerate(plans) if f.name in plan.rtype._by_name]
        if len(having) < len(groups) or order.size < m:  # some records lack it (or have no shape)
            key = tuple(having)
            if key not in presence:
                mask = np.ones(m, bool)
                mask[np.concatenate([order[bounds[g]: bounds[g + 1]] for g in having] or [order[:0]])] = False
                presence[key] = mask
            absent[f.name] = presence[key]
        fields = [plans[g].rtype.field(f.name) for g in having]
        if not having:
            columns[f.name] = codec.empty(m)
        elif f.name not in absent and len({x.offset for x in fields}) == 1:  # every record, one offset
            columns[f.name], reasons = codec.decode(sub[:, fields[0].offset: fields[0].end])
            bad = np.flatnonzero((reasons != 0) & ~short_here)
            rejects.add(index[bad], f.name, reasons[bad])
        else:
            columns[f.name] = column = codec.empty(m)
            runs = _runs(having, fields, bounds)
            for lo, hi, x in runs:
                values, reasons = codec.decode(ordered[lo:hi, x.offset: x.end])
                column[order[lo:hi]] = values
                bad = np.flatnonzero((reasons != 0) & ~short[lo:hi])
                rejects.add(index[order[lo + bad]], f.name, reasons[bad])
    return columns, absent, counts


def _runs(having: list[int], fields: list[Field], bounds: np.ndarray) -> list[tuple[int, int, Field]]:
    """Consecutive shapes that hold a field at the same offset, merged: (start, end, field)."""
    runs: list[tuple[int, int, Field]] = []
    for g, x in zip(having, fields, strict=True):
        lo, hi = int(bounds[g]), int(bounds[g + 1])
        if runs and runs[-1][1] == lo and runs[-1][2].offset == x.offset:
            runs[-1] = (runs[-1][0], hi, x)
        else:
            runs.append((lo, hi, x))
    return runs


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
