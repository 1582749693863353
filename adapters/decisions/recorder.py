"""What the gateway does with each decision after it is made: audit it, count fallbacks, shadow it.

:class:`DecisionRecorder` is the scoring client's observer (``core/hooks.py``) for one channel.
It runs in the channel's thread or event loop, so it only queues: the audit's writer thread turns
a scored batch into rows (:class:`BatchDecisions`), and a single result costs one small record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.decisions.sqlite import AuditLog, DecisionRecord
from scoregate.core.contract import REJECTED, BatchResult, CallerRef, ColumnBatch, ScoreRequest, ScoreResult
from scoregate.core.logcontext import current_request_id

if TYPE_CHECKING:
    from scoregate.adapters.decisions.shadow import ShadowScorer


class BatchDecisions:
    """The decisions of one scored batch, expanded into audit rows only when written.

    A row's reference is the batch's row id (the file channel's record key) or, without one,
    ``<batch reference>#<row number>``; its request id is the row's own (AMQP's batched messages)
    or ``<batch request id>/<row number>``.
    Rejected rows are not decisions and are left out (the channel answered them with a reject).
    """

    def __init__(self, batch: ColumnBatch, result: BatchResult, caller: CallerRef | None, channel: str,
                 request_id: str, latency_ms: float) -> None:
        self.result = result
        self.row_ids = batch.row_ids
        self.request_ids = batch.request_ids
        self.batch_reference = caller.reference if caller else ""
        self.channel = channel
        self.request_id = request_id
        self.latency_ms = latency_ms
        self.at = datetime.now(UTC).isoformat()
        self._scored = np.flatnonzero(result.decisions != REJECTED)

    def __len__(self) -> int:
        return len(self._scored)

    def rows(self) -> Iterator[tuple]:
        r = self.result
        bands = np.array(r.band_names + ("",), dtype=object)
        decisions = bands[np.minimum(r.decisions[self._scored], len(r.band_names))].tolist()
        probabilities = r.probabilities[self._scored].tolist()
        features = r.reason_features[self._scored].tolist()
        contributions = r.reason_contributions[self._scored].tolist()
        fallback = int(r.fallback)
        for row, decision, probability, idx, contrib in zip(self._scored.tolist(), decisions, probabilities, features, contributions):
            reasons = [(r.feature_names[i], r.reason_codes[i], c) for i, c in zip(idx, contrib) if i >= 0]
            reference = self.row_ids[row] if self.row_ids else f"{self.batch_reference}#{row + 1}"
            request_id = self.request_ids[row] if self.request_ids else f"{self.request_id}/{row + 1}"
            yield (
                self.at, self.channel, reference, request_id, r.model, r.version, probability,
                decision, json.dumps(reasons, separators=(",", ":")), fallback, self.latency_ms,
            )


class DecisionRecorder:
    """The client observer of one channel: every decision to the audit, fallbacks to the metrics,
    and to the shadow scorer when one is configured."""

    def __init__(
        self, channel: str, audit: AuditLog | None = None, metrics: ChannelMetrics | None = None,
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
            )])
        if self.shadow is not None:
            self.shadow.submit_result(request, result)

    def on_batch(self, batch: ColumnBatch, result: BatchResult, caller: CallerRef | None, seconds: float) -> None:
        if result.fallback and self.metrics is not None:
            self.metrics.event("fallback_scored", int((result.decisions != REJECTED).sum()))
        if self.audit is not None:
            request_id = current_request_id() or (caller.reference if caller and caller.reference else "batch")
            self.audit.record(BatchDecisions(batch, result, caller, self.channel, request_id, seconds * 1000))
        if self.shadow is not None:
            self.shadow.submit_batch(batch, result, caller, result.reason_features.shape[1])
