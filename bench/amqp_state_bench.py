"""Benchmark of the AMQP reply cache shared in Redis, side by side with the process-local one.

    python bench/amqp_state_bench.py           # 3 interleaved rounds, ~2 minutes
    python bench/amqp_state_bench.py --quick   # 1 round

One run, everything local: the broker (127.0.0.1:5672) and Redis (127.0.0.1:6379, keys under a
prefix of this run, deleted at the end) must be running; the core (``scoregate core serve``, demo
model) and two gateways (``_amqp_responders.py gateway``, the real ``Responder`` on the demo JSON
queue, each on a queue of its own) are started here: ``local`` keeps its reply cache in the
process, ``redis`` shares it (``[state] redis``: one ``SET NX`` round trip per batch of replies,
on the I/O thread, before they leave). Rounds interleave the two so that machine noise hits both.
Targets (issue 19): the Redis cache adds under 0.3 ms to a reply's sequential p50 and keeps at
least 90% of the pipelined throughput. Prints a table and writes bench/results/amqp-state-latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import uuid
from statistics import median

import redis
from _procs import BENCH, Servers, scoregate_command
from _report import Figure, machine, table, write_json
from _timing import percentiles
from amqp_bench import broker_pid, cleanup, gateway_config, measure, plan

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.amqp.topology import plan as plan_topology
from scoregate.app.paths import DEFAULTS_DIR, DEMO_MODELS_DIR

RESULTS = BENCH / "results" / "amqp-state-latest.json"
REDIS_URL = "redis://127.0.0.1:6379/0"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    a = parser.parse_args()
    p = plan(a.quick)
    meta = {**machine(), "mode": "quick" if a.quick else "full", "command": " ".join(["python", *sys.argv])}
    run = f"bench.{uuid.uuid4().hex[:8]}"
    redis_prefix = f"{run}:"
    redis.Redis.from_url(REDIS_URL).ping()  # fails here, with the reason, when Redis is not running
    configs = {name: gateway_config(f"{run}.{name}") for name in ("local", "redis")}
    declared = [step.kwargs["queue"] for c in configs.values() for step in plan_topology(
        AmqpChannelConfig.model_validate(c, context={"base_dir": DEFAULTS_DIR / "amqp"})) if step.method == "queue_declare"]
    runs: dict[str, list[dict]] = {}
    stats: dict[str, dict] = {}
    started = time.monotonic()
    try:
        with Servers() as servers:
            core, port = servers.start("core", [*scoregate_command(), "--log-level", "warning", "core", "serve",
                                                "--address", "127.0.0.1:0", "--models-dir", str(DEMO_MODELS_DIR)])
            gateways = {}
            for name, config in configs.items():
                path = servers.path(f"{name}.json")
                path.write_text(json.dumps(config))
                shared = [REDIS_URL, redis_prefix] if name == "redis" else []
                gateways[name], _ = servers.start(name, [sys.executable, str(BENCH / "_amqp_responders.py"), "gateway",
                                                         str(path), f"127.0.0.1:{port}", str(servers.path(f"{name}.stats")),
                                                         *shared])
            broker = broker_pid()
            for r in range(p["rounds"]):
                for name, proc in gateways.items():
                    pids = {"broker": broker, "responder": proc.pid, "core": core.pid}
                    for mode in ("pipelined", "seq"):
                        result = measure(f"{run}.{name}.json", mode, p[mode], pids)
                        runs.setdefault(f"{name}/{mode}", []).append(result)
                        print(f"round {r + 1} {name:5s} {mode:9s} {result['req_per_s']:7.0f} replies/s "
                              f"errors {result['errors']} lost {result['lost']}", file=sys.stderr)
            for name, proc in gateways.items():
                proc.send_signal(signal.SIGTERM)
                proc.wait(15)
                stats[name] = json.loads(servers.path(f"{name}.stats").read_text())
    finally:
        for name in configs:
            cleanup(f"{run}.{name}", [q for q in declared if q.startswith(f"{run}.{name}.")])
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=redis_prefix + "*", count=1000))
        stored = len(keys)
        for i in range(0, len(keys), 1000):
            client.delete(*keys[i:i + 1000])
    meta["wall_s"] = round(time.monotonic() - started, 1)
    meta["loadavg_end"] = os.getloadavg()
    figs = figures(runs, stats, stored)
    print(table(figs))
    write_json(RESULTS, meta, figs, {"gateway_stats": stats, "redis_keys_written": stored,
                                     "per_round_replies_per_s": {k: [round(r["req_per_s"]) for r in v] for k, v in runs.items()},
                                     "runs": {k: [{x: y for x, y in r.items() if x != "samples_us"} for r in v]
                                              for k, v in runs.items()}})


def figures(runs: dict[str, list[dict]], stats: dict[str, dict], stored: int) -> list[Figure]:
    def rate(key: str) -> float:
        return median(r["req_per_s"] for r in runs[key])

    def p50(key: str) -> float:
        """The median over the rounds of each round's p50."""
        return median(percentiles(r["samples_us"])["p50_ms"] for r in runs[key])

    def pooled(key: str) -> dict:
        return percentiles([s for r in runs[key] for s in r["samples_us"]])

    local_rate, redis_rate = rate("local/pipelined"), rate("redis/pipelined")
    local_seq, redis_seq = p50("local/seq"), p50("redis/seq")
    fallbacks = stats["redis"].get("reply_cache_fallbacks", 0)
    return [
        Figure("local reply cache: pipelined (200 outstanding)", local_rate, "replies/s"),
        Figure("Redis reply cache: pipelined (200 outstanding)", redis_rate, "replies/s", local_rate, "local",
               ">= 0.90", redis_rate / local_rate >= 0.90),
        Figure("local reply cache: sequential p50 (median of rounds)", local_seq, "ms"),
        Figure("Redis reply cache: sequential p50 (median of rounds)", redis_seq, "ms", local_seq, "local",
               "<= local + 0.3 ms", redis_seq <= local_seq + 0.3),
        Figure("Redis reply cache: sequential p99", pooled("redis/seq")["p99_ms"], "ms", pooled("local/seq")["p99_ms"], "local"),
        Figure("Redis reply cache: pipelined p50", pooled("redis/pipelined")["p50_ms"], "ms",
               pooled("local/pipelined")["p50_ms"], "local"),
        Figure("replies stored in Redis (keys) / fallbacks to local", stored, "keys", None, "", "fallbacks = 0", fallbacks == 0),
    ]


if __name__ == "__main__":
    main()
