"""What the gateway does with each decision after it is made: audit it, count fallbacks, shadow it.

:class:`DecisionRecorder` is the scoring client's observer (``core/hooks.py``) for one channel.
It runs in the channel's thread or event loop, so it only queues: the store's writer thread turns
a scored batch into rows (``records.BatchDecisions``), and a single result costs one small record.
"""

from __future__ import annotations

from scoregate.adapters.decisions.records import BatchDecisions, DecisionRecord
from scoregate.adapters.decisions.shadow import ShadowScorer
from scoregate.adapters.decisions.store import AuditStore
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.core.contract import REJECTED, BatchResult, CallerRef, ColumnBatch, ScoreRequest, ScoreResult
from scoregate.core.logcontext import current_caller, current_request_id


class DecisionRecorder:
    """The client observer of one channel: every decision to the audit, fallbacks to the metrics,
    and to the shadow scorer when one is configured."""

    def __init__(
        self, channel: str, audit: AuditStore | None = None, metrics: ChannelMetrics | None = None,
        shadow: ShadowScorer | None = None,
    ) -> None:
        self.channel = channel
        self.audit = audit
        self.metrics = metrics
        self.shadow = shadow

    def on_result(self, request: ScoreRequest, result: ScoreResult, seconds: float) -> None:
        if result.fallback and self.metrics is not None:
            self.metrics.event("fallback_scored")
        if self.audit is not None:
            reference = request.caller.reference or request.request_id
            self.audit.record([DecisionRecord.from_result(
                result, channel=self.channel, reference=reference, latency_ms=seconds * 1000, fallback=result.fallback,
                caller=current_caller(),  # set by the channel that authenticated the caller (SOAP client certificates)
            )])
        if self.shadow is not None:
            self.shadow.submit_result(request, result)

    def on_batch(self, batch: ColumnBatch, result: BatchResult, caller: CallerRef | None, seconds: float) -> None:
        if result.fallback and self.metrics is not None:
            self.metrics.event("fallback_scored", int((result.decisions != REJECTED).sum()))
        if self.audit is not None:
            request_id = current_request_id() or (caller.reference if caller and caller.reference else "batch")
            self.audit.record(BatchDecisions(batch, result, caller, self.channel, request_id, seconds * 1000, current_caller()))
        if self.shadow is not None:
            self.shadow.submit_batch(batch, result, caller, result.reason_features.shape[1])
