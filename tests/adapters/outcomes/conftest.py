"""The loans of ``outcome_support`` in a real audit, with their outcomes in the store beside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from outcome_support import ROWS, outcomes_of, score_loans, write_audit

from scoregate.adapters.outcomes.store import open_outcome_store


@pytest.fixture(scope="module")
def loans(demo_artifact: Path) -> dict[str, np.ndarray]:
    return score_loans(demo_artifact)


@pytest.fixture()
def audit(tmp_path: Path, loans: dict[str, np.ndarray]) -> Path:
    """The audit, with the outcomes of all but the last ten loans (they arrive later) in its store."""
    path = tmp_path / "audit.sqlite"
    write_audit(path, loans)
    with open_outcome_store("sqlite", audit=path) as store:
        store.add(outcomes_of(loans)[: ROWS - 10])
    return path


@pytest.fixture()
def store(audit: Path):  # noqa: ANN201
    with open_outcome_store("sqlite", audit=audit) as opened:
        yield opened


