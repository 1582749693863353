"""A/B of SOAP servers under one load (16 clients unless --clients), interleaved rounds: each one's CPU per request.

    python bench/soap_ab.py                                   # soap, soap-nocore, lxml, static
    python bench/soap_ab.py --rounds 6 soap soap-percall
    python bench/soap_ab.py new=soap old=soap@$OLD_VENV/bin/python@$OLD_CHECKOUT/bench/_soap_server.py

Each server is a mode of bench/_soap_server.py (static, lxml, soap, soap-percall, soap-nocore),
or NAME=MODE[@PYTHON[@SCRIPT]] to run it with another interpreter (a virtual environment with an
older checkout installed) and that checkout's own server script. All of them and one core start
at once; every round loads each in turn (16 keep-alive clients, bench/_soap_load.py), starting
with a different one each round. The figure is the server process's CPU time (/proc) per request
answered, the figure that decides throughput when the machine's cores are shared (soap_bench.py
measures the throughput itself), and the core's CPU per request beside it.

``soap-nocore`` answers from a prepared result after a core call's round trip, so that the same
number of requests are in flight: ``soap`` minus ``soap-nocore`` is what the scoring client
(coalescing, gRPC, conversions) costs the gateway per request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from _procs import BENCH, Servers, scoregate_command
from soap_bench import cpu_seconds, load

from scoregate.app.paths import DEMO_MODELS_DIR


def parse(spec: str) -> tuple[str, str, str, str]:
    name, _, rest = spec.rpartition("=") if "=" in spec else ("", "", spec)
    mode, python, script = ([*rest.split("@"), "", ""])[:3]
    return name or mode, mode, python or sys.executable, script or str(BENCH / "_soap_server.py")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("servers", nargs="*", default=["soap", "soap-nocore", "lxml", "static"])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--clients", type=int, default=16, help="keep-alive connections, one request in flight each")
    a = p.parse_args()
    specs = [parse(s) for s in a.servers]
    runs: dict[str, list[tuple[float, float, float, list[int]]]] = {name: [] for name, *_ in specs}
    started_load = os.getloadavg()[0]
    with Servers() as servers:
        core, core_port = servers.start("core", [*scoregate_command(), "--log-level", "warning", "core", "serve",
                                                 "--address", "127.0.0.1:0", "--models-dir", str(DEMO_MODELS_DIR)])
        procs = {name: servers.start(name, [python, script, mode, f"127.0.0.1:{core_port}"]) for name, mode, python, script in specs}
        names = list(procs)
        for r in range(a.rounds):
            for name in names[r % len(names):] + names[: r % len(names)]:
                proc, port = procs[name]
                before, core_before = cpu_seconds(proc.pid), cpu_seconds(core.pid)
                result = load(port, a.clients, a.seconds, 1.0)
                served = max(result["total"], 1)
                runs[name].append(((cpu_seconds(proc.pid) - before) / served * 1e6,
                                   (cpu_seconds(core.pid) - core_before) / served * 1e6, result["req_per_s"], result["samples_us"]))
            print(f"  round {r + 1}/{a.rounds}", flush=True)
    print(f"{a.rounds} rounds x {a.seconds:.0f} s, {a.clients} clients; load average {started_load:.1f} -> {os.getloadavg()[0]:.1f}")
    for name, values in runs.items():
        server, core_us, rate = (statistics.median(v[i] for v in values) for i in range(3))
        p50 = statistics.median(statistics.median(v[3]) for v in values) / 1000
        print(f"  {name:<14} server CPU/request {server:5.0f} us  core {core_us:4.0f} us  ({rate:,.0f} req/s, p50 {p50:.2f} ms)  "
              f"rounds {[round(v[0]) for v in values]}")


if __name__ == "__main__":
    main()
