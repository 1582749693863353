"""Primary against shadow scores, paired by request in the audit (``scoregate models compare``).

The pairing is the store's query (``sqlite.shadow_pairs``, ``state.postgres_audit_read.shadow_pairs``); the statistics are computed here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scoregate.adapters.decisions.shadow import SHADOW_SUFFIX
from scoregate.adapters.decisions.sqlite import shadow_pairs

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass
class Comparison:
    model: str
    pairs: int = 0
    versions: tuple[str, str] = ("", "")
    """(primary, shadow) versions; the most frequent pair when several were compared."""
    agreement: float = 0.0
    """Share of requests both versions gave the same decision."""
    decisions: Counter = field(default_factory=Counter)
    """(primary decision, shadow decision) -> count."""
    quantiles: dict[str, list[float]] = field(default_factory=dict)
    """version -> the score at each of QUANTILES; also 'mean' in means."""
    means: dict[str, float] = field(default_factory=dict)


def compare(db: Path | str, model: str) -> Comparison:
    """Pair every shadow score of ``model`` with the answer it shadowed: in the SQLite file ``db``,
    or in the PostgreSQL trail of every replica when ``db`` is a ``postgresql://`` URL."""
    if isinstance(db, str) and db.startswith(("postgresql://", "postgres://")):
        from scoregate.adapters.state.postgres_audit_read import shadow_pairs as postgres_pairs

        rows = postgres_pairs(db, model, SHADOW_SUFFIX)
    else:
        rows = shadow_pairs(Path(db), model, SHADOW_SUFFIX)
    result = Comparison(model)
    if not rows:
        return result
    result.pairs = len(rows)
    result.versions = Counter((r[0], r[3]) for r in rows).most_common(1)[0][0]
    result.decisions = Counter((r[2], r[5]) for r in rows)
    result.agreement = sum(n for (a, b), n in result.decisions.items() if a == b) / len(rows)
    for label, column in ((result.versions[0], 1), (result.versions[1], 4)):
        scores = np.array([r[column] for r in rows], dtype=np.float64)
        result.quantiles[label] = np.quantile(scores, QUANTILES).tolist()
        result.means[label] = float(scores.mean())
    return result
