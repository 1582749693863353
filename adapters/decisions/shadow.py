"""Shadow scoring: each decision scored again by a candidate version, off the answer's path.

:class:`ShadowScorer` is handed every decision by the channel's :class:`DecisionRecorder` and
only queues it; its own thread asks the core again with the version pinned to the shadow one and
writes that second score to the audit under the same reference and request id, with channel
``<channel>:shadow``. The caller's answer is never waited on, changed or delayed: a full queue
drops the shadow score (counted), and a shadow failure is only counted and logged.

``scoregate models compare --db AUDIT`` pairs the two by request id: agreement of decisions and
the score distribution of each version.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from scoregate.adapters.decisions.records import BatchDecisions, DecisionRecord
from scoregate.adapters.decisions.store import AuditStore
from scoregate.core.client import ScoringClient
from scoregate.core.contract import BatchResult, CallerRef, ColumnBatch, ScoreRequest, ScoreResult
from scoregate.core.errors import ScoreError
from scoregate.core.logcontext import current_request_id

log = logging.getLogger(__name__)

SHADOW_SUFFIX = ":shadow"
DEFAULT_MAX_PENDING = 1_000
_STOP = object()


class ShadowScorer:
    """Scores the decisions of one channel again with ``model`` version ``version`` (a version or alias)."""

    def __init__(
        self, client: ScoringClient, model: str, version: str, audit: AuditStore, channel: str,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self.client = client
        self.model = model
        self.version = version
        self.audit = audit
        self.channel = channel + SHADOW_SUFFIX
        self.scored = self.dropped = self.failed = 0
        self._queue: queue.Queue = queue.Queue(max_pending)
        self._thread = threading.Thread(target=self._run, name=f"shadow-{channel}", daemon=True)
        self._thread.start()

    def _wanted(self, model: str, version: str, fallback: bool) -> bool:
        # A fallback answer means the core is down: asking it again now would only add load.
        return model == self.model and version != self.version and not fallback

    def submit_result(self, request: ScoreRequest, result: ScoreResult) -> None:
        if self._wanted(result.model, result.version, result.fallback):
            self._put((request, None, None, result.request_id))

    def submit_batch(self, batch: ColumnBatch, result: BatchResult, caller: CallerRef | None, reason_count: int) -> None:
        if self._wanted(result.model, result.version, result.fallback):
            request_id = current_request_id() or (caller.reference if caller and caller.reference else "batch")
            self._put((batch, caller, reason_count, request_id))

    def _put(self, item: tuple) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1

    def stop(self, timeout: float = 5.0) -> None:
        """Finish what is queued (within ``timeout``), then stop."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            what, caller, reason_count, request_id = item
            started = time.perf_counter()
            try:
                if isinstance(what, ScoreRequest):
                    shadow = self.client.score(what.model_copy(update={"version": self.version}))
                    ms = (time.perf_counter() - started) * 1000
                    reference = what.caller.reference or what.request_id
                    self.audit.record([DecisionRecord.from_result(shadow, channel=self.channel, reference=reference, latency_ms=ms)])
                else:
                    result = self.client.score_batch(what, self.model, self.version, reason_count=reason_count, caller=caller)
                    ms = (time.perf_counter() - started) * 1000
                    self.audit.record(BatchDecisions(what, result, caller, self.channel, request_id, ms))
                self.scored += 1
            except ScoreError as error:
                self.failed += 1
                log.warning("shadow scoring with %s version %s failed: %s", self.model, self.version, error.message)
            except Exception:  # noqa: BLE001 - the shadow thread must outlive any one failure (a closed client at stop)
                self.failed += 1
                log.exception("shadow scoring with %s version %s failed", self.model, self.version)
