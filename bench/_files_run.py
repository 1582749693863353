"""One file through the file channel's pipeline (``process_file``), in its own process for its peak RSS.

    python bench/_files_run.py CORE_TARGET INPUT OUT_DIR [--reasons N] [--bands DECLINE,REVIEW] [--batch-records N]

``--bands`` sets the job's reason_bands ("" for reasons on every record); without it the demo
job's own (reasons for adverse decisions only).

Prints one JSON object: seconds, records, scored, rejected, maxrss_mb, cpu_s (this process, all of
it) and file_cpu_s (this process while the file ran, without start-up and imports).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from scoregate.adapters.files import FileJobConfig, process_file
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("input", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--reasons", type=int, default=None)
    parser.add_argument("--bands", default=None, help="comma-separated reason bands; empty: every decision")
    parser.add_argument("--batch-records", type=int, default=None)
    args = parser.parse_args()
    config = FileJobConfig.load(DEFAULTS_DIR / "files" / "loans.toml")
    update: dict = {}
    request: dict = {}
    if args.reasons is not None:
        request["reason_count"] = args.reasons
    if args.bands is not None:
        request["reason_bands"] = tuple(b for b in args.bands.split(",") if b)
    if request:
        update["request"] = config.request.model_copy(update=request)
    if args.batch_records:
        update["batch_records"] = args.batch_records
    config = config.model_copy(update=update)
    with ScoringClient(ClientSettings(target=args.target, timeout_s=120)) as client:
        client.describe("credit-risk")  # connect first: the figure is the file, not the handshake
        cpu0 = _cpu()
        t0 = time.perf_counter()
        summary = process_file(args.input, config, client, args.out)
        seconds = time.perf_counter() - t0
        file_cpu = _cpu() - cpu0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "records": summary.records, "scored": summary.scored,
                      "rejected": summary.rejected, "outcome": summary.outcome,
                      "maxrss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
                      "file_cpu_s": file_cpu}))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
