"""The requests the benchmark sends: one valid applicant, and columnar batches of demo rows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from scoregate.app.demo import DEMO_APPLICANT
from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR
from scoregate.core.contract import ColumnBatch, ModelMetadata, ScoreRequest

MODEL = DEMO_MODEL
META = ModelMetadata.model_validate_json((DEMO_MODELS_DIR / DEMO_MODEL / "1" / "metadata.json").read_bytes())
FEATURE_NAMES = META.feature_schema.names

APPLICANT = DEMO_APPLICANT


def single_request(reason_count: int = 0) -> ScoreRequest:
    return ScoreRequest(request_id="bench", model=MODEL, features=APPLICANT, reason_count=reason_count)


def demo_rows(rows: int, seed: int = 7) -> np.ndarray:
    """Valid rows in the demo model's feature order (NaN = missing, categories as indexes)."""
    from scoregate.core.train import generate_dataset  # imports XGBoost: only where rows are needed

    matrix, _, _ = generate_dataset(rows, seed)
    return np.ascontiguousarray(matrix, dtype=np.float64)


def batches(matrix: np.ndarray, size: int) -> list[ColumnBatch]:
    """``matrix`` cut into ColumnBatches of ``size`` rows (the last one may be shorter)."""
    return [ColumnBatch(FEATURE_NAMES, matrix[i : i + size]) for i in range(0, matrix.shape[0], size)]


def cycle(items: list) -> Iterator:
    """Endless round-robin over ``items`` (callers bound their loops themselves)."""
    while True:
        yield from items
