"""What the gateway plugs into the scoring client: a fallback model, a decision observer, the core probe.

Kept apart from ``client.py`` so that an observer or a fallback can be written against these
two small types without the gRPC client in view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from scoregate.core.contract import BatchResult, CallerRef, ColumnBatch, ScoreRequest, ScoreResult

if TYPE_CHECKING:
    from scoregate.core.fallback import FallbackScorer
    from scoregate.core.probe import CoreProbe


class DecisionObserver(Protocol):
    """Sees each decision once it is made (fallback ones included); must return at once."""

    def on_result(self, request: ScoreRequest, result: ScoreResult, seconds: float) -> None:
        """A single request was scored; ``seconds`` is the client-side latency."""

    def on_batch(self, batch: ColumnBatch, result: BatchResult, caller: CallerRef | None, seconds: float) -> None:
        """A batch was scored (rejected rows included, with their violations in ``result.rejects``)."""


@dataclass(frozen=True)
class ClientHooks:
    fallback: FallbackScorer | None = None
    """Answers calls for its model when the core is unavailable; None: the call fails."""
    observer: DecisionObserver | None = None
    probe: CoreProbe | None = None
    """The process's one health probe of the core, shared by every client (readiness, and the
    breaker's trial as soon as the core is back); None: a client makes its own when asked."""
