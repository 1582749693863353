"""The load client, run by core_bench.py as its own process (one process per measurement).

    python bench/_load.py TARGET MODE [options]     # prints one JSON object on stdout

Modes: ``seq`` (one blocking ScoringClient caller), ``concurrent`` (one asyncio process with an
AsyncScoringClient and N tasks in flight), ``batch`` (blocking score_batch calls), ``stream``
(one score_stream over many batches). Every loop is bounded by a count and a time limit.
Per-call durations come back as ``samples_us`` so that several runs can be pooled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import numpy as np

from _timing import timed_calls
from _workload import MODEL, batches, cycle, demo_rows, single_request

from scoregate.core.client import AsyncScoringClient, ScoringClient
from scoregate.core.errors import ScoreError
from scoregate.core.settings import ClientSettings


def seq(settings: ClientSettings, a: argparse.Namespace) -> dict:
    request = single_request(a.reasons)
    core_us: list[int] = []
    with ScoringClient(settings) as client:
        def call() -> None:
            core_us.append(client.score(request).core_micros)
        durations = timed_calls(call, a.count, a.limit, warmup=a.warmup)
    return {"samples_us": [d // 1000 for d in durations], "core_micros": core_us[a.warmup:]}


async def _concurrent(settings: ClientSettings, a: argparse.Namespace) -> dict:
    request = single_request(a.reasons)
    done: list[tuple[int, int]] = []  # (finished at, duration) in ns
    errors: list[str] = []
    stop = False
    async with AsyncScoringClient(settings) as client:
        async def caller() -> None:
            clock = time.perf_counter_ns
            while not stop:
                t0 = clock()
                try:
                    await client.score(request)
                except ScoreError as exc:  # counted, not fatal: the report shows them
                    errors.append(type(exc).__name__)
                    continue
                t1 = clock()
                done.append((t1, t1 - t0))

        tasks = [asyncio.create_task(caller()) for _ in range(a.tasks)]
        try:
            await asyncio.sleep(a.warmup_s)
            start = time.perf_counter_ns()
            await asyncio.sleep(a.limit)
            end = time.perf_counter_ns()
        finally:
            stop = True
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
    window = [d // 1000 for t, d in done if start <= t < end]
    seconds = (end - start) / 1e9
    return {"tasks": a.tasks, "seconds": seconds, "req_per_s": len(window) / seconds, "errors": len(errors),
            "samples_us": window}


def batch(settings: ClientSettings, a: argparse.Namespace) -> dict:
    """score_batch calls; with --paired, each is followed by an in-process inplace_predict on the
    same rows (timed apart), so that the baseline sees the same moment of a noisy machine."""
    work = cycle(batches(demo_rows(a.rows * 10), a.rows))
    predict = None
    if a.paired:
        from _measure import load_demo  # XGBoost, only in this mode

        booster = load_demo().runtime.booster
        booster.set_param({"nthread": a.threads})  # the core's thread count for this batch size
        predict = lambda m: booster.inplace_predict(m, missing=np.nan, validate_features=False)  # noqa: E731
    samples, inproc, core_us = [], [], []
    clock = time.perf_counter_ns
    with ScoringClient(settings) as client:
        stop = clock() + int(a.limit * 1e9)
        for i in range(a.warmup + a.count):
            b = next(work)
            t0 = clock()
            result = client.score_batch(b, MODEL, reason_count=a.reasons)
            t1 = clock()
            assert result.rows == a.rows and not result.rejects
            if predict:
                predict(b.matrix)
                t2 = clock()
            if i >= a.warmup:
                samples.append((t1 - t0) // 1000)
                core_us.append(result.core_micros)
                if predict:
                    inproc.append((t2 - t1) // 1000)
            if clock() > stop and i >= a.warmup:
                break
    return {"rows": a.rows, "reason_count": a.reasons, "threads": a.threads, "samples_us": samples, "inproc_samples_us": inproc,
            "core_micros": core_us}


def stream(settings: ClientSettings, a: argparse.Namespace) -> dict:
    """One score_stream over all rows, between two in-process passes over the same batches
    (inplace_predict, this process): their mean is the stream's baseline."""
    from _measure import load_demo  # XGBoost

    booster = load_demo().runtime.booster
    work = batches(demo_rows(a.total, seed=11), a.rows)

    def in_process() -> float:
        t0 = time.perf_counter()
        for b in work:
            booster.inplace_predict(b.matrix, missing=np.nan, validate_features=False)
        return a.total / (time.perf_counter() - t0)

    with ScoringClient(settings) as client:
        for _ in client.score_stream(work[:2], MODEL):  # warm-up
            pass
        before = in_process()
        scored = 0
        t0 = time.perf_counter()
        for result in client.score_stream(work, MODEL, timeout=a.limit):
            scored += result.rows
        elapsed = time.perf_counter() - t0
        after = in_process()
    assert scored == a.total, (scored, a.total)
    return {"rows": scored, "batch_rows": a.rows, "seconds": elapsed, "rows_per_s": scored / elapsed,
            "inproc_rows_per_s": (before + after) / 2, "inproc_before": before, "inproc_after": after}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target")
    p.add_argument("mode", choices=["seq", "concurrent", "batch", "stream"])
    p.add_argument("--count", type=int, default=2000, help="calls to time (seq, batch)")
    p.add_argument("--limit", type=float, default=10.0, help="time limit in seconds (concurrent: window)")
    p.add_argument("--warmup", type=int, default=200, help="untimed calls first (seq, batch)")
    p.add_argument("--warmup-s", type=float, default=1.0, help="untimed seconds first (concurrent)")
    p.add_argument("--tasks", type=int, default=32)
    p.add_argument("--rows", type=int, default=1000, help="rows per batch")
    p.add_argument("--total", type=int, default=1_000_000, help="rows in the stream")
    p.add_argument("--reasons", type=int, default=0, help="reason codes per row")
    p.add_argument("--paired", action="store_true", help="batch: time in-process inplace_predict after each call")
    p.add_argument("--threads", type=int, default=1, help="batch --paired: the in-process baseline's nthread")
    p.add_argument("--coalesce", action="store_true",
                   help="the client coalesces concurrent calls (off by default: the core's own handling is measured)")
    p.add_argument("--tls", nargs=3, metavar=("CA", "CERT", "KEY"), help="mutual TLS: CA file, client certificate and key")
    a = p.parse_args()
    tls = dict(zip(("tls_ca_file", "tls_cert_file", "tls_key_file"), a.tls)) if a.tls else {}
    settings = ClientSettings(target=a.target, timeout_s=max(30.0, a.limit * 2), coalesce=a.coalesce, **tls)
    if a.mode == "concurrent":
        out = asyncio.run(_concurrent(settings, a))
    else:
        out = {"seq": seq, "batch": batch, "stream": stream}[a.mode](settings, a)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
