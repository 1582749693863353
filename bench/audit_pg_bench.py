"""The audit writer into PostgreSQL against the embedded SQLite file, side by side in one run:
decisions per second written from single answers (SOAP/AMQP shape, 100 a call) and from scored
batches (the file channel's shape), chained, interleaved rounds.

    python bench/audit_pg_bench.py [--rounds 3] [--rows 100000] [--postgres URL]

The writer is a background thread that never delays an answer; when it falls behind by
``queue_rows`` decisions are dropped and counted, so its rate is the ceiling of audited
decisions/s. The PostgreSQL run uses a schema of its own (dropped after) on the server of
``--postgres`` (default: the test machine's, 127.0.0.1:5432 database test).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg

from audit_chain_bench import BATCH, _batch
from scoregate.adapters.decisions.records import BatchDecisions, DecisionRecord
from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.state.postgres_audit import PostgresAuditLog
from scoregate.adapters.state.postgres_pool import connect
from scoregate.adapters.state.postgres_schema import migrate
from scoregate.core.contract import CallerRef

KEY = b"bench-audit-key"


def _answers(rows: int) -> list[DecisionRecord]:
    now = datetime.now(UTC)
    return [DecisionRecord(time=now, channel="soap", reference=f"APP-{i}", request_id=f"r-{i}", model="credit-risk",
                           version="1", probability=0.5 + i / 1e7, decision="APPROVE",
                           reasons=(("debt_to_income", "R12", 0.42), ("utilisation", "R07", 0.11)), latency_ms=1.5)
            for i in range(rows)]


def rate(store: str, shape: str, rows: int, url: str, folder: Path) -> float:
    if store == "postgres":
        log = PostgresAuditLog(url, chain_key=KEY, queue_rows=rows)
    else:
        log = AuditLog(folder / f"{uuid.uuid4().hex}.sqlite", chain_key=KEY, queue_rows=rows)
    answers = _answers(rows) if shape == "answers" else None
    batch, result = _batch()
    started = time.perf_counter()
    if answers is not None:
        for i in range(0, rows, 100):
            log.record(answers[i:i + 100])
    else:
        for _ in range(rows // BATCH):
            log.record(BatchDecisions(batch, result, CallerRef(reference="FILE"), "files", "b", 1.0))
    log.flush()
    seconds = time.perf_counter() - started
    assert log.dropped == 0, f"{store}: {log.dropped} dropped"
    log.close()
    return rows / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    a = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(a.postgres, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{a.postgres}{'&' if '?' in a.postgres else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        with connect(url) as conn:
            migrate(conn)
        runs: dict[tuple[str, str], list[float]] = {}
        with tempfile.TemporaryDirectory() as folder:
            for r in range(a.rounds):
                for shape in ("answers", "batches"):
                    stores = ("sqlite", "postgres") if r % 2 == 0 else ("postgres", "sqlite")
                    for store in stores:
                        runs.setdefault((store, shape), []).append(rate(store, shape, a.rows, url, Path(folder)))
    finally:
        with psycopg.connect(a.postgres, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    for shape in ("answers", "batches"):
        sqlite, pg = (statistics.median(runs[s, shape]) for s in ("sqlite", "postgres"))
        print(f"{shape:8} chained  postgres {pg:>9,.0f}/s {[round(x) for x in runs['postgres', shape]]}  "
              f"sqlite {sqlite:>9,.0f}/s {[round(x) for x in runs['sqlite', shape]]}  ratio {pg / sqlite:.2f}")


if __name__ == "__main__":
    main()
