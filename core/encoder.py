"""The core's public encoder, for code that batches single requests itself (AMQP, the client's
coalescing).

The same code the core runs, so that a channel's encoding and its violations are the core's own:
``encode_features`` turns one request's canonical features into the model's float64 row (with the
field violations the core would report), ``result_from_batch`` turns one row of a scored batch
into a single :class:`~scoregate.core.contract.ScoreResult`, and ``RowEncoder`` places many
requests' features in one matrix quickly, leaving the checks to the core. Channels import these
from here, never from ``validation`` or ``convert``, whose other functions are the core's internals.
"""

from __future__ import annotations

import math

from scoregate.core.contract import FeatureKind, FeatureSchema, FeatureValue
from scoregate.core.convert import result_from_batch
from scoregate.core.validation import encode_features

__all__ = ["RowEncoder", "encode_features", "result_from_batch"]


class RowEncoder:
    """Canonical features -> one matrix row, fast: about 10x cheaper than ``encode_features``.

    It only places values (feature order, category code -> index, numbers as floats); missing,
    range and whole-number checks are left to the core, which validates the whole matrix with
    numpy and returns the failing rows with the same violations a ``Score`` call gives. Anything
    it cannot place returns None, and the caller asks ``encode_features`` what is wrong.
    """

    def __init__(self, schema: FeatureSchema) -> None:
        self.names = schema.names
        self._index = {name: i for i, name in enumerate(self.names)}
        self._codes = {
            i: {code: float(k) for k, code in enumerate(spec.codes)}
            for i, spec in enumerate(schema.features) if spec.kind is FeatureKind.CATEGORY
        }

    def encode(self, features: dict[str, FeatureValue]) -> list[float] | None:
        row = [math.nan] * len(self.names)
        for name, value in features.items():
            i = self._index.get(name)
            if i is None or isinstance(value, bool):
                return None
            if value is None:
                continue
            codes = self._codes.get(i)
            if codes is not None:
                # Legacy formats often carry numeric codes; the core compares them as text too.
                cell = codes.get(str(value)) if isinstance(value, int | str) else None
                if cell is None:
                    return None
                row[i] = cell
            elif isinstance(value, int | float):
                row[i] = float(value)
            else:
                return None
        return row

