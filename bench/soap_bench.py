"""Benchmark of the SOAP channel, every figure beside an in-run baseline.

    python bench/soap_bench.py           # full run, about 2 minutes
    python bench/soap_bench.py --quick   # one short round, under a minute
    python bench/soap_bench.py --rounds 5  # more rounds on a noisy machine

Child processes on 127.0.0.1 free ports, stopped at the end: the scoring core (demo model) and
four HTTP servers run the same way (uvicorn, one worker; bench/_soap_server.py): ``static`` (a
prepared reply: the HTTP stack's ceiling), ``lxml`` (a hand-written handler for this one WSDL,
one core call per request: the per-request baseline), ``soap`` (the real SoapChannel, concurrent
requests coalesced into shared core calls, the client's default) and ``soap-percall`` (the
SoapChannel with coalescing off). The load
client (bench/_soap_load.py, its own process) keeps 1 or 16 connections busy with the prepared
envelope. Rounds interleave the servers because the machine is shared and noisy.

The CPU figures: in process, the adapter's pure path (parse, XSD check, map, serialize; no HTTP,
no core) against the hand-written lxml path (bench/_soap_handlers.py); and under load, each server
process's CPU time (/proc) per request it answered.
Prints a table and writes bench/results/soap-latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

from _measure import one_row_predict_us
from _procs import BENCH, DIE_WITH_PARENT, Servers, scoregate_command
from _report import Figure, machine, table, write_json
from _soap_handlers import RESULT, Adapter, HandWritten, envelope
from _timing import pool

from scoregate.app.paths import DEMO_MODELS_DIR

RESULTS = BENCH / "results" / "soap-latest.json"
PATH = "/RiskServices/LoanRiskService.asmx"
SERVERS = ("static", "lxml", "soap", "soap-percall")
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def in_process(reps: int, count: int) -> dict:
    """Median microseconds per request of each pure path, interleaved repetitions."""
    data, hand, adapter = envelope(), HandWritten(), Adapter()

    def hand_once() -> None:
        request, reference = hand.decode(data)
        hand.encode(RESULT, reference)

    def adapter_once() -> None:
        request, env = adapter.decode(data)
        adapter.encode(RESULT, request, env)

    runs: dict[str, list[float]] = {"hand_written": [], "adapter": []}
    for fn in (hand_once, adapter_once):
        for _ in range(200):
            fn()  # warm caches and lazily built zeep objects
    for _ in range(reps):
        for name, fn in (("hand_written", hand_once), ("adapter", adapter_once)):
            t0 = time.perf_counter()
            for _ in range(count):
                fn()
            runs[name].append((time.perf_counter() - t0) / count * 1e6)
    return {name: {"us": statistics.median(v), "runs_us": v} for name, v in runs.items()}


def load(port: int, clients: int, seconds: float, warmup_s: float) -> dict:
    argv = [*DIE_WITH_PARENT, sys.executable, str(BENCH / "_soap_load.py"), str(port), PATH, "--clients", str(clients),
            "--seconds", str(seconds), "--warmup-s", str(warmup_s)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + warmup_s + 60, cwd=BENCH)
    if done.returncode != 0:
        raise RuntimeError(f"load client failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rounds(procs: dict, core_pid: int, p: dict) -> dict:
    runs: dict[str, list[dict]] = {}
    for r in range(p["rounds"]):
        order = SERVERS[r % len(SERVERS):] + SERVERS[: r % len(SERVERS)]
        print(f"  round {r + 1}/{p['rounds']} ...", flush=True)
        for clients in (1, 16):
            for name in order:
                proc, port = procs[name]
                before, core_before = cpu_seconds(proc.pid), cpu_seconds(core_pid)
                result = load(port, clients, p["seconds"], p["warmup_s"])
                served = max(result["total"], 1)
                result["server_cpu_us"] = (cpu_seconds(proc.pid) - before) / served * 1e6
                result["core_cpu_us"] = (cpu_seconds(core_pid) - core_before) / served * 1e6
                runs.setdefault(f"{name}/{clients}", []).append(result)
    out = {}
    for key, value in runs.items():
        out[key] = pool(value)
        out[key]["server_cpu_us"] = statistics.median(v["server_cpu_us"] for v in value)
        out[key]["core_cpu_us"] = statistics.median(v["core_cpu_us"] for v in value)
    return out


def figures(inp: dict, res: dict) -> list[Figure]:
    static16, lxml16, soap16, percall16 = res["static/16"], res["lxml/16"], res["soap/16"], res["soap-percall/16"]
    hand, adapter = inp["hand_written"]["us"], inp["adapter"]["us"]
    ratio = soap16["req_per_s"] / lxml16["req_per_s"]
    per_round = statistics.median(s / b for s, b in zip(soap16["per_run_req_per_s"], lxml16["per_run_req_per_s"]))
    return [
        Figure("in-process inplace_predict, 1 row (this machine)", inp["one_row_predict_us"], "us"),
        Figure("static reply, 16 clients", static16["req_per_s"], "req/s"),
        Figure("lxml handler + core, 16 clients (one call per request)", lxml16["req_per_s"], "req/s",
               static16["req_per_s"], "static"),
        Figure("SOAP channel + core, 16 clients (coalescing)", soap16["req_per_s"], "req/s", lxml16["req_per_s"], "lxml",
               ">= 1.6x lxml", ratio >= 1.6),
        Figure("... the same, median of the per-round ratios", per_round, "x lxml", target=">= 1.6",
               met=per_round >= 1.6),
        Figure("SOAP channel + core, 16 clients, coalescing off", percall16["req_per_s"], "req/s",
               lxml16["req_per_s"], "lxml"),
        Figure("SOAP channel + core, 16 clients p50", soap16["p50_ms"], "ms", lxml16["p50_ms"], "lxml"),
        Figure("SOAP channel + core, 16 clients p99", soap16["p99_ms"], "ms", lxml16["p99_ms"], "lxml",
               "no worse than lxml", soap16["p99_ms"] <= lxml16["p99_ms"]),
        Figure("SOAP channel + core, 1 client", res["soap/1"]["req_per_s"], "req/s", res["lxml/1"]["req_per_s"], "lxml"),
        Figure("SOAP channel + core, 1 client p50", res["soap/1"]["p50_ms"], "ms", res["lxml/1"]["p50_ms"], "lxml"),
        Figure("SOAP channel + core, 1 client p99", res["soap/1"]["p99_ms"], "ms", res["lxml/1"]["p99_ms"], "lxml"),
        Figure("static reply, 1 client p50", res["static/1"]["p50_ms"], "ms"),
        Figure("adapter CPU/request in process (parse, XSD, map, serialize)", adapter, "us", hand, "hand-written",
               "<= 3x", adapter / hand <= 3),
        Figure("server process CPU/request under 16 clients", soap16["server_cpu_us"], "us", lxml16["server_cpu_us"],
               "lxml server"),
        Figure("server process CPU/request under 16 clients, coalescing off", percall16["server_cpu_us"], "us",
               lxml16["server_cpu_us"], "lxml server"),
        Figure("core process CPU/request under 16 clients (soap)", soap16["core_cpu_us"], "us",
               lxml16["core_cpu_us"], "lxml's core"),
        Figure("core process CPU/request under 16 clients, coalescing off", percall16["core_cpu_us"], "us",
               lxml16["core_cpu_us"], "lxml's core"),
    ]


def run(quick: bool, rounds_: int | None = None) -> None:
    p = {"rounds": 1, "seconds": 3.0, "warmup_s": 1.0, "reps": 3, "count": 500} if quick else \
        {"rounds": 3, "seconds": 5.0, "warmup_s": 1.0, "reps": 7, "count": 1000}
    if rounds_:
        p["rounds"] = rounds_
    started = time.monotonic()
    meta = {**machine(), "mode": "quick" if quick else "full", "command": " ".join(["python", *sys.argv]),
            "load_client": "bench/_soap_load.py: asyncio raw-stream keep-alive connections, one request in flight each"}
    print(f"scoregate SOAP benchmark ({meta['mode']}): {meta['nproc']} cores shared by the core, the HTTP servers "
          f"and the load client; load average {meta['loadavg_start'][0]:.2f}\nin process ...", flush=True)
    inp = in_process(p["reps"], p["count"])
    inp["one_row_predict_us"] = one_row_predict_us()
    print(f"one-row inplace_predict on this machine: {inp['one_row_predict_us']:.0f} us", flush=True)
    with Servers() as servers:
        core, core_port = servers.start("core", [*scoregate_command(), "--log-level", "warning", "core", "serve",
                                                 "--address", "127.0.0.1:0", "--models-dir", str(DEMO_MODELS_DIR)])
        target = f"127.0.0.1:{core_port}"
        procs = {name: servers.start(name, [sys.executable, str(BENCH / "_soap_server.py"), name, target])
                 for name in SERVERS}
        res = rounds(procs, core.pid, p)
    figs = figures(inp, res)
    meta["loadavg_end"] = os.getloadavg()
    meta["wall_s"] = round(time.monotonic() - started, 1)
    print("\n" + table(figs))
    errors = {k: v.get("errors", 0) for k, v in res.items() if v.get("errors")}
    print(f"\nerrors: {errors or 'none'}; wall time {meta['wall_s']} s; "
          f"load average {meta['loadavg_start'][0]:.2f} -> {meta['loadavg_end'][0]:.2f}")
    write_json(RESULTS, meta, figs, {"in_process_us": inp, "servers": res})
    print(f"wrote {RESULTS}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="one short round (under a minute)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (3; quick: 1)")
    args = p.parse_args()
    for sig in (signal.SIGTERM, signal.SIGINT):  # unwind so that the servers are stopped
        signal.signal(sig, lambda n, _: sys.exit(128 + n))
    run(args.quick, args.rounds)


if __name__ == "__main__":
    main()
