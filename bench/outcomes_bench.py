"""Joining outcomes to the audit and recomputing a month: 1,000,000 outcomes against 1,000,000
audited decisions (six months), in a fresh process per round so its peak memory is its own.

    python bench/outcomes_bench.py [--rounds 3] [--rows 1000000] [--postgres URL]

Each round: a new outcome store beside the same audit; the outcomes streamed into it (intake:
duplicates and contradictions sorted out), the join to the decisions (refresh), then one
month's figures (AUC, Gini, KS, Brier, bands, calibration) computed. The baseline, in the same
process, is one plain read of every decision's reference and probability from the audit: what
touching each decision once costs. Targets (issue #23): under 30 s and under 500 MB.

``--postgres URL``: the same against the PostgreSQL audit and outcome store (``[state] postgres``),
in a schema of its own on that server (dropped at the end).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.outcomes.records import Outcome

MONTHS = 6
BANDS = (("APPROVE", 0.15), ("REVIEW", 0.40), ("DECLINE", 1.01))


def build_audit(path: Path, rows: int) -> None:
    """``rows`` decisions with references A0000000..; the demo bands; a sixth of them per month."""
    AuditLog(path).close()  # the audit's own schema
    rng = np.random.default_rng(23)
    p = rng.beta(1.2, 6.0, rows)
    band = np.select([p < 0.15, p < 0.40], ["APPROVE", "REVIEW"], "DECLINE")
    month = 1 + np.arange(rows) * MONTHS // rows
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO decisions (time, channel, reference, request_id, model, version, probability, decision, reasons,"
            " fallback, latency_ms, caller) VALUES (?, 'files', ?, ?, 'credit-risk', '1', ?, ?, '[]', 0, 1.0, '')",
            ((f"2026-{m:02d}-15T10:00:00+00:00", f"A{i:09d}", f"r{i}", float(x), b)
             for i, (m, x, b) in enumerate(zip(month.tolist(), p.tolist(), band.tolist()))))
    conn.close()


def build_pg_audit(server: str, rows: int) -> str:
    """The same decisions in a fresh schema of ``server`` (migrated, one partition a month's day); its URL."""
    from urllib.parse import quote

    from scoregate.adapters.state.postgres_audit import partition_name
    from scoregate.adapters.state.postgres_pool import connect
    from scoregate.adapters.state.postgres_schema import migrate

    schema = f"bench_outcomes_{time.time_ns()}"
    with connect(server) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{server}{'&' if '?' in server else '?'}options={quote(f'-csearch_path={schema}')}"
    rng = np.random.default_rng(23)
    p = rng.beta(1.2, 6.0, rows)
    band = np.select([p < 0.15, p < 0.40], ["APPROVE", "REVIEW"], "DECLINE")
    month = 1 + np.arange(rows) * MONTHS // rows
    with connect(url) as conn:
        migrate(conn)
        for m in range(1, MONTHS + 1):
            conn.execute(f"CREATE TABLE {partition_name(date(2026, m, 15))} PARTITION OF decisions"
                         f" FOR VALUES FROM ('2026-{m:02d}-15') TO ('2026-{m:02d}-16')")
        with conn.cursor().copy("COPY decisions (time, channel, reference, request_id, model, version, probability,"
                                " decision, reasons, fallback, latency_ms) FROM STDIN") as copy:
            for i, (m, x, b) in enumerate(zip(month.tolist(), p.tolist(), band.tolist())):
                copy.write_row((f"2026-{m:02d}-15T10:00:00+00:00", "files", f"A{i:09d}", f"r{i}", "credit-risk", "1",
                                x, b, "[]", 0, 1.0))
        conn.execute("ANALYZE decisions")  # as autovacuum would have by then
    return url


def outcomes(rows: int):  # noqa: ANN201 - a generator of Outcome
    """One outcome per decision, drawn from its own probability (a calibrated score)."""
    rng = np.random.default_rng(29)
    p = np.random.default_rng(23).beta(1.2, 6.0, rows)
    bad = rng.random(rows) < p
    when = date(2026, 12, 31)
    for i, b in enumerate(bad.tolist()):
        yield Outcome(f"A{i:09d}", "default" if b else "paid", when)


def child(audit: Path | str, rows: int) -> None:
    """One round, in its own process: prints seconds per phase and the peak RSS (MB)."""
    from scoregate.adapters.outcomes.report import performance
    from scoregate.adapters.outcomes.store import open_outcome_store
    from scoregate.adapters.state.postgres_pool import connect

    started = time.perf_counter()
    if isinstance(audit, str):
        with connect(audit) as conn:  # a new outcome store: its tables emptied
            scanned = sum(1 for _ in conn.execute("SELECT reference, probability FROM decisions"))
            baseline = time.perf_counter() - started
            conn.execute("TRUNCATE outcomes, outcome_set_aside, outcome_joined, outcome_volume, outcome_figures,"
                         " outcome_state")
        opened = open_outcome_store("postgres", audit=audit)
    else:
        conn = sqlite3.connect(f"file:{audit}?mode=ro", uri=True)
        scanned = sum(1 for _ in conn.execute("SELECT reference, probability FROM decisions"))
        conn.close()
        baseline = time.perf_counter() - started
        opened = open_outcome_store("sqlite", audit=audit, path=audit.with_name(f"outcomes-{time.time_ns()}.sqlite"))
    assert scanned == rows
    with opened as store:
        t0 = time.perf_counter()
        store.add(outcomes(rows), source="bench")
        t1 = time.perf_counter()
        store.refresh()
        t2 = time.perf_counter()
        figures = performance(store, "credit-risk", "month")
        t3 = time.perf_counter()
        assert store.counts().matched == rows, store.counts()
    march = figures[("1", "2026-03")]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"baseline": baseline, "intake": t1 - t0, "join": t2 - t1, "figures": t3 - t2, "total": t3 - t0,
                      "peak_mb": peak, "auc": march["auc"], "outcomes": march["outcomes"]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="the PostgreSQL audit and outcome store on this server")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child:
        child(a.child if a.child.startswith("postgresql:") else Path(a.child), a.rows)
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        if a.postgres:
            audit = build_pg_audit(a.postgres, a.rows)
        else:
            audit = Path(folder) / "audit.sqlite"
            build_audit(audit, a.rows)
        print(f"audit of {a.rows:,} decisions built in {time.perf_counter() - started:.1f} s")
        runs = []
        try:
            for r in range(a.rounds):
                out = subprocess.run([sys.executable, __file__, "--child", str(audit), "--rows", str(a.rows)],
                                     check=True, capture_output=True, text=True).stdout
                runs.append(json.loads(out.splitlines()[-1]))
                print(f"round {r + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()))
        finally:
            if a.postgres:
                from scoregate.adapters.state.postgres_pool import connect

                with connect(a.postgres) as conn:
                    conn.execute(f"DROP SCHEMA {audit.rsplit('search_path%3D', 1)[-1]} CASCADE")
    med = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
    print(f"join {a.rows:,} outcomes to {a.rows:,} decisions and compute a month ({med['outcomes']:,.0f} outcomes):"
          f" {med['total']:.1f} s (intake {med['intake']:.1f}, join {med['join']:.1f}, figures {med['figures']:.1f}),"
          f" peak {med['peak_mb']:.0f} MB; baseline scan {med['baseline']:.2f} s, ratio {med['total'] / med['baseline']:.1f}")


if __name__ == "__main__":
    main()
