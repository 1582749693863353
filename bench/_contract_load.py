"""One contract loaded in a fresh process: prints {"seconds", "rss_added_mb", "operations"} as JSON.

Usage: python bench/_contract_load.py WSDL [DOCUMENTS_JSON]. RSS is the process's resident set
(/proc/self/status) before and after ``ServiceContract`` (zeep's document, the lxml validator,
the compiled plans), with every import already done before the first reading.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from scoregate.adapters.soap.contract import ServiceContract


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    wsdl = Path(sys.argv[1])
    documents = {k: Path(v) for k, v in json.loads(sys.argv[2]).items()} if len(sys.argv) > 2 else {}
    before = rss_mb()
    started = time.perf_counter()
    contract = ServiceContract(wsdl, documents)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_added_mb": rss_mb() - before, "operations": len(contract.operations)}))


if __name__ == "__main__":
    main()
