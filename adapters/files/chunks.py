"""What flows through a file's pipeline: the chunks of decoded records and the outputs' running
counts. Their own module, because the pipeline and the file's control checks both handle them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scoregate.adapters.codecs.fixedwidth import DecodedBatch
from scoregate.adapters.files.rejects import RejectRow


@dataclass
class Outputs:
    response: Path
    rejects: Path
    records: int = 0
    """Detail records in the input."""
    scored: int = 0
    rejected: int = 0
    """Distinct rejected records (bad details and records of no known type)."""
    model: str = ""


@dataclass
class Chunk:
    batch: DecodedBatch
    rows: np.ndarray
    """Batch positions of the detail records."""
    good: np.ndarray
    """(len(rows),) bool: decoded and mapped cleanly, sent to the core."""
    matrix: np.ndarray
    rejects: dict[int, list[RejectRow]] = field(default_factory=dict)
    """Batch position -> reject rows (decode and mapping problems)."""
