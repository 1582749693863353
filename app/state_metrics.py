"""Metrics and readiness notes of the shared state stores (``[state]``): what is degraded, and what it cost.

Read from the stores when Prometheus scrapes (a collector), so the stores keep plain counters and
import nothing of the metrics library.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


class AuditStoreCollector(Collector):
    """``scoregate_audit_dropped_total``, ``scoregate_audit_backlog`` and ``scoregate_state_up{store="audit"}``."""

    def __init__(self, audit: object, store: str) -> None:
        self.audit = audit
        self.store = store

    def collect(self) -> Iterator:
        audit = self.audit
        dropped = CounterMetricFamily("scoregate_audit_dropped", "Decisions the audit did not keep (queue full, store down at close).",
                                      labels=["store"])
        dropped.add_metric([self.store], float(audit.dropped))
        yield dropped
        backlog = GaugeMetricFamily("scoregate_audit_backlog", "Decisions waiting to be written to the audit store.",
                                    labels=["store"])
        backlog.add_metric([self.store], float(getattr(audit, "backlog", 0)))
        yield backlog
        up = GaugeMetricFamily("scoregate_state_up", "1 while a shared state store takes writes, 0 while it is down.",
                               labels=["store"])
        up.add_metric(["audit"], 0.0 if getattr(audit, "problem", "") else 1.0)
        yield up


def audit_note(audit: object) -> dict[str, str]:
    """The audit's line for ``/readyz`` while its store is down; empty while it is fine."""
    problem = getattr(audit, "problem", "")
    if not problem:
        return {}
    return {"audit": f"{problem}; {audit.backlog} decisions waiting, {audit.dropped} dropped so far (answers continue)"}
