"""The scoregate core's KServe V2 endpoint beside Seldon MLServer, one client, one run.

    python bench/oip_bench.py [--rounds 3] [--seconds 3] [--quick]

Same model (the demo booster), same machine, same run. One load process (bench/_oip_load.py, in
the ``mlserver`` side environment of scripts/side_venvs.py, which holds tritonclient and XGBoost)
calls every server in turn, figure by figure, round by round:

- servers: the scoregate core (``scoregate core serve``: its V2 endpoint) and MLServer (its
  XGBoost runtime) in four configurations: inference in the server process or in its default one
  worker process, each without and with adaptive batching (``max_batch_size`` 32, 2 ms);
- figures: one sequential single-row caller (p50, p99), 32 concurrent single-row callers (req/s),
  1,000-row batches (rows/s), each beside in-process ``inplace_predict`` (nthread=1, in the load
  process): its one-row time, the req/s that time allows on one core, its rows/s;
- V2 against ``scoregate.v1`` on the same core: both called with request bytes made once
  (a bare gRPC channel), so neither client's per-call cost counts.

Prints the table and writes bench/results/oip-latest.json. Targets (issue #21): the core ahead of
every MLServer configuration on every figure, at least 3x its req/s at 32 callers and 1.5x its
rows/s in batches; the V2 endpoint within 10% of scoregate.v1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from _procs import BENCH, DIE_WITH_PARENT, Servers, scoregate_command
from _report import Figure, machine, table

from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR
from scoregate.core.contract import ColumnBatch, ModelMetadata, ScoreRequest
from scoregate.core.convert import to_proto_batch, to_proto_request
from scoregate.core.train import generate_dataset

sys.path.insert(0, str(BENCH.parent / "tests"))
from v2_support import MLServer, side_python  # noqa: E402 - the tests' MLServer, not a copy

VERSION_DIR = DEMO_MODELS_DIR / DEMO_MODEL / "1"
MLSERVERS = {  # name: (parallel_workers, max_batch_size)
    "mlserver in-process": (0, 0),
    "mlserver in-process, adaptive batching": (0, 32),
    "mlserver 1 worker (default)": (1, 0),
    "mlserver 1 worker, adaptive batching": (1, 32),
}
CORE_V2 = "scoregate core V2"


def _v1_requests(folder: Path, rows: np.ndarray, meta: ModelMetadata) -> tuple[Path, Path]:
    """The first row as a Score request (categories as their codes) and the rows as a ScoreBatch one."""
    features = {}
    for spec, value in zip(meta.feature_schema.features, rows[0].tolist()):
        if value == value:  # NaN: missing
            features[spec.name] = spec.codes[int(value)] if spec.codes else value
    single, batch = folder / "v1-single.bin", folder / "v1-batch.bin"
    single.write_bytes(to_proto_request(ScoreRequest(request_id="b", model=DEMO_MODEL, features=features)).SerializeToString())
    names = meta.feature_schema.names
    batch.write_bytes(to_proto_batch(ColumnBatch(names, rows), DEMO_MODEL, None, 0, "b", None, ()).SerializeToString())
    return single, batch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=3.0, help="length of each 32-caller run")
    p.add_argument("--quick", action="store_true", help="1 round, short runs: a smoke test of the bench")
    args = p.parse_args()
    rounds, seconds, calls, batches = (1, 1.0, 100, 5) if args.quick else (args.rounds, args.seconds, 400, 20)
    python = side_python("mlserver")
    meta = ModelMetadata.model_validate_json((VERSION_DIR / "metadata.json").read_bytes())
    matrix, _, _ = generate_dataset(2000, seed=11)
    rows = np.ascontiguousarray(matrix[:1000], dtype=np.float64)
    mlservers: list[MLServer] = []
    with Servers() as servers, tempfile.TemporaryDirectory(prefix="scoregate-oip-") as tmp:
        folder = Path(tmp)
        _, port = servers.start("core", [*scoregate_command(), "core", "serve", "--address", "127.0.0.1:0",
                                         "--models-dir", str(DEMO_MODELS_DIR)])
        target = f"127.0.0.1:{port}"
        try:
            for i, (name, (workers, batch)) in enumerate(MLSERVERS.items()):
                mlservers.append(MLServer(folder / f"mlserver-{i}", VERSION_DIR, parallel_workers=workers,
                                          max_batch_size=batch, max_batch_time=0.002))
            np.save(folder / "rows.npy", rows)
            single, batch_file = _v1_requests(folder, rows, meta)
            specs = [{"name": CORE_V2, "kind": "triton", "target": target}]
            specs += [{"name": name, "kind": "triton", "target": s.target} for name, s in zip(MLSERVERS, mlservers)]
            specs += [{"name": "scoregate core V2 (bytes)", "kind": "raw", "target": target},
                      {"name": "scoregate core v1 (bytes)", "kind": "raw", "target": target,
                       "method": "/scoregate.v1.Scoring/Score", "batch_method": "/scoregate.v1.Scoring/ScoreBatch",
                       "single": str(single), "batch": str(batch_file)}]
            plan = {"servers": specs, "model": DEMO_MODEL, "rows": str(folder / "rows.npy"), "batch_rows": 1000,
                    "booster": str(VERSION_DIR / "model.ubj"), "rounds": rounds, "seq_calls": calls, "seconds": seconds,
                    "tasks": 32, "batches": batches}
            done = subprocess.run([*DIE_WITH_PARENT, str(python), str(BENCH / "_oip_load.py")], input=json.dumps(plan),
                                  capture_output=True, text=True, timeout=3600)
            if done.returncode != 0:
                raise SystemExit(f"the load process failed:\n{done.stderr[-3000:]}")
            measured = json.loads(done.stdout)
        finally:
            for server in mlservers:
                server.stop()
    report(measured, plan)


def report(measured: dict, plan: dict) -> None:
    base = {k: statistics.median(b[k] for b in measured["baseline"]) for k in ("single_us", "rows_per_s")}
    one_core_req_s = 1e6 / base["single_us"]
    stats = {}
    for name, m in measured["servers"].items():
        lat = np.array(m["latency_ns"]) / 1e6
        stats[name] = {"p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
                       "req_s": statistics.median(m["req_s"]), "rows_s": statistics.median(m["rows_s"])}
    figures: list[Figure] = [
        Figure("in-process inplace_predict, 1 row", base["single_us"], "us"),
        Figure("in-process inplace_predict, 1000-row batches", base["rows_per_s"], "rows/s"),
    ]
    core = stats[CORE_V2]
    for name, s in stats.items():
        if "(bytes)" in name:
            continue
        figures += [
            Figure(f"{name}: 1 caller p50", s["p50_ms"] * 1000, "us", base["single_us"], "inplace_predict"),
            Figure(f"{name}: 1 caller p99", s["p99_ms"] * 1000, "us", base["single_us"], "inplace_predict"),
            Figure(f"{name}: 32 callers", s["req_s"], "req/s", one_core_req_s, "1/inplace_predict"),
            Figure(f"{name}: 1000-row batches", s["rows_s"], "rows/s", base["rows_per_s"], "inplace_predict"),
        ]
    for name, s in stats.items():
        if name.startswith("mlserver"):
            figures += [
                Figure(f"core V2 / {name}: 32 callers", core["req_s"], "req/s", s["req_s"], name, ">= 3x", core["req_s"] >= 3 * s["req_s"]),
                Figure(f"core V2 / {name}: batches", core["rows_s"], "rows/s", s["rows_s"], name, ">= 1.5x", core["rows_s"] >= 1.5 * s["rows_s"]),
                Figure(f"core V2 / {name}: p50", core["p50_ms"] * 1000, "us", s["p50_ms"] * 1000, name, "< 1x", core["p50_ms"] < s["p50_ms"]),
                Figure(f"core V2 / {name}: p99", core["p99_ms"] * 1000, "us", s["p99_ms"] * 1000, name, "< 1x", core["p99_ms"] < s["p99_ms"]),
            ]
    raw_v2, raw_v1 = stats["scoregate core V2 (bytes)"], stats["scoregate core v1 (bytes)"]
    figures += [
        Figure("V2 / v1, same bytes client: 1 caller p50", raw_v2["p50_ms"] * 1000, "us", raw_v1["p50_ms"] * 1000, "v1",
               "<= 1.1x", raw_v2["p50_ms"] <= 1.1 * raw_v1["p50_ms"]),
        Figure("V2 / v1, same bytes client: 32 callers", raw_v2["req_s"], "req/s", raw_v1["req_s"], "v1",
               ">= 0.9x", raw_v2["req_s"] >= 0.9 * raw_v1["req_s"]),
        Figure("V2 / v1, same bytes client: 1000-row batches", raw_v2["rows_s"], "rows/s", raw_v1["rows_s"], "v1",
               ">= 0.9x", raw_v2["rows_s"] >= 0.9 * raw_v1["rows_s"]),
    ]
    print(table(figures))
    out = BENCH / "results" / "oip-latest.json"
    out.write_text(json.dumps({"machine": machine(), "plan": {k: v for k, v in plan.items() if k not in ("servers", "rows", "booster")},
                               "stats": stats, "baseline": base, "figures": [f.__dict__ for f in figures]}, indent=1))
    print(f"\nwritten to {out.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
