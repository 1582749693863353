"""The loans of ``outcome_support`` in a real audit, with their outcomes in the store beside it:
``audit`` is a SQLite file (the CLI's ``--db``); ``store`` runs each test once per outcome store,
SQLite and PostgreSQL (a schema of its own on the test server)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from outcome_support import ROWS, STORES, outcomes_of, score_loans, store_name, write_audit

from scoregate.adapters.outcomes.store import open_outcome_store


@pytest.fixture(scope="module")
def loans(demo_artifact: Path) -> dict[str, np.ndarray]:
    return score_loans(demo_artifact)


def _loaded(audit: Path | str, loans: dict[str, np.ndarray]) -> Path | str:
    """The audit, with the outcomes of all but the last ten loans (they arrive later) in its store."""
    write_audit(audit, loans)
    with open_outcome_store(store_name(audit), audit=audit) as store:
        store.add(outcomes_of(loans)[: ROWS - 10])
    return audit


@pytest.fixture()
def audit(tmp_path: Path, loans: dict[str, np.ndarray]) -> Path:
    return _loaded(tmp_path / "audit.sqlite", loans)


@pytest.fixture(params=STORES)
def any_audit(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """An empty audit of each kind: a SQLite file's path, a migrated PostgreSQL schema's URL."""
    return tmp_path / "audit.sqlite" if request.param == "sqlite" else request.getfixturevalue("pg_migrated")


@pytest.fixture()
def store(any_audit: Path | str, loans: dict[str, np.ndarray]):  # noqa: ANN201
    audit = _loaded(any_audit, loans)
    with open_outcome_store(store_name(audit), audit=audit) as opened:
        yield opened


