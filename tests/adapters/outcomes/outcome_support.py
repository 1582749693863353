"""Loans drawn from the demo data's own label process (``core.train.generate_dataset``), scored by
the shipped demo model (the champion, answering) and by a deliberately weakened challenger (the same
model blind to the bureau features, in the shadow), written to a real audit with their outcomes.

An audit is a SQLite file (a ``Path``) or a PostgreSQL schema (its URL, ``pg_migrated``): the
outcome stores are tested against both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xgboost as xgb

from scoregate.adapters.decisions.records import DecisionRecord
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.outcomes.records import Outcome
from scoregate.core.train import DEMO_BANDS, SCHEMA, generate_dataset

ROWS = 6_000
BLINDED = ("debt_to_income", "revolving_utilisation", "delinquencies_2y", "inquiries_6m", "bankruptcies", "interest_rate")


def band(p: float) -> str:
    return next(b.name for b in DEMO_BANDS if p < b.upper or b is DEMO_BANDS[-1])


def score_loans(demo_artifact: Path) -> dict[str, np.ndarray]:
    """bad (0/1), champion and challenger probability, and the month of each decision (half in 1, half in 2)."""
    matrix, labels, _ = generate_dataset(ROWS, seed=777)
    booster = xgb.Booster(model_file=str(demo_artifact / "model.ubj"))
    weakened = matrix.copy()
    weakened[:, [SCHEMA.names.index(n) for n in BLINDED]] = np.nan
    return {"bad": labels.astype(np.int8), "champion": booster.inplace_predict(matrix).astype(np.float64),
            "challenger": booster.inplace_predict(weakened).astype(np.float64),
            "month": np.where(np.arange(ROWS) < ROWS // 2, 1, 2)}


STORES = ("sqlite", "postgres")


def store_name(audit: Path | str) -> str:
    """The outcome store beside ``audit``."""
    return "postgres" if isinstance(audit, str) else "sqlite"


def audit_log(audit: Path | str, **options: object):  # noqa: ANN201 - an AuditStore, written on close
    """The audit's writer: the SQLite file's, or the PostgreSQL one's (``[state] postgres``)."""
    if isinstance(audit, str):
        from scoregate.adapters.state.postgres_audit import PostgresAuditLog

        return PostgresAuditLog(audit, **options)
    return AuditLog(audit, **options)


def write_audit(audit: Path | str, loans: dict[str, np.ndarray]) -> None:
    records = []
    for i in range(ROWS):
        at = datetime(2026, int(loans["month"][i]), 10, tzinfo=UTC)
        for channel, version, p in (("files", "1", loans["champion"][i]), ("files:shadow", "2", loans["challenger"][i])):
            records.append(DecisionRecord(time=at, channel=channel, reference=f"A{i:07d}", request_id=f"r{i}",
                                          model="credit-risk", version=version, probability=float(p), decision=band(p)))
    with audit_log(audit) as log:
        log.record(records)


def outcomes_of(loans: dict[str, np.ndarray]) -> list[Outcome]:
    words = np.where(loans["bad"] == 1, np.where(np.arange(ROWS) % 2, "default", "written_off"), "paid")
    return [Outcome.parse(f"A{i:07d}", words[i], "2026-09-30") for i in range(ROWS)]
