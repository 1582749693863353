"""Header, trailer and control totals of one input file, checked as its chunks go by.

Mainframe operators expect a file whose trailer disagrees with its details (record count,
control totals of amount fields) to be refused as a whole: ``FileControl`` raises
:class:`~.rejects.FileRejected` for that, for a missing or misplaced header or trailer, and for a
header or trailer that does not decode. Sums are exact (units of the last digit, compared as
``Decimal``; 19-31 digit fields included).
"""

from __future__ import annotations

from decimal import Context, Decimal
import numpy as np

from scoregate.adapters.files.chunks import Chunk, Outputs
from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.rejects import FileRejected


WIDE = Context(prec=80)
"""Totals of 19-31 digit fields: the default context's 28 digits would round them."""


def decimal_value(units: int | Decimal, scale: int) -> Decimal:
    """A cell as a Decimal: int64 cells are units of the last digit; wide (19-31 digit) cells
    already decode to Decimal real values."""
    return units if isinstance(units, Decimal) else Decimal(int(units)).scaleb(-scale, context=WIDE)


def units_sum(column: np.ndarray, scale: int) -> int:
    """The exact sum of a numeric column in units of its last digit (wide columns included)."""
    if column.dtype == object:
        return sum((int(v.scaleb(scale, context=WIDE)) for v in column), 0)
    return int(column.sum())


class FileControl:
    """Header, trailer and the running counts of one file (checked as chunks arrive)."""

    def __init__(self, config: FileJobConfig, outputs: Outputs) -> None:
        self.cfg = config
        self.outputs = outputs
        self.header: dict[str, np.ndarray] | None = None
        self.header_written = False
        self.trailer: dict[str, np.ndarray] | None = None
        self.trailer_at = -1
        self.records_seen = 0
        self.details = 0
        self.detail_totals: dict[str, int] = {}
        self.response_totals: dict[str, int] = {}
        self.scored = 0
        self.rejected = 0

    def structure(self, chunk: Chunk) -> None:
        cfg, batch = self.cfg.input, chunk.batch
        n = len(batch)
        if self.trailer is not None and n:
            raise FileRejected("MISPLACED_TRAILER", f"record {self.trailer_at + 1} is a trailer but more records follow")
        for group, what in ((cfg.header, "HEADER"), (cfg.trailer, "TRAILER")):
            if group is None:
                continue
            index = batch.parts[group].index
            bad = np.intersect1d(index, batch.errors.records)
            if bad.size:
                e = next(x for x in batch.explain() if x.record == bad[0])
                raise FileRejected(f"BAD_{what}", f"record {batch.start + int(bad[0]) + 1}: {e.reason}: {e.message}")
        if cfg.header:
            index = batch.parts[cfg.header].index
            if batch.start == 0 and n and (index.size == 0 or index[0] != 0):
                raise FileRejected("NO_HEADER", "record 1 is not a header record")
            if index.size > 1 or (index.size and batch.start + index[0] != 0):
                at = batch.start + int(index[-1]) + 1
                raise FileRejected("MISPLACED_HEADER", f"record {at} is a header record")
            if index.size:
                self.header = {k: v[:1] for k, v in batch.parts[cfg.header].columns.items()}
        if cfg.trailer:
            index = batch.parts[cfg.trailer].index
            if index.size > 1 or (index.size and index[0] != n - 1):
                raise FileRejected("MISPLACED_TRAILER", f"record {batch.start + int(index[0]) + 1} is a trailer but more records follow")
            if index.size:
                self.trailer = {k: v[:1] for k, v in batch.parts[cfg.trailer].columns.items()}
                self.trailer_at = batch.start + n - 1
        self.records_seen += n
        part = batch.parts[cfg.detail]
        self.details += len(part)
        for source in self.cfg.trailer_check.totals.values():
            scale = part.record_type.field(source).scale
            self.detail_totals[source] = self.detail_totals.get(source, 0) + units_sum(part.columns[source], scale)
        self.outputs.records = self.details

    def finish(self) -> None:
        """At the end of the file: the trailer must be there and agree with the details."""
        cfg, check = self.cfg, self.cfg.trailer_check
        self.outputs.scored, self.outputs.rejected = self.scored, self.rejected
        if cfg.input.header and self.header is None:
            raise FileRejected("NO_HEADER", "the file has no header record")
        if not cfg.input.trailer:
            return
        if self.trailer is None:
            raise FileRejected("NO_TRAILER", "the file has no trailer record (truncated?)")
        if check.count and int(self.trailer[check.count][0]) != self.details:
            raise FileRejected("TRAILER_COUNT", f"{check.count} says {int(self.trailer[check.count][0])}, "
                                                f"the file has {self.details} detail records")
        layout = cfg.input_codec.layout
        for target, source in check.totals.items():
            said = decimal_value(self.trailer[target][0], layout.record_type(cfg.input.trailer).field(target).scale)
            found = decimal_value(self.detail_totals[source], layout.record_type(cfg.input.detail).field(source).scale)
            if said != found:
                raise FileRejected("TRAILER_TOTAL", f"{target} says {said}, the {source} of the detail records add up to {found}")
