"""What a decision record is, for every audit store: its fields, and its row of plain values.

A store receives :class:`DecisionRecord` objects (one answered request) or a :class:`RowSource`
(a scored batch, :class:`BatchDecisions`, expanded into rows only in the store's writer thread),
and writes rows of :data:`COLUMNS`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import numpy as np

from scoregate.core.contract import REJECTED, BatchResult, CallerRef, ColumnBatch, ScoreResult

COLUMNS = ("time", "channel", "reference", "request_id", "model", "version", "probability", "decision",
           "reasons", "fallback", "latency_ms", "caller")
"""A row's values, in order: time (ISO 8601, UTC), the texts, probability, decision, reasons (JSON
list of [feature, code, contribution]), fallback (0 or 1), latency in milliseconds, and who asked
(the caller's name from its client certificate; "" where the channel does not authenticate callers)."""


@dataclass(frozen=True)
class DecisionRecord:
    """One decision as the audit keeps it."""

    time: datetime
    """When the answer was sent (timezone-aware; stored in UTC)."""
    channel: str
    reference: str
    """The caller's own reference (application number, correlation id, record number)."""
    request_id: str
    model: str
    version: str
    probability: float
    decision: str
    reasons: tuple[tuple[str, str, float], ...] = ()
    """(feature, reason code, contribution), strongest first."""
    fallback: bool = False
    """True when the fallback model answered instead of the scoring core."""
    latency_ms: float = 0.0
    caller: str = ""
    """Who asked: the caller's name (or certificate subject) the channel authenticated; "" if none."""

    @classmethod
    def from_result(
        cls, result: ScoreResult, *, channel: str, reference: str, latency_ms: float, fallback: bool = False,
        at: datetime | None = None, caller: str = "",
    ) -> DecisionRecord:
        """The record of a scored request, as the channel answered it."""
        return cls(
            time=at or datetime.now(UTC), channel=channel, reference=reference, request_id=result.request_id,
            model=result.model, version=result.version, probability=result.probability, decision=result.decision,
            reasons=tuple((r.feature, r.code, r.contribution) for r in result.reasons),
            fallback=fallback, latency_ms=latency_ms, caller=caller,
        )

    def row(self) -> tuple:
        """The record as a row of :data:`COLUMNS`."""
        return (
            self.time.astimezone(UTC).isoformat(), self.channel, self.reference, self.request_id, self.model,
            self.version, self.probability, self.decision, json.dumps(self.reasons, separators=(",", ":")),
            int(self.fallback), self.latency_ms, self.caller,
        )


@runtime_checkable
class RowSource(Protocol):
    """Decisions kept in another shape (a scored batch) until the writer needs them as rows."""

    def __len__(self) -> int:
        """How many decisions (rows) it holds."""

    def rows(self) -> Iterable[tuple]:
        """One tuple per decision in :data:`COLUMNS` order, unmasked (called in the store's writer thread)."""


class BatchDecisions:
    """The decisions of one scored batch, expanded into audit rows only when written.

    A row's reference is the batch's row id (the file channel's record key) or, without one,
    ``<batch reference>#<row number>``; its request id is the row's own (AMQP's batched messages)
    or ``<batch request id>/<row number>``.
    Rejected rows are not decisions and are left out (the channel answered them with a reject).
    """

    def __init__(self, batch: ColumnBatch, result: BatchResult, caller: CallerRef | None, channel: str,
                 request_id: str, latency_ms: float, identity: str = "") -> None:
        self.result = result
        self.row_ids = batch.row_ids
        self.request_ids = batch.request_ids
        self.batch_reference = caller.reference if caller else ""
        self.channel = channel
        self.request_id = request_id
        self.latency_ms = latency_ms
        self.identity = identity
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
                decision, json.dumps(reasons, separators=(",", ":")), fallback, self.latency_ms, self.identity,
            )
