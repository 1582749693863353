"""File channel benchmark: a generated 1,000,000-record EBCDIC file of the demo layout (LOANREQ,
200-byte records, packed and zoned fields), in one run:

- raw read bandwidth of the file from the page cache (the physical limit);
- decode-only: every field of every record, per-record error flags (``RecordCodec.iter_batches``);
- decode + feature matrix (``adapters.columnar.feature_matrix``);
- the scoring baseline: in-process ``inplace_predict`` (booster nthread=1, as the core runs it) on
  the same rows, in the same batch size;
- end to end: ``process_file`` (decode, score through a core in its own process over gRPC, encode,
  write, fsync, rename) in its own process, with its peak RSS; with reason codes (the demo job: 4)
  and without.

    python bench/files_bench.py [--records 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xgboost
from _procs import BENCH, Servers, scoregate_command

from scoregate.adapters.columnar import feature_matrix
from scoregate.adapters.files import FileJobConfig
from scoregate.adapters.files.demo import write_demo_file
from scoregate.app.paths import DEFAULTS_DIR, DEMO_MODEL, DEMO_MODELS_DIR
from scoregate.core.registry import load_version

CHUNK = 4 * 1024 * 1024


def _chunks(path: Path):  # noqa: ANN202
    with path.open("rb") as f:
        while data := f.read(CHUNK):
            yield data


def read_bandwidth(path: Path) -> float:
    t0 = time.perf_counter()
    n = sum(len(c) for c in _chunks(path))
    return n / (time.perf_counter() - t0) / 1e6


def decode_only(config: FileJobConfig, path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    records = sum(len(b) for b in config.input_codec.iter_batches(_chunks(path), config.batch_records))
    return time.perf_counter() - t0, records


def decode_and_features(config: FileJobConfig, path: Path, schema) -> tuple[float, list[np.ndarray]]:  # noqa: ANN001
    today = datetime.now(UTC).date()
    matrices = []
    t0 = time.perf_counter()
    for batch in config.input_codec.iter_batches(_chunks(path), config.batch_records):
        part = batch.parts[config.input.detail]
        matrix, _ = feature_matrix(config.request, schema, part.real_columns(), len(part), today)
        matrices.append(matrix)
    return time.perf_counter() - t0, matrices


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    config = FileJobConfig.load(DEFAULTS_DIR / "files" / "loans.json")
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
    seconds, matrices = decode_and_features(config, path, model.metadata.feature_schema)
    res["decode_features_rec_s"] = args.records / seconds
    t0 = time.perf_counter()
    for m in matrices:
        model.booster.inplace_predict(m)
    res["inplace_predict_rec_s"] = args.records / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for m in matrices:
        model.booster.predict(xgboost.DMatrix(m, feature_names=model.booster.feature_names), pred_contribs=True,
                              approx_contribs=True)
    res["approx_contribs_rec_s"] = args.records / (time.perf_counter() - t0)
    del matrices
    with Servers() as servers:
        _, port = servers.start("core", [*scoregate_command(), "--log-level", "warning", "core", "serve",
                                         "--address", "127.0.0.1:0", "--models-dir", str(DEMO_MODELS_DIR)])
        for label, reasons in (("e2e_reasons4", 4), ("e2e_no_reasons", 0)):
            out = work / f"out-{label}"
            argv = [sys.executable, str(BENCH / "_files_run.py"), f"127.0.0.1:{port}", str(path), str(out),
                    "--reasons", str(reasons)]
            done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
            if done.returncode:
                raise RuntimeError(done.stderr[-3000:])
            run = json.loads(done.stdout.strip().splitlines()[-1])
            res[label] = run | {"rec_s": run["records"] / run["seconds"]}
            print(label, res[label], flush=True)
    res["e2e_vs_inplace"] = res["e2e_no_reasons"]["rec_s"] / res["inplace_predict_rec_s"]
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
