"""Bounded timing loops and their summaries (no XGBoost import: load clients start fast)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def timed_calls(fn: Callable[[], object], count: int, limit_s: float, warmup: int = 0) -> list[int]:
    """Call ``fn`` up to ``count`` times or until ``limit_s`` has passed; per-call durations in ns."""
    for _ in range(warmup):
        fn()
    out: list[int] = []
    clock = time.perf_counter_ns
    stop = clock() + int(limit_s * 1e9)
    for _ in range(count):
        t0 = clock()
        fn()
        t1 = clock()
        out.append(t1 - t0)
        if t1 > stop:
            break
    return out


def percentiles(samples_us: list[int] | np.ndarray) -> dict[str, float]:
    """n, p50/p90/p99 and mean in milliseconds of per-call durations given in microseconds."""
    a = np.asarray(samples_us, dtype=np.float64) / 1e3
    return {"n": int(a.size), "p50_ms": float(np.percentile(a, 50)), "p90_ms": float(np.percentile(a, 90)),
            "p99_ms": float(np.percentile(a, 99)), "mean_ms": float(a.mean())}


def pool(runs: list[dict]) -> dict:
    """Several runs of one measurement as one: samples pooled, counts and seconds summed."""
    samples = [s for run in runs for s in run["samples_us"]]
    out = {**percentiles(samples), "runs": len(runs)}
    if "seconds" in runs[0]:  # a fixed time window: throughput = calls / time
        out["seconds"] = sum(run["seconds"] for run in runs)
        out["req_per_s"] = out["n"] / out["seconds"]
        out["per_run_req_per_s"] = [run["req_per_s"] for run in runs]
        out["errors"] = sum(run.get("errors", 0) for run in runs)
    if "rows" in runs[0]:  # batches: rows/s from the median call
        rows = runs[0]["rows"]
        out["rows"], out["rows_per_s"] = rows, rows / (out["p50_ms"] / 1e3)
        out["threads"] = runs[0].get("threads", 1)
        out["us_per_row"] = out["p50_ms"] * 1e3 / rows
        paired = [s for run in runs for s in run.get("inproc_samples_us", [])]
        if paired:  # the in-process baseline timed right after each call
            out["inproc_rows_per_s"] = rows / (float(np.median(paired)) / 1e6)
    if "core_micros" in runs[0]:
        out["core_micros_p50"] = float(np.median([c for run in runs for c in run["core_micros"]]))
    return out
