"""Load and compile time and memory of SOAP contracts: how long a WSDL takes to become a served
contract (zeep's document, the lxml validator over every schema, the compiled plans) and how much
resident memory it adds, each in a fresh process, against the demo WSDL in the same run.

    python bench/soap_contracts_bench.py                       # test contracts, the corpus if present, SAP-size
    python bench/soap_contracts_bench.py --rounds 1 --corpus DIR

Contracts: the demo WSDL (baseline), the SOAP test contracts (tests/adapters/soap), every case of
the WSDL corpus (tests/data/wsdl/*/case.toml, when present), and two generated SAP-shaped WSDLs
(bench/_big_wsdl.py) of about 1 MB and 2.4 MB. Rounds interleave the contracts because the machine
is shared; each figure is the median of its rounds. Target (issue 13): a SAP-size WSDL (1 MB or
more) compiles in under 5 s and adds under 100 MB. Writes bench/results/soap-contracts-latest.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from _big_wsdl import big_wsdl
from _procs import BENCH, DIE_WITH_PARENT
from _report import Figure, machine, table, write_json

ROOT = BENCH.parent
RESULTS = BENCH / "results" / "soap-contracts-latest.json"
TESTS = ROOT / "tests" / "adapters" / "soap"
DEMO = ROOT / "app" / "defaults" / "soap" / "LoanRiskService.wsdl"
MAX_SECONDS, MAX_MB, SAP_SIZE = 5.0, 100.0, 1_000_000


def test_contracts() -> dict[str, tuple[Path, dict]]:
    return {
        "broker (WCF ?xsd=)": (TESTS / "contracts" / "broker" / "ScoreBroker.wsdl", {}),
        "attributes12": (TESTS / "data" / "attributes12" / "LoanScore.wsdl", {}),
        "inline-many": (TESTS / "data" / "inline-many" / "Apply.wsdl", {}),
        "wsdl-import": (TESTS / "data" / "wsdl-import" / "Service.wsdl",
                        {"http://schemas.example.org/common/v1/common.xsd": TESTS / "data" / "wsdl-import" / "common" / "common.xsd"}),
    }


def corpus_contracts(corpus: Path) -> dict[str, tuple[Path, dict]]:
    found = {}
    for case in sorted(corpus.glob("*/case.toml")):
        spec = tomllib.loads(case.read_text())
        if "wsdl" in spec:
            documents = {k: case.parent / v for k, v in spec.get("documents", {}).items()}
            found[f"corpus {case.parent.name}"] = (case.parent / spec["wsdl"], documents)
    return found


def measure(wsdl: Path, documents: dict) -> dict:
    argv = [*DIE_WITH_PARENT, sys.executable, str(BENCH / "_contract_load.py"), str(wsdl),
            json.dumps({k: str(v) for k, v in documents.items()})]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "wsdl")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="soap-contracts-") as tmp:
        sizes = {"SAP-shaped 1 MB": 75, "SAP-shaped 2.4 MB": 180}
        contracts = {"demo (baseline)": (DEMO, {}), **test_contracts()}
        if args.corpus.is_dir():
            contracts.update(corpus_contracts(args.corpus))
        for name, operations in sizes.items():
            path = Path(tmp) / f"{operations}.wsdl"
            path.write_bytes(big_wsdl(operations))
            contracts[name] = (path, {})
        runs: dict[str, list[dict]] = {name: [] for name in contracts}
        for _ in range(args.rounds):
            for name, (wsdl, documents) in contracts.items():
                runs[name].append(measure(wsdl, documents))
        sizes_bytes = {name: wsdl.stat().st_size for name, (wsdl, _) in contracts.items()}
    base = runs["demo (baseline)"]
    base_s = statistics.median(r["seconds"] for r in base)
    base_mb = statistics.median(r["rss_added_mb"] for r in base)
    figures, failed = [], {}
    for name, results in runs.items():
        if any("error" in r for r in results):
            failed[name] = next(r["error"] for r in results if "error" in r)
            continue
        seconds = statistics.median(r["seconds"] for r in results)
        mb = statistics.median(r["rss_added_mb"] for r in results)
        big = sizes_bytes[name] >= SAP_SIZE
        label = f"{name} ({sizes_bytes[name] / 1024:,.0f} KB, {results[0]['operations']} ops)"
        figures.append(Figure(f"{label}: load+compile", seconds, "s", base_s, "demo",
                              f"< {MAX_SECONDS:g} s" if big else "", (seconds < MAX_SECONDS) if big else None))
        figures.append(Figure(f"{label}: RSS added", mb, "MB", base_mb, "demo",
                              f"< {MAX_MB:g} MB" if big else "", (mb < MAX_MB) if big else None))
    print(table(figures))
    for name, error in failed.items():
        print(f"not loaded: {name}: {error}")
    write_json(RESULTS, {**machine(), "rounds": args.rounds}, figures, {"runs": runs, "failed": failed})


if __name__ == "__main__":
    main()
