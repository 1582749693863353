"""core/heap.settle: what a server loaded at start leaves the collector's generations; cycles made
afterwards are still collected. Run in a child process: it changes the interpreter's collector."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import gc, json, weakref
from scoregate.core import heap
class Node: pass
loaded = [Node() for _ in range(1000)]  # what start-up keeps
heap.settle()
frozen = gc.get_freeze_count()
cycle = Node(); cycle.me = cycle; probe = weakref.ref(cycle); del cycle  # garbage made while serving
gc.collect()
print(json.dumps({"frozen": frozen, "young": gc.get_threshold()[0], "cycle_collected": probe() is None}))
"""


def test_settle_freezes_what_is_loaded_and_still_collects_later_cycles() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True)
    out = json.loads(done.stdout)
    assert out["frozen"] >= 1000
    assert out["young"] == 10_000
    assert out["cycle_collected"] is True
