"""Core-layer fixtures: a valid applicant and rows from the demo data generator."""

from __future__ import annotations

import numpy as np
import pytest

from scoregate.app.demo import DEMO_APPLICANT
from scoregate.core.train import generate_dataset

APPLICANT = DEMO_APPLICANT


@pytest.fixture
def applicant() -> dict:
    return dict(APPLICANT)


@pytest.fixture(scope="session")
def demo_rows() -> np.ndarray:
    """500 valid rows in the demo model's feature order (NaN = missing, categories as indexes)."""
    matrix, _, _ = generate_dataset(500, seed=7)
    return np.ascontiguousarray(matrix, dtype=np.float64)
