"""One record at a time, for the AMQP channel: ``decode_one`` / ``encode_one`` of RecordCodec."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from .batch import RecordError
from .layout import Field, Kind


class SingleRecords:
    """Mixed into :class:`~.records.RecordCodec`: the single-message API over its batch API."""

    def decode_one(self, record: bytes) -> dict[str, Any]:
        """One unframed record (an AMQP message body; a trailing line end is allowed) -> values:
        ``str`` for text, ``int`` for numbers, ``Decimal`` for scaled numbers. Raises
        :class:`RecordError` (with the good values and every bad field) if anything is bad."""
        end = self.framer.line_end
        data = bytes(record[: -len(end)] if end and bytes(record).endswith(end) else record)
        framed = np.zeros((1, self.lrecl), np.uint8)
        framed[0, : min(len(data), self.lrecl)] = np.frombuffer(data[: self.lrecl], np.uint8)
        batch = self.decode(framed, np.array([len(data)], np.int64))
        values: dict[str, Any] = {}
        for part in batch.parts.values():
            if part.index.size:
                rtype = batch._record_type(int(part.index[0]))
                for f, _ in self._plans[self.layout.record_types.index(part.record_type)].decode:
                    if f.name in part.absent and part.absent[f.name][0]:
                        continue  # an occurrence past its OCCURS DEPENDING ON count
                    f = rtype.field(f.name)
                    v = part.columns[f.name][0]
                    values[f.name] = None if f.end > len(data) else _python_value(f, v)
        if len(batch.errors):
            for reject in batch.errors:
                values[reject.field] = None
            values.pop("", None)
            raise RecordError(values, batch.explain())
        return values

    def encode_one(self, values: Mapping[str, Any], record_type: str | None = None) -> bytes:
        """Values (as ``decode_one`` returns them) -> one unframed record (F: padded to LRECL)."""
        columns = {k: np.array([v], dtype=object) for k, v in values.items()}
        record = self.encode_records(columns, record_type)[0]
        if not self.framer.variable and record.size < self.lrecl:
            record = np.concatenate([record, np.full(self.lrecl - record.size, self.codepage.space, np.uint8)])
        return record.tobytes()


def _python_value(f: Field, v: Any) -> Any:
    """A decoded cell as ``decode_one`` gives it: str, float, int, or Decimal when scaled or wide."""
    if f.kind in (Kind.TEXT, Kind.NATIONAL):
        return str(v)
    if f.kind is Kind.FLOAT:
        return float(v)
    if isinstance(v, Decimal):
        return v
    return Decimal(int(v)).scaleb(-f.scale) if f.scale else int(v)
