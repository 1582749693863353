"""What the tamper-evident chain costs the audit writer: rows per second written from scored
batches (the file channel's shape), plain and chained, interleaved rounds in one run.

    python bench/audit_chain_bench.py [--rounds 3] [--rows 200000]

The writer is a background thread that never delays an answer, but when it falls behind by
``queue_rows`` decisions are dropped and counted, so its rate is the ceiling of audited rows/s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from scoregate.adapters.decisions.records import BatchDecisions
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.core.contract import BatchResult, CallerRef, ColumnBatch

BATCH = 10_000


def _batch() -> tuple[ColumnBatch, BatchResult]:
    rng = np.random.default_rng(7)
    batch = ColumnBatch(("x",), np.zeros((BATCH, 1)), row_ids=tuple(f"REC-{i:07d}" for i in range(BATCH)))
    result = BatchResult(
        model="credit-risk", version="1", probabilities=rng.random(BATCH), decisions=np.zeros(BATCH, np.int8),
        band_names=("APPROVE",), reason_features=np.zeros((BATCH, 3), np.int32), reason_contributions=rng.random((BATCH, 3)),
        feature_names=("x",), reason_codes=("R1",),
    )
    return batch, result


def rate(rows: int, chain_key: bytes | None) -> float:
    batch, result = _batch()
    with tempfile.TemporaryDirectory() as folder, AuditLog(Path(folder) / "a.db", chain_key=chain_key, queue_rows=rows) as log:
        started = time.perf_counter()
        for _ in range(rows // BATCH):
            log.record(BatchDecisions(batch, result, CallerRef(reference="FILE"), "files", "b", 1.0))
        log.flush()
        return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=200_000)
    a = parser.parse_args()
    runs: dict[str, list[float]] = {"plain": [], "chained": []}
    for r in range(a.rounds):
        for name in (("plain", "chained") if r % 2 == 0 else ("chained", "plain")):
            runs[name].append(rate(a.rows, b"bench-audit-key" if name == "chained" else None))
    plain, chained = statistics.median(runs["plain"]), statistics.median(runs["chained"])
    print(f"audit writer, plain:   {plain:,.0f} rows/s  {[round(x) for x in runs['plain']]}")
    print(f"audit writer, chained: {chained:,.0f} rows/s  {[round(x) for x in runs['chained']]}  ratio {chained / plain:.2f}")


if __name__ == "__main__":
    main()
