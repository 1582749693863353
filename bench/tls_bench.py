"""What mutual TLS costs: the core at 32 callers and the SOAP channel at 16 clients, each beside the
same server over plain connections, in one run.

    python bench/tls_bench.py            # 5 interleaved rounds, about 2 minutes
    python bench/tls_bench.py --quick    # 2 short rounds

Certificates are made for the run (trustme): a CA, a server certificate, a client certificate.
Core: two ``scoregate core serve`` processes on the demo models, one plain, one requiring client
certificates with an access file naming the client's subject (so the access check runs on every
call); the load client (bench/_load.py, 32 asyncio tasks, its own process) connects with or without
its certificate. SOAP: one plain core and two SoapChannel processes (bench/_soap_server.py), one
plain HTTP, one HTTPS requiring client certificates with an allow-list; bench/_soap_load.py keeps
16 keep-alive connections busy. Connections are opened once per run, so the figures are the steady
cost (encryption, the per-call access check), not handshakes. Rounds interleave plain and mTLS;
each ratio is the median of the per-round ratios. Writes bench/results/tls-latest.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import trustme
from _procs import BENCH, DIE_WITH_PARENT, Servers, run_load, scoregate_command
from _report import Figure, machine, table, write_json
from _timing import pool

from scoregate.app.paths import DEMO_MODELS_DIR

RESULTS = BENCH / "results" / "tls-latest.json"
PATH = "/RiskServices/LoanRiskService.asmx"
TARGET_RATIO = 0.90  # mTLS keeps at least 90% of the plain throughput


def make_pki(servers: Servers) -> dict[str, str]:
    ca = trustme.CA()
    server, client = ca.issue_cert("localhost", "127.0.0.1"), ca.issue_cert("bench-client", common_name="bench-client")
    files = {"ca": "ca.pem", "server_cert": "server.crt", "server_key": "server.key", "client_cert": "client.crt",
             "client_key": "client.key", "access": "access.toml"}
    paths = {k: str(servers.path(v)) for k, v in files.items()}
    ca.cert_pem.write_to_path(paths["ca"])
    server.cert_chain_pems[0].write_to_path(paths["server_cert"])
    server.private_key_pem.write_to_path(paths["server_key"])
    client.cert_chain_pems[0].write_to_path(paths["client_cert"])
    client.private_key_pem.write_to_path(paths["client_key"])
    servers.path("access.toml").write_text('[[subject]]\nname = "CN=bench-client"\n')
    return paths


def soap_load(port: int, seconds: float, warmup_s: float, tls: list[str]) -> dict:
    argv = [*DIE_WITH_PARENT, sys.executable, str(BENCH / "_soap_load.py"), str(port), PATH, "--clients", "16",
            "--seconds", str(seconds), "--warmup-s", str(warmup_s), *tls]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + warmup_s + 120, cwd=BENCH)
    if done.returncode != 0:
        raise RuntimeError(f"SOAP load client failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool) -> None:
    p = {"rounds": 2, "seconds": 3.0} if quick else {"rounds": 5, "seconds": 5.0}
    started = time.monotonic()
    meta = {**machine(), "plan": p, "note": "the machine was shared with other work while measuring: ratios, not absolutes"}
    runs: dict[str, list[dict]] = {}
    with Servers() as servers:
        pki = make_pki(servers)
        tls_args = ["--tls", pki["ca"], pki["client_cert"], pki["client_key"]]
        serve = [*scoregate_command(), "--log-level", "warning", "core", "serve", "--address", "127.0.0.1:0",
                 "--models-dir", str(DEMO_MODELS_DIR)]
        _, plain_port = servers.start("core-plain", serve)
        _, mtls_port = servers.start("core-mtls", [*serve, "--tls-cert", pki["server_cert"], "--tls-key", pki["server_key"],
                                                   "--tls-client-ca", pki["ca"], "--access-file", pki["access"]])
        cores = {"plain": (f"127.0.0.1:{plain_port}", []), "mtls": (f"localhost:{mtls_port}", tls_args)}
        soap_dir = servers.path("")
        for name in ("server.crt", "server.key", "ca.pem"):
            assert (soap_dir / name).exists()
        soaps = {
            "plain": (servers.start("soap-plain", [sys.executable, str(BENCH / "_soap_server.py"), "soap", cores["plain"][0]])[1], []),
            "mtls": (servers.start("soap-mtls", [sys.executable, str(BENCH / "_soap_server.py"), "soap", cores["plain"][0],
                                                 str(soap_dir)])[1], tls_args),
        }
        for r in range(p["rounds"]):
            order = ("plain", "mtls") if r % 2 == 0 else ("mtls", "plain")
            print(f"  round {r + 1}/{p['rounds']} ...", flush=True)
            for name in order:
                target, extra = cores[name]
                runs.setdefault(f"core-{name}", []).append(
                    run_load(target, "concurrent", "--tasks", 32, "--limit", p["seconds"], "--warmup-s", 1, *extra))
            for name in order:
                port, extra = soaps[name]
                runs.setdefault(f"soap-{name}", []).append(soap_load(port, p["seconds"], 1.0, extra))
    pooled = {k: pool(v) for k, v in runs.items()}
    figs = []
    for what, label in (("core", "core, 32 callers"), ("soap", "SOAP channel + core, 16 clients")):
        plain, mtls = pooled[f"{what}-plain"], pooled[f"{what}-mtls"]
        ratios = [m["req_per_s"] / b["req_per_s"] for m, b in zip(runs[f"{what}-mtls"], runs[f"{what}-plain"])]
        ratio = statistics.median(ratios)
        errors = plain.get("errors", 0) + mtls.get("errors", 0)
        figs += [
            Figure(f"{label}, mTLS", mtls["req_per_s"], "req/s", plain["req_per_s"], "plain",
                   f">= {TARGET_RATIO:.2f} of plain (median per-round {ratio:.2f})", ratio >= TARGET_RATIO and errors == 0),
            Figure(f"{label}, mTLS p50", mtls["p50_ms"], "ms", plain["p50_ms"], "plain"),
            Figure(f"{label}, mTLS p99", mtls["p99_ms"], "ms", plain["p99_ms"], "plain"),
        ]
    meta["seconds"] = round(time.monotonic() - started, 1)
    meta["loadavg_end"] = __import__("os").getloadavg()
    print(table(figs))
    print(f"load average {meta['loadavg_start']} -> {meta['loadavg_end']}; {meta['seconds']} s")
    write_json(RESULTS, meta, figs, {"per_round": {k: [r["req_per_s"] for r in v] for k, v in runs.items()}, "pooled": pooled})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    run(parser.parse_args().quick)


if __name__ == "__main__":
    main()
