"""Benchmark of the RabbitMQ channel: scored round trips against a responder that does not score.

    python bench/amqp_bench.py           # 3 interleaved rounds, ~2 minutes
    python bench/amqp_bench.py --quick   # 1 round, well under a minute

Everything local, in one run: the broker (127.0.0.1:5672, must be running), the core (``scoregate
core serve`` on the demo model), the no-scoring responder (the broker's ceiling on this machine,
``_amqp_responders.py noop``) and the gateway (``_amqp_responders.py gateway``: the real
``Responder`` with the demo JSON queue), each its own process; the producer is its own process per
measurement (``_amqp_load.py``). Rounds interleave noop, gateway and a sequential gRPC caller of
the same core (``_load.py seq``: the core's own sequential p50, the third term of the sequential
target) so that machine noise hits all three. Throughput is the median of the rounds; latency percentiles pool the rounds. CPU seconds per
reply come from /proc for the broker, the responder, the core and the producer.
Prints a table and writes bench/results/amqp-latest.json; see docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from statistics import median

import pika
from _measure import one_row_predict_us
from _procs import BENCH, Servers, run_load, scoregate_command
from _report import Figure, machine, table, write_json
from _timing import percentiles

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.amqp.topology import plan as plan_topology
from scoregate.app.paths import DEFAULTS_DIR, DEMO_MODELS_DIR

RESULTS = BENCH / "results" / "amqp-latest.json"
URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
TICK = os.sysconf("SC_CLK_TCK")


def plan(quick: bool) -> dict:
    if quick:
        return {"rounds": 1, "pipelined": ["--count", 4000, "--window", 200, "--warmup", 300, "--limit", 20],
                "seq": ["--count", 600, "--warmup", 100, "--limit", 6]}
    return {"rounds": 3, "pipelined": ["--count", 8000, "--window", 200, "--warmup", 300, "--limit", 30],
            "seq": ["--count", 1500, "--warmup", 200, "--limit", 8]}


CORE_SEQ = ["--count", 1000, "--warmup", 200, "--limit", 8]


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def broker_pid() -> int:
    out = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True, check=False).stdout.split()
    if not out:
        sys.exit("no RabbitMQ broker running (beam.smp); start it: rabbitmq-server -detached")
    return int(out[0])


def gateway_config(prefix: str) -> dict:
    config = read_config_file(DEFAULTS_DIR / "amqp" / "demo.toml")
    config["queues"] = [{**config["queues"][0], "name": f"{prefix}.json"}]
    config["connection_name"] = f"{prefix}.gateway"
    config["dead_letter"] = {"exchange": f"{prefix}.dlx", "queue": f"{prefix}.dead"}
    return config


def load(queue: str, mode: str, args: list) -> dict:
    argv = [sys.executable, str(BENCH / "_amqp_load.py"), queue, mode, *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, cwd=BENCH, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load client failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(queue: str, mode: str, args: list, pids: dict[str, int]) -> dict:
    before = {name: cpu_s(pid) for name, pid in pids.items()}
    result = load(queue, mode, args)
    after = {name: cpu_s(pid) for name, pid in pids.items()}
    replies = max(result["replies"], 1)
    # Warm-up replies are inside the window too; close enough at these counts, and the same for both.
    result["cpu_ms_per_reply"] = {n: (after[n] - before[n]) * 1000 / replies for n in pids}
    result["cpu_ms_per_reply"]["producer"] = result["client_cpu_s"] * 1000 / replies
    return result


def cleanup(prefix: str, queues: list[str]) -> None:
    with pika.BlockingConnection(pika.URLParameters(URL)) as connection:
        channel = connection.channel()
        for q in queues:
            channel.queue_delete(q)
        channel.exchange_delete(f"{prefix}.dlx")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--linger-ms", type=float, default=0.0, help="the gateway's batch_linger_ms")
    a = parser.parse_args()
    p = plan(a.quick)
    meta = {**machine(), "mode": "quick" if a.quick else "full", "command": " ".join(["python", *sys.argv]),
            "batch_linger_ms": a.linger_ms, "one_row_predict_us": one_row_predict_us()}
    print(f"one-row inplace_predict on this machine: {meta['one_row_predict_us']:.0f} us", file=sys.stderr)
    prefix = f"bench.{uuid.uuid4().hex[:8]}"
    noop_q, gw_q = f"{prefix}.noop", f"{prefix}.json"
    config = {**gateway_config(prefix), "batch_linger_ms": a.linger_ms}
    declared = [step.kwargs["queue"] for step in plan_topology(AmqpChannelConfig.model_validate(config, context={
        "base_dir": DEFAULTS_DIR / "amqp"})) if step.method == "queue_declare"]
    runs: dict[str, list[dict]] = {}
    started = time.monotonic()
    with pika.BlockingConnection(pika.URLParameters(URL)) as connection:
        connection.channel().queue_declare(noop_q, durable=True)
    try:
        with Servers() as servers:
            _, port = servers.start("core", [*scoregate_command(), "--log-level", "warning", "core", "serve",
                                             "--address", "127.0.0.1:0", "--models-dir", str(DEMO_MODELS_DIR)])
            core_target = f"127.0.0.1:{port}"
            config_path, stats_path = servers.path("gateway.json"), servers.path("stats.json")
            config_path.write_text(json.dumps(config))
            responder = BENCH / "_amqp_responders.py"
            noop, _ = servers.start("noop", [sys.executable, str(responder), "noop", noop_q])
            gw, _ = servers.start("gateway", [sys.executable, str(responder), "gateway", str(config_path),
                                              f"127.0.0.1:{port}", str(stats_path)])
            core_pid = servers._procs[0].pid
            for r in range(p["rounds"]):
                for name, queue, proc in (("noop", noop_q, noop), ("gateway", gw_q, gw)):
                    pids = {"broker": broker_pid(), "responder": proc.pid, "core": core_pid}
                    for mode in ("pipelined", "seq"):
                        result = measure(queue, mode, p[mode], pids)
                        runs.setdefault(f"{name}/{mode}", []).append(result)
                        print(f"round {r + 1} {name:7s} {mode:9s} {result['req_per_s']:7.0f} replies/s "
                              f"errors {result['errors']} lost {result['lost']}", file=sys.stderr)
                # The core alone, asked what the gateway asks it: one row with the queue's reason codes.
                reasons = config["queues"][0]["request"].get("reason_count", 0)
                runs.setdefault("core/seq", []).append(run_load(core_target, "seq", *CORE_SEQ, "--reasons", reasons))
            gw.send_signal(signal.SIGTERM)
            gw.wait(15)
            stats = json.loads(stats_path.read_text())
    finally:
        cleanup(prefix, [noop_q, *declared])
    meta["wall_s"] = round(time.monotonic() - started, 1)
    meta["loadavg_end"] = os.getloadavg()
    figs, summary = figures(runs, stats)
    print(table(figs))
    print(json.dumps(summary, indent=1))
    write_json(RESULTS, meta, figs, {"summary": summary, "gateway_stats": stats,
                                     "runs": {k: [{x: y for x, y in r.items() if x != "samples_us"} for r in v]
                                              for k, v in runs.items()}})


def figures(runs: dict[str, list[dict]], stats: dict) -> tuple[list[Figure], dict]:
    def rate(key: str) -> float:
        return median(r["req_per_s"] for r in runs[key])

    def lat(key: str) -> dict:
        return percentiles([s for r in runs[key] for s in r["samples_us"]])

    def cpu(key: str) -> dict:
        names = runs[key][0]["cpu_ms_per_reply"]
        return {n: round(median(r["cpu_ms_per_reply"][n] for r in runs[key]), 3) for n in names}

    noop_rate, gw_rate = rate("noop/pipelined"), rate("gateway/pipelined")
    noop_seq, gw_seq, noop_pipe, gw_pipe = lat("noop/seq"), lat("gateway/seq"), lat("noop/pipelined"), lat("gateway/pipelined")
    def p50(key: str) -> float:
        """The median over the rounds of each round's p50 (the sequential target's terms)."""
        return median(percentiles(r["samples_us"])["p50_ms"] for r in runs[key])

    budget = p50("noop/seq") + p50("core/seq")
    batch = stats["scored_rows"] / max(stats["score_batch_calls"] + stats["score_calls"], 1)
    figs = [
        Figure("noop responder: pipelined (200 outstanding)", noop_rate, "replies/s"),
        Figure("gateway + core: pipelined (200 outstanding)", gw_rate, "replies/s", noop_rate, "noop",
               ">= 0.70", gw_rate / noop_rate >= 0.7),
        Figure("noop responder: pipelined p50", noop_pipe["p50_ms"], "ms"),
        Figure("gateway + core: pipelined p50", gw_pipe["p50_ms"], "ms", noop_pipe["p50_ms"], "noop"),
        Figure("gateway + core: pipelined p99", gw_pipe["p99_ms"], "ms", noop_pipe["p99_ms"], "noop"),
        Figure("noop responder: sequential p50 (median of rounds)", p50("noop/seq"), "ms"),
        Figure("core alone (gRPC, one caller, the queue's reason codes): sequential p50", p50("core/seq"), "ms"),
        Figure("gateway + core: sequential p50", p50("gateway/seq"), "ms", budget, "noop p50 + core p50",
               "<= budget + 1 ms", p50("gateway/seq") <= budget + 1.0),
        Figure("gateway + core: sequential p99", gw_seq["p99_ms"], "ms", noop_seq["p99_ms"], "noop"),
        Figure("gateway + core: sequential", rate("gateway/seq"), "replies/s", rate("noop/seq"), "noop"),
        Figure("gateway: rows per core call (pipelined and sequential runs)", batch, "rows"),
    ]
    amqp = {k: v for k, v in runs.items() if k != "core/seq"}
    summary = {
        "cpu_ms_per_reply": {k: cpu(k) for k in amqp},
        "per_round_replies_per_s": {k: [round(r["req_per_s"]) for r in v] for k, v in amqp.items()},
        "per_round_p50_ms": {k: [percentiles(r["samples_us"])["p50_ms"] for r in v] for k, v in runs.items()
                             if k.endswith("/seq")},
        "errors": {k: sum(r["errors"] for r in v) for k, v in amqp.items()},
        "lost": {k: sum(r["lost"] for r in v) for k, v in amqp.items()},
    }
    return figs, summary


if __name__ == "__main__":
    main()
