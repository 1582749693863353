"""What the audit store costs a SOAP answer: three `gateway serve` processes side by side in one run,
the same core behind them, the audit off, in the embedded SQLite file, and in PostgreSQL
(``[state] postgres``); p50 at one client and throughput at 16, interleaved rounds.

    python bench/audit_soap_bench.py [--rounds 3] [--seconds 5] [--postgres URL]

The load client is bench/_soap_load.py (its own process). The PostgreSQL gateway writes into a
schema of its own on ``--postgres`` (default: the test machine's server), dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from urllib.parse import quote

import psycopg
from _procs import BENCH, DIE_WITH_PARENT, Servers, scoregate_command

from scoregate.app.paths import DEFAULTS_DIR, DEMO_MODELS_DIR

PATH = "/RiskServices/LoanRiskService.asmx"
STORES = ("none", "sqlite", "postgres")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gateway(servers: Servers, store: str, target: str, url: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    audit = {"none": "", "sqlite": f'[audit]\npath = "{servers.path("audit.sqlite")}"\n',
             "postgres": f'[state]\npostgres = "{url}"\n'}[store]
    config = servers.path(f"{store}.toml")
    config.write_text(f'[health]\nport = 0\n[client]\ntarget = "{target}"\n{audit}'
                      f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = {port} }}\n")
    with servers.path(f"{store}.err").open("wb") as err:
        proc = subprocess.Popen([*DIE_WITH_PARENT, *scoregate_command(), "--log-level", "warning", "gateway", "serve",
                                 "--config", str(config), "--workdir", str(servers.path(".")), "--grace", "5"],
                                stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{PATH}?wsdl", timeout=2).read()
            return proc, port
        except OSError:
            assert proc.poll() is None, servers.path(f"{store}.err").read_text()[-2000:]
            time.sleep(0.2)
    raise RuntimeError(f"the {store} gateway did not answer")


def _load(port: int, clients: int, seconds: float) -> dict:
    argv = [*DIE_WITH_PARENT, sys.executable, str(BENCH / "_soap_load.py"), str(port), PATH, "--clients", str(clients),
            "--seconds", str(seconds), "--warmup-s", "1"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=BENCH, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    a = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(a.postgres, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{a.postgres}{'&' if '?' in a.postgres else '?'}options={quote(f'-csearch_path={schema}')}"
    p50: dict[str, list[float]] = {s: [] for s in STORES}
    rate: dict[str, list[float]] = {s: [] for s in STORES}
    try:
        subprocess.run([*scoregate_command(), "state", "migrate", "--postgres", url], check=True, capture_output=True)
        with Servers() as servers:
            _, core_port = servers.start("core", [*scoregate_command(), "--log-level", "warning", "core", "serve",
                                                  "--address", "127.0.0.1:0", "--models-dir", str(DEMO_MODELS_DIR)])
            target = f"127.0.0.1:{core_port}"
            ports = {store: _gateway(servers, store, target, url)[1] for store in STORES}
            for r in range(a.rounds):
                for store in STORES[r % 3:] + STORES[:r % 3]:
                    one = _load(ports[store], 1, a.seconds)
                    p50[store].append(statistics.median(one["samples_us"]) / 1000)
                    rate[store].append(_load(ports[store], 16, a.seconds)["req_per_s"])
        with psycopg.connect(url) as conn:
            kept = conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
    finally:
        with psycopg.connect(a.postgres, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    base_p50, base_rate = statistics.median(p50["none"]), statistics.median(rate["none"])
    for store in STORES:
        m50, mrate = statistics.median(p50[store]), statistics.median(rate[store])
        print(f"audit {store:8}  p50 (1 client) {m50:6.2f} ms {[round(x, 2) for x in p50[store]]}  ratio {m50 / base_p50:.2f}   "
              f"16 clients {mrate:7.0f} req/s {[round(x) for x in rate[store]]}  ratio {mrate / base_rate:.2f}")
    print(f"decisions in PostgreSQL: {kept}; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
