"""A/B of two or more core servers, called alternately by one client, for changes smaller than the noise.

    python bench/core_ab.py --mode seq new=scoregate old=$OLD_VENV/bin/scoregate
    python bench/core_ab.py --mode batch on=scoregate off=scoregate:SCOREGATE_CORE_MONITOR_INPUTS=false
    python bench/core_ab.py --mode concurrent --rounds 6 new=scoregate old=$OLD_VENV/bin/scoregate

Each server is NAME=COMMAND[:ENV=VALUE,...]: a ``scoregate`` console script (of this or another
virtual environment, e.g. one with an older checkout installed) and environment settings, or
NAME=noop for the model-less server (bench/noop_server.py, the transport floor). All
servers run at once on free ports; the client calls them in turn (5 single rows or 1 batch of
1000 rows each), so a noisy second of the shared machine lands on all of them alike. In
``concurrent`` mode each round runs the benchmark's 32-caller load (bench/_load.py, 3 s) against
every server in turn. The full
benchmark (core_bench.py) runs its servers one after another and cannot see a 10% change here.
Servers are called in the order given, every round; in ``concurrent`` mode the first one has read
about 7% low, so give each build twice, at both ends (``a1=... b1=... b2=... a2=...``).
``--tasks`` sets the callers in flight (32 by default, as in the full benchmark).

Caveat: background work of one server (the input monitor, say) also slows the calls to the
others, so an A/B of such work understates its cost. The client is this checkout's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from _procs import BENCH, Servers, run_load
from _workload import MODEL, batches, cycle, demo_rows, single_request

from scoregate.app.paths import DEMO_MODELS_DIR
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings


def parse(spec: str) -> tuple[str, list[str], dict[str, str]]:
    name, _, rest = spec.partition("=")
    command, _, envs = rest.partition(":")
    env = dict(os.environ)
    for pair in filter(None, envs.split(",")):
        key, _, value = pair.partition("=")
        env[key] = value
    if command == "noop":
        return name, [sys.executable, str(BENCH / "noop_server.py")], env
    argv = [command or "scoregate", "--log-level", "error", "core", "serve", "--address", "127.0.0.1:0",
            "--models-dir", str(DEMO_MODELS_DIR), "--max-batch-wait-ms", "0"]
    return name, argv, env


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("servers", nargs="+", help="NAME=COMMAND[:ENV=VALUE,...]")
    p.add_argument("--mode", choices=["seq", "batch", "concurrent"], default="seq")
    p.add_argument("--rounds", type=int, default=400, help="rounds of calls to every server")
    p.add_argument("--tasks", type=int, default=32, help="callers in flight (concurrent mode)")
    a = p.parse_args()
    request, work = single_request(), cycle(batches(demo_rows(10_000), 1000))
    per_round = 5 if a.mode == "seq" else 1

    def call(client: ScoringClient) -> tuple[float, int]:
        started = time.perf_counter()
        if a.mode == "seq":
            core_micros = client.score(request).core_micros
        else:
            core_micros = client.score_batch(next(work), MODEL).core_micros
        return time.perf_counter() - started, core_micros

    with Servers() as servers:
        clients = {}
        for spec in a.servers:
            name, argv, env = parse(spec)
            _, port = servers.start(name, argv, env=env)
            clients[name] = ScoringClient(ClientSettings(target=f"127.0.0.1:{port}"))
        if a.mode == "concurrent":
            rates: dict[str, list[float]] = {name: [] for name in clients}
            latencies: dict[str, list[int]] = {name: [] for name in clients}
            for _ in range(a.rounds):
                for name, client in clients.items():
                    target = client.settings.target
                    load = run_load(target, "concurrent", "--limit", 3, "--warmup-s", 1, "--tasks", a.tasks)
                    rates[name].append(load["req_per_s"])
                    latencies[name] += load["samples_us"]
            print(f"concurrent: {a.rounds} rounds of {a.tasks} callers for 3 s per server")
            for name, values in rates.items():
                p50, p99 = np.percentile(latencies[name], [50, 99]) / 1000
                print(f"  {name:<12} median {np.median(values):,.0f} req/s  call p50 {p50:.2f} ms  p99 {p99:.2f} ms  "
                      f"rounds {[round(v) for v in values]}")
            for client in clients.values():
                client.close()
            return
        for client in clients.values():
            for _ in range(50):
                call(client)
        samples: dict[str, list[tuple[float, int]]] = {name: [] for name in clients}
        for _ in range(a.rounds):
            for name, client in clients.items():
                samples[name] += [call(client) for _ in range(per_round)]
        for client in clients.values():
            client.close()
    print(f"{a.mode}: {a.rounds} rounds, {per_round} call(s) per server per round")
    for name, values in samples.items():
        seconds = np.array([s for s, _ in values]) * 1e3
        micros = np.array([m for _, m in values])
        print(f"  {name:<12} call p50 {np.median(seconds):.3f} ms  p90 {np.percentile(seconds, 90):.3f} ms  "
              f"core_micros p50 {np.median(micros):.0f}")


if __name__ == "__main__":
    main()
