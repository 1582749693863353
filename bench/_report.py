"""The results table (figure, value, baseline, ratio, target, met?), the machine, the JSON file."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


def table(figures: list[Figure]) -> str:
    rows = [("figure", "value", "baseline (in-run)", "ratio", "target", "met?")]
    for f in figures:
        base = f"{_fmt(f.baseline)} {f.baseline_name}" if f.baseline is not None else "-"
        met = "-" if f.met is None else ("yes" if f.met else "NO")
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}"
        rows.append((f.name, f"{_fmt(f.value)} {f.unit}", base, ratio, f.target or "-", met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "xgboost": version("xgboost-cpu") if _has("xgboost-cpu") else version("xgboost"),
        "grpcio": version("grpcio"),
        "numpy": version("numpy"),
        "protobuf": version("protobuf"),
        "loadavg_start": os.getloadavg(),
    }


def _has(dist: str) -> bool:
    try:
        version(dist)
    except Exception:  # noqa: BLE001 - PackageNotFoundError
        return False
    return True


def write_json(path: Path, meta: dict, figures: list[Figure], raw: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figs = [{**asdict(f), "ratio": f.ratio} for f in figures]
    path.write_text(json.dumps({"meta": meta, "figures": figs, "raw": raw}, indent=2) + "\n")


def figures(inp: dict, res: dict) -> list[Figure]:
    """The table rows; ``res`` is the pooled server measurements by "server/kind"."""
    noop, core, slow = (lambda kind, s=s: res[f"{s}/{kind}"] for s in ("noop", "core-0", "core-0.5"))
    r, ceiling = inp["reasons"], noop("conc")["req_per_s"]
    batch_base, stream = core("batch")["inproc_rows_per_s"], core("stream")
    grpc_extra = core("reasons")["us_per_row"] - core("batch")["us_per_row"]

    def concurrent(name: str, m: dict) -> Figure:
        rps = m["req_per_s"]
        return Figure(name, rps, "req/s", ceiling, "noop", ">= 0.75", rps / ceiling >= 0.75)

    seq_ratio = core("seq")["p50_ms"] / noop("seq")["p50_ms"]
    threads = core("batch").get("threads", 1)

    return [
        Figure("in-process inplace_predict, 1 row", inp["single"]["us_per_call"], "us/call"),
        Figure("in-process inplace_predict, 1000-row batches", inp["batch_1000"]["rows_per_s"], "rows/s"),
        # The core's own predictor (same C function, a proxy DMatrix per thread): part of why the
        # core can come closer to inplace_predict than gRPC's cost alone would allow.
        Figure("in-process Scorer.score (the core's direct call), 1000-row batches", 1e6 / r["plain_us_per_row"],
               "rows/s", inp["batch_1000"]["rows_per_s"], "inplace_predict"),
        Figure("noop gRPC: sequential 1 row p50", noop("seq")["p50_ms"], "ms"),
        Figure("noop gRPC: sequential 1 row p99", noop("seq")["p99_ms"], "ms"),
        Figure("noop gRPC: 32 concurrent 1-row callers", ceiling, "req/s"),
        Figure("noop gRPC: 1000-row batches", noop("batch")["rows_per_s"], "rows/s", noop("batch")["inproc_rows_per_s"],
               "in-proc"),
        Figure("core: sequential 1 row p50", core("seq")["p50_ms"], "ms", noop("seq")["p50_ms"], "noop",
               "<= 1.25x noop", seq_ratio <= 1.25),
        Figure("core: sequential 1 row p99", core("seq")["p99_ms"], "ms", noop("seq")["p99_ms"], "noop"),
        concurrent("core: 32 concurrent 1-row callers", core("conc")),
        *([Figure("core: 32 callers through one coalescing client", core("conc-coalesced")["req_per_s"], "req/s",
                  ceiling, "noop (one call each)")] if "core-0/conc-coalesced" in res else []),
        Figure(f"core: lone caller's 1000-row score_batch ({threads} threads)", core("batch")["rows_per_s"], "rows/s",
               batch_base, f"in-proc {threads} threads", ">= 0.80", core("batch")["rows_per_s"] / batch_base >= 0.80),
        Figure(f"core: score_stream {stream['rows']:,} rows (10k/batch)", stream["rows_per_s"], "rows/s",
               stream["inproc_rows_per_s"], "in-proc 10k"),
        Figure("approx top-3 reasons, in process (extra)", r["approx_extra_us_per_row"], "us/row",
               r["plain_us_per_row"], "plain", "<= 20 us/row", r["approx_extra_us_per_row"] <= 20),
        Figure("approx top-3 reasons, via core (extra)", grpc_extra, "us/row", core("batch")["us_per_row"],
               "plain", "<= 20 us/row", grpc_extra <= 20),
        Figure(f"exact top-3 reasons, in process (extra, {r['exact_rows']} rows)", r["exact_extra_us_per_row"],
               "us/row", r["exact_plain_us_per_row"], "plain"),
        Figure("core wait 0.5 ms: sequential 1 row p50", slow("seq")["p50_ms"], "ms", core("seq")["p50_ms"],
               "wait 0", "< 1 ms", slow("seq")["p50_ms"] < 1.0),
        concurrent("core wait 0.5 ms: 32 concurrent callers", slow("conc")),
    ]
