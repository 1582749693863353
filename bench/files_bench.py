"""File channel benchmark: a generated 1,000,000-record EBCDIC file of the demo layout (LOANREQ,
200-byte records, packed and zoned fields), in one run:

- raw read bandwidth of the file from the page cache (the physical limit);
- decode-only: every field of every record, per-record error flags (``RecordCodec.iter_batches``);
- decode + feature matrix (``adapters.columnar.feature_matrix``);
- the scoring baseline: in-process ``inplace_predict`` (booster nthread=1, as the core runs it) on
  the same rows, in the same batch size;
- the same policy in process: the core's ``Scorer`` with 4 reason codes for adverse decisions only
  (DECLINE, REVIEW: the demo job's ``reason_bands``), and for every record;
- end to end: ``process_file`` (decode, score through a core in its own process over gRPC, encode,
  write, fsync, rename) in its own process, with its peak RSS; the demo job (4 reason codes for
  adverse decisions), 4 reason codes for every record, and none;

Every in-process baseline and every end-to-end run is measured once per round, rounds interleaved
(``--runs``, 3 by default); each figure is the median over the rounds, beside its baseline's.
- CPU per record of the gateway and of the core against the same work in process: on a shared
  machine these move far less than the rates do.

- the copybook constructs real extracts use (``_constructs.py``): OCCURS DEPENDING ON files
  (RECFM VB; one table, and one counted per outer occurrence) and an edited-picture file against a
  fixed layout of the same byte volume, decode
  MB/s (wall and CPU, median of interleaved rounds) and peak memory at two file sizes.

    python bench/files_bench.py [--records 1000000] [--runs 3] [--keep DIR]
    python bench/files_bench.py --constructs-only [--constructs-mb 100] [--rounds 5]

Prints a table and writes bench/results/files-latest.json (files-constructs-latest.json with
``--constructs-only``); see docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xgboost
from _constructs import measure as measure_constructs
from _measure import one_row_predict_us
from _procs import BENCH, Servers, scoregate_command
from _report import Figure, machine, table, write_json

from scoregate.adapters.columnar import feature_matrix
from scoregate.adapters.files import FileJobConfig
from scoregate.adapters.files.demo import write_demo_file
from scoregate.app.paths import DEFAULTS_DIR, DEMO_MODEL, DEMO_MODELS_DIR
from scoregate.core.registry import load_version
from scoregate.core.scoring import Scorer

CHUNK = 4 * 1024 * 1024
_TICK = os.sysconf("SC_CLK_TCK")
RESULTS = BENCH / "results" / "files-latest.json"
CONSTRUCTS_RESULTS = BENCH / "results" / "files-constructs-latest.json"


def _chunks(path: Path):  # noqa: ANN202
    with path.open("rb") as f:
        while data := f.read(CHUNK):
            yield data


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def read_bandwidth(path: Path) -> float:
    t0 = time.perf_counter()
    n = sum(len(c) for c in _chunks(path))
    return n / (time.perf_counter() - t0) / 1e6


def decode_only(config: FileJobConfig, path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    records = sum(len(b) for b in config.input_codec.iter_batches(_chunks(path), config.batch_records))
    return time.perf_counter() - t0, records


def decode_and_features(config: FileJobConfig, path: Path,
                        schema) -> tuple[float, float, list[np.ndarray]]:  # noqa: ANN001
    """Wall and CPU seconds, and the matrices (the scoring baselines' input)."""
    today = datetime.now(UTC).date()
    matrices = []
    t0, c0 = time.perf_counter(), time.process_time()
    for batch in config.input_codec.iter_batches(_chunks(path), config.batch_records):
        part = batch.parts[config.input.detail]
        matrix, _ = feature_matrix(config.request, schema, part.real_columns(), len(part), today)
        matrices.append(matrix)
    return time.perf_counter() - t0, time.process_time() - c0, matrices


def inplace_predict(booster: xgboost.Booster, matrices: list[np.ndarray]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    for m in matrices:
        booster.inplace_predict(m)
    return time.perf_counter() - t0, time.process_time() - c0


def scorer_pass(scorer: Scorer, matrices: list[np.ndarray], bands: tuple[str, ...]) -> float:
    """Seconds for the core's own Scorer, in process, with 4 reason codes for ``bands`` (all: empty)."""
    chosen = scorer.reason_bands(bands)
    t0 = time.perf_counter()
    for m in matrices:
        scorer.score(m, 4, bands=chosen)
    return time.perf_counter() - t0


def end_to_end(core, port: int, path: Path, out: Path, reasons: int, bands: str | None = None) -> dict:  # noqa: ANN001
    argv = [sys.executable, str(BENCH / "_files_run.py"), f"127.0.0.1:{port}", str(path), str(out),
            "--reasons", str(reasons), *(["--bands", bands] if bands is not None else [])]
    core_before = cpu_seconds(core.pid)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    run = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    return run | {"rec_s": run["records"] / run["seconds"], "core_cpu_s": cpu_seconds(core.pid) - core_before}


def figures(res: dict) -> list[Figure]:
    e2e, e2e4, inplace = res["e2e_no_reasons"], res["e2e_reasons4"], res["inplace_predict_rec_s"]
    adverse, adverse_base = res["e2e_adverse"], res["scorer_adverse_rec_s"]
    ratio = e2e["rec_s"] / inplace
    rss = max(e2e["maxrss_mb"], e2e4["maxrss_mb"], adverse["maxrss_mb"])
    per_record = 1e6 / e2e["records"]
    return [
        Figure("in-process inplace_predict, 1 row (this machine)", res["one_row_predict_us"], "us"),
        Figure("end to end, the demo job (4 reasons, DECLINE and REVIEW only)", adverse["rec_s"], "records/s",
               adverse_base, "in-process, same policy", ">= 0.85", adverse["rec_s"] / adverse_base >= 0.85),
        Figure("end to end, 4 reasons for every record", e2e4["rec_s"], "records/s", res["scorer_all_rec_s"],
               "in-process, same policy"),
        Figure("end to end, no reason codes", e2e["rec_s"], "records/s", inplace, "inplace_predict",
               ">= 0.85", ratio >= 0.85),
        Figure("read from page cache", res["read_mb_s"], "MB/s"),
        Figure("decode all fields", res["decode_mb_s"], "MB/s", res["read_mb_s"], "read", ">= 100 MB/s",
               res["decode_mb_s"] >= 100),
        Figure("decode all fields", res["decode_rec_s"], "records/s"),
        Figure("decode + feature matrix", res["decode_features_rec_s"], "records/s", res["decode_rec_s"], "decode"),
        Figure("in-process inplace_predict", inplace, "records/s"),
        Figure("in-process Scorer, 4 reasons for adverse decisions only", adverse_base, "records/s",
               res["scorer_all_rec_s"], "reasons for all"),
        Figure("end to end, no reason codes", e2e["rec_s"], "records/s", res["decode_features_rec_s"],
               "decode + features"),
        Figure("gateway CPU per record, no reason codes", e2e["file_cpu_s"] * per_record, "us",
               res["decode_features_cpu_us"], "decode + features"),
        Figure("core CPU per record, no reason codes", e2e["core_cpu_s"] * per_record, "us",
               res["inplace_predict_cpu_us"], "inplace_predict"),
        Figure("gateway peak RSS", rss, "MB", target="< 500 MB", met=rss < 500),
    ]


def construct_figures(res: dict) -> list[Figure]:
    fixed = res["FIXED"]
    figs = [Figure("decode, fixed layout (FB)", fixed["mb_s"], "MB/s"),
            Figure("decode, fixed layout (FB), CPU", fixed["cpu_mb_s"], "MB/s")]
    for kind, name in (("ODO", "OCCURS DEPENDING ON (VB)"),
                       ("ODO-NESTED", "ODO counted per outer occurrence (VB)"), ("EDITED", "edited pictures (FB)")):
        got = res[kind]
        figs += [Figure(f"decode, {name}", got["mb_s"], "MB/s", fixed["mb_s"], "fixed", ">= 0.5",
                        got["mb_s"] >= 0.5 * fixed["mb_s"]),
                 Figure(f"decode, {name}, CPU", got["cpu_mb_s"], "MB/s", fixed["cpu_mb_s"], "fixed", ">= 0.5",
                        got["cpu_mb_s"] >= 0.5 * fixed["cpu_mb_s"])]
    for kind in ("FIXED", "ODO", "ODO-NESTED", "EDITED"):
        peak, quarter = res[kind]["peak_mb_full"], res[kind]["peak_mb_quarter"]
        figs.append(Figure(f"peak memory, {kind.lower()}, whole file", peak, "MB", quarter, "quarter file",
                           "<= 1.5", peak <= 1.5 * quarter))
    return figs


def constructs_only(args: argparse.Namespace, meta: dict, started: float) -> None:
    work = args.keep or Path(tempfile.mkdtemp(prefix="scoregate-constructs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    res = measure_constructs(work, args.constructs_mb, args.rounds)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    figs = construct_figures(res)
    meta["loadavg_end"] = os.getloadavg()
    meta["wall_s"] = round(time.monotonic() - started, 1)
    print("\n" + table(figs))
    print(f"\nwall time {meta['wall_s']} s; load average {meta['loadavg_start'][0]:.2f} -> {meta['loadavg_end'][0]:.2f}")
    write_json(CONSTRUCTS_RESULTS, meta, figs, res)
    print(f"wrote {CONSTRUCTS_RESULTS}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="end-to-end runs without reason codes (median)")
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--constructs-only", action="store_true", help="only the copybook constructs section")
    parser.add_argument("--constructs-mb", type=float, default=100, help="size of each constructs file")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved decode rounds of the constructs")
    args = parser.parse_args()
    started = time.monotonic()
    meta = {**machine(), "mode": "full" if args.records == 1_000_000 else f"{args.records:,} records",
            "command": " ".join(["python", *sys.argv])}
    if args.constructs_only:
        meta["mode"] = f"constructs, {args.constructs_mb:g} MB files"
        constructs_only(args, meta, started)
        return
    print(f"scoregate file channel benchmark: {meta['nproc']} cores ({meta['cpu']}) shared by the core, the "
          f"gateway and the in-process baselines; load average {meta['loadavg_start'][0]:.2f}", flush=True)
    config = FileJobConfig.load(DEFAULTS_DIR / "files" / "loans.toml")
    work = args.keep or Path(tempfile.mkdtemp(prefix="scoregate-files-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "LOANS.BENCH"
    t0 = time.perf_counter()
    write_demo_file(path, args.records)
    size_mb = path.stat().st_size / 1e6
    print(f"generated {args.records:,} records, {size_mb:.0f} MB in {time.perf_counter() - t0:.1f} s", flush=True)
    res: dict = {"records": args.records, "file_mb": size_mb}
    read_bandwidth(path)  # into the page cache
    res["read_mb_s"] = max(read_bandwidth(path) for _ in range(3))
    seconds, n = min((decode_only(config, path) for _ in range(2)), key=lambda r: r[0])
    res["decode_mb_s"], res["decode_rec_s"] = size_mb / seconds, n / seconds
    model = load_version(DEMO_MODELS_DIR / DEMO_MODEL / "1", xgb_threads=1)
    seconds, cpu, matrices = decode_and_features(config, path, model.metadata.feature_schema)
    res["decode_features_rec_s"], res["decode_features_cpu_us"] = args.records / seconds, cpu / args.records * 1e6
    res["one_row_predict_us"] = one_row_predict_us()
    print(f"one-row inplace_predict on this machine: {res['one_row_predict_us']:.0f} us", flush=True)
    scorer = Scorer(model)
    adverse = config.request.reason_bands
    passes, scored_adverse, scored_all = [], [], []
    runs: dict[str, list[dict]] = {"e2e_no_reasons": [], "e2e_adverse": [], "e2e_reasons4": []}
    with Servers() as servers:
        core, port = servers.start("core", [*scoregate_command(), "--log-level", "warning", "core", "serve",
                                         "--address", "127.0.0.1:0", "--models-dir", str(DEMO_MODELS_DIR)])
        for r in range(args.runs):
            print(f"round {r + 1}/{args.runs} (load average {os.getloadavg()[0]:.2f})", flush=True)
            passes.append(inplace_predict(model.runtime.booster, matrices))
            scored_adverse.append(scorer_pass(scorer, matrices, adverse))
            scored_all.append(scorer_pass(scorer, matrices, ()))
            runs["e2e_no_reasons"].append(end_to_end(core, port, path, work / "out", 0))
            runs["e2e_adverse"].append(end_to_end(core, port, path, work / "out", 4))
            runs["e2e_reasons4"].append(end_to_end(core, port, path, work / "out", 4, ""))
            print({k: round(v[-1]["rec_s"]) for k, v in runs.items()}, flush=True)
    del matrices
    res["inplace_predict_rec_s"] = args.records / statistics.median(wall for wall, _ in passes)
    res["inplace_predict_cpu_us"] = statistics.median(cpu for _, cpu in passes) / args.records * 1e6
    res["scorer_adverse_rec_s"] = args.records / statistics.median(scored_adverse)
    res["scorer_all_rec_s"] = args.records / statistics.median(scored_all)
    for name, values in runs.items():
        res[f"{name}_runs"] = values
        res[name] = sorted(values, key=lambda v: v["rec_s"])[len(values) // 2]  # the median run
    res["e2e_vs_inplace"] = res["e2e_no_reasons"]["rec_s"] / res["inplace_predict_rec_s"]
    res["constructs"] = measure_constructs(work, args.constructs_mb, args.rounds)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    figs = figures(res) + construct_figures(res["constructs"])
    meta["loadavg_end"] = os.getloadavg()
    meta["wall_s"] = round(time.monotonic() - started, 1)
    print("\n" + table(figs))
    load = meta["loadavg_start"][0], meta["loadavg_end"][0]
    print(f"\nwall time {meta['wall_s']} s; load average {load[0]:.2f} -> {load[1]:.2f}")
    write_json(RESULTS, meta, figs, res)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
