"""Benchmark of the scoring core on the demo model, every figure beside an in-run baseline.

    python bench/core_bench.py           # full run, 2-3 minutes
    python bench/core_bench.py --quick   # one round, smaller counts, < 1 minute

Compares three servers, all child processes on 127.0.0.1 free ports, stopped at the end:
a model-less gRPC server (bench/noop_server.py, the transport ceiling) and the real core
(``scoregate core serve`` on the demo models) with ``--max-batch-wait-ms`` 0 and 0.5; and XGBoost
called in process (the scoring baseline). The machine is noisy, so measurements run in
interleaved rounds (every server in turn, every round) and each figure pools its rounds; each
batch call is paired with an in-process inplace_predict on the same rows, timed apart, as its
baseline (the stream: in-process passes over its rows just before and after it). The load
client is its own process for every measurement (bench/_load.py); servers and client share the
cores. Prints a table, writes bench/results/core-latest.json; see docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

from _breakdown import single_row_stages
from _measure import in_process
from _procs import BENCH, Servers, run_load, scoregate_command
from _report import figures, machine, table, write_json
from _timing import pool

from scoregate.app.paths import DEMO_MODELS_DIR

RESULTS = BENCH / "results" / "core-latest.json"
# The core predicts a lone caller's batch of 512 rows or more with lone_batch_threads threads (1 by
# default; SCOREGATE_CORE_LONE_BATCH_THREADS sets it); the in-process baseline of the 1000-row batches uses as many.
LONE_THREADS = 1
CLIENT = ("load client: bench/_load.py, its own process per measurement; sequential = one blocking "
          "ScoringClient; 32 concurrent = 32 asyncio tasks sharing one AsyncScoringClient in one process")


def plan(quick: bool) -> dict:
    """Rounds and load-client arguments per measurement (bounded: counts and seconds)."""
    if quick:
        return {"rounds": 1, "seq": ["--count", 400, "--limit", 3, "--warmup", 100],
                "conc": ["--limit", 3, "--warmup-s", 1], "batch": ["--count", 60, "--limit", 3, "--warmup", 5, "--paired", "--threads", LONE_THREADS],
                "reasons": ["--count", 15, "--limit", 3, "--warmup", 2, "--reasons", 3],
                "stream": ["--total", 200_000, "--rows", 10_000, "--limit", 60]}
    return {"rounds": 3, "seq": ["--count", 1000, "--limit", 8, "--warmup", 200],
            "conc": ["--limit", 3, "--warmup-s", 1], "batch": ["--count", 120, "--limit", 5, "--warmup", 5, "--paired", "--threads", LONE_THREADS],
            "reasons": ["--count", 25, "--limit", 3, "--warmup", 2, "--reasons", 3],
            "stream": ["--total", 1_000_000, "--rows", 10_000, "--limit", 120]}


def core_argv(wait_ms: float, probe: str | None = None) -> list[str]:
    prefix = [sys.executable, str(BENCH / "_core_probe.py"), probe] if probe else scoregate_command()
    return [*prefix, "--log-level", "warning", "core", "serve", "--address", "127.0.0.1:0",
            "--models-dir", str(DEMO_MODELS_DIR), "--max-batch-wait-ms", str(wait_ms)]


def rounds(targets: dict[str, str], p: dict) -> dict:
    """Interleaved rounds; returns the pooled measurements per (server, kind)."""
    runs: dict[str, list[dict]] = {}
    names = list(targets)
    for r in range(p["rounds"]):
        order = names[r % len(names):] + names[: r % len(names)]  # rotate who goes first
        print(f"  round {r + 1}/{p['rounds']}: sequential, 32 concurrent, batches ...", flush=True)
        for kind, mode in (("seq", "seq"), ("conc", "concurrent")):
            for name in order:
                runs.setdefault(f"{name}/{kind}", []).append(run_load(targets[name], mode, *p[kind]))
        # The same 32 callers through one client that coalesces them (the gateway's default).
        runs.setdefault("core-0/conc-coalesced", []).append(run_load(targets["core-0"], "concurrent", *p["conc"],
                                                                     "--coalesce"))
        for name in ("noop", "core-0"):
            runs.setdefault(f"{name}/batch", []).append(run_load(targets[name], "batch", *p["batch"]))
        runs.setdefault("core-0/reasons", []).append(run_load(targets["core-0"], "batch", *p["reasons"]))
    out = {key: pool(value) for key, value in runs.items()}
    print("  stream ...", flush=True)
    out["core-0/stream"] = run_load(targets["core-0"], "stream", *p["stream"], timeout_s=300)
    return out


def batch_sizes(servers: Servers, wait_ms: float, p: dict) -> dict:
    """A separate 32-caller run on the probed core, for the micro-batch sizes it reached."""
    dump = servers.path(f"sizes-{wait_ms}.json")
    proc, port = servers.start(f"probe-{wait_ms}", core_argv(wait_ms, str(dump)))
    try:
        load = run_load(f"127.0.0.1:{port}", "concurrent", *p["conc"])
    finally:
        servers.stop(proc)
    sizes = json.loads(dump.read_text()) if dump.exists() else []
    return {"req_per_s": load["req_per_s"], "batches": len(sizes), "mean": sum(sizes) / max(len(sizes), 1),
            "max": max(sizes, default=0), "histogram": {s: sizes.count(s) for s in sorted(set(sizes))}}


def run(quick: bool) -> None:
    started = time.monotonic()
    meta = {**machine(), "mode": "quick" if quick else "full", "command": " ".join(["python", *sys.argv]),
            "load_client": CLIENT}
    p = plan(quick)
    print(f"scoregate core benchmark ({meta['mode']}): {meta['nproc']} cores ({meta['cpu']}) shared by the servers, "
          f"the load client and the in-process baseline; load average {meta['loadavg_start'][0]:.2f}\n{CLIENT}\n"
          "in process (XGBoost nthread=1) ...", flush=True)
    inp = in_process(quick)
    stages = single_row_stages(quick)
    with Servers() as servers:
        print("servers: noop, core wait 0 ms, core wait 0.5 ms ...", flush=True)
        targets = {"noop": [sys.executable, str(BENCH / "noop_server.py")],
                   "core-0": core_argv(0), "core-0.5": core_argv(0.5)}
        procs = {name: servers.start(name, argv) for name, argv in targets.items()}
        res = rounds({name: f"127.0.0.1:{port}" for name, (_, port) in procs.items()}, p)
        for proc, _ in procs.values():
            servers.stop(proc)
        print("micro-batch sizes (probed core) ...", flush=True)
        sizes = {str(w): batch_sizes(servers, w, p) for w in ((0,) if quick else (0, 0.5))}
    figs = figures(inp, res)
    meta["loadavg_end"] = os.getloadavg()
    meta["wall_s"] = round(time.monotonic() - started, 1)
    print("\n" + table(figs))
    print("\nmicro-batch sizes (last 1000 micro-batches of a separate 32-caller run on the probed core):")
    for w, s in sizes.items():
        print(f"  wait {w} ms: mean {s['mean']:.2f}, max {s['max']}, {s['req_per_s']:,.0f} req/s, "
              f"histogram {s['histogram']}")
    print("\nsingle-row path, CPU per stage called in process (us, median):")
    for name, us in stages.items():
        print(f"  {name:<40} {us:8.1f}")
    print(f"  core-reported time in Scorer.score (core_micros p50): 1 row {res['core-0/seq']['core_micros_p50']:.0f} us"
          f" (wait 0.5: {res['core-0.5/seq']['core_micros_p50']:.0f} us), "
          f"1000 rows {res['core-0/batch']['core_micros_p50']:.0f} us")
    print(f"\nwall time {meta['wall_s']} s; load average {meta['loadavg_start'][0]:.2f} -> {meta['loadavg_end'][0]:.2f}")
    write_json(RESULTS, meta, figs, {"in_process": inp, "single_row_stages_us": stages, "servers": res,
                                      "micro_batch_sizes": sizes})
    print(f"wrote {RESULTS}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="one round, smaller counts (under a minute)")
    args = p.parse_args()
    for sig in (signal.SIGTERM, signal.SIGINT):  # unwind (finally blocks stop the servers), even when
        signal.signal(sig, lambda n, _: sys.exit(128 + n))  # started with SIGINT ignored (background job)
    run(args.quick)


if __name__ == "__main__":
    main()
