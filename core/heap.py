"""The garbage collector of a long-running server process, set once everything is loaded.

What a server loads at start (WSDL schemas, compiled plans, models, gRPC and prometheus objects:
about 70,000 tracked objects in a SOAP gateway) lives as long as the process, yet every full
collection walked all of it again. ``gc.freeze()`` moves it out of the collector's generations for
good. Requests then make short-lived objects only, many of which are still alive (waiting for the
core) when the young generation fills: with the default threshold of 700 allocations the collector
ran every 15-20 SOAP requests under 16 clients and traversed the same waiting requests each time;
a larger young generation runs it a tenth as often. Together 10-15% of a SOAP gateway's CPU per
request (bench/soap_bench.py; docs/BENCHMARKS.md). Garbage with reference cycles made while
serving is still collected, only later. What was frozen is freed by reference counting alone: a
model version or contract replaced later that holds reference cycles keeps those cycles' memory
(one load's worth per replacement, not per request).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
"""Allocations (less deallocations) of tracked objects between two young collections (Python: 700)."""


def settle() -> None:
    """Collect what start-up left behind, freeze the rest, and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
