"""Score many canonical requests with one ``ScoreBatch`` call per model, not one ``Score`` each.

Why batches rather than concurrent ``Score`` calls that the core would micro-batch: on this
2-core machine a gRPC call costs the gateway and the core far more CPU than scoring a row does
(the core's own benchmark: 32 concurrent single-row callers reach ~970 req/s, a 1,000-row
``score_batch`` ~145,000 rows/s), and the broker and the responder need the same cores. A group
of one request (what a sequential producer causes) goes as ``Score`` instead: a one-row
``ScoreBatch`` measured 2-3x the latency and CPU of a ``Score`` call on this core.

The matrix is built here from the model's described schema by the core's encoder
(:class:`RowEncoder`, the one category rule); the schema checks stay in the core, which rejects bad rows of a
batch with exactly the violations the ``Score`` path gives, and scores the others. The default
version of a model is described at most every ``refresh_s`` and pinned in the call, so the matrix
always matches the version that scores it even while the core hot-swaps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np

from scoregate.core.client import ScoringClient
from scoregate.core.contract import CallerRef, ColumnBatch, ModelDescription, ScoreRequest, ScoreResult
from scoregate.core.encoder import RowEncoder, encode_features, result_from_batch
from scoregate.core.errors import CoreUnavailable, DeadlineExpired, InvalidInput, ScoreError, UnknownModel

_CALLER = CallerRef(channel="amqp")
_Key = tuple[str, str | None, int, tuple[str, ...]]


class BatchScorer:
    """Thread-safe; one per channel, shared by its scoring workers."""

    def __init__(self, client: ScoringClient, refresh_s: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.refresh_s = refresh_s
        self._clock = clock
        self._lock = threading.Lock()
        self._defaults: dict[str, tuple[float, ModelDescription]] = {}
        self._encoders: dict[tuple[str, str], RowEncoder] = {}
        self.calls = 0
        """ScoreBatch calls made (for tests and the benchmark)."""
        self.single_calls = 0
        """Score calls made for a group of one request."""

    def _describe(self, model: str, version: str | None) -> ModelDescription:
        if version:
            return self.client.describe(model, version)  # the client caches pinned versions
        with self._lock:
            cached = self._defaults.get(model)
        if cached and self._clock() - cached[0] < self.refresh_s:
            return cached[1]
        description = self.client.describe(model)
        with self._lock:
            self._defaults[model] = (self._clock(), description)
        return description

    def _encoder(self, description: ModelDescription) -> RowEncoder:
        key = (description.name, description.version)
        encoder = self._encoders.get(key)
        if encoder is None:  # versions are immutable, so an encoder never goes stale
            encoder = self._encoders[key] = RowEncoder(description.feature_schema)
        return encoder

    def _forget(self, model: str) -> None:
        with self._lock:
            self._defaults.pop(model, None)

    def score(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult | ScoreError]:
        """One result or canonical error per request, in order; never raises a ScoreError."""
        out: list[ScoreResult | ScoreError | None] = [None] * len(requests)
        groups: dict[_Key, list[int]] = {}
        for i, request in enumerate(requests):
            groups.setdefault((request.model, request.version, request.reason_count, request.reason_bands), []).append(i)
        for key, positions in groups.items():
            self._score_group(key, positions, requests, out)
        return out  # type: ignore[return-value]  # every slot is filled by _score_group

    def _score_group(self, key: _Key, positions: list[int], requests: Sequence[ScoreRequest], out: list) -> None:
        model, version, reason_count, reason_bands = key
        for attempt in (1, 2):
            try:
                self._score_rows(self._describe(model, version), (reason_count, reason_bands), positions, requests, out)
                return
            except UnknownModel as error:
                if version is None and attempt == 1:
                    # The described default version was retired meanwhile: describe again, once.
                    self._forget(model)
                    for i in positions:
                        out[i] = None
                    continue
                self._fill(error, positions, out)
                return
            except DeadlineExpired:
                self._timed_out(positions, requests, out)
                return
            except ScoreError as error:
                self._fill(error, positions, out)
                return

    def _timed_out(self, positions: list[int], requests: Sequence[ScoreRequest], out: list) -> None:
        """The call's deadline passed. For a row whose producer is still waiting (no deadline of its
        own, or a later one) that is a slow or hung core, retried like an unavailable one; only a
        row whose own deadline passed is dropped."""
        now = datetime.now(UTC)
        for i in positions:
            deadline = requests[i].deadline
            if out[i] is None:
                out[i] = DeadlineExpired() if deadline is not None and deadline <= now else CoreUnavailable(
                    f"the scoring core did not answer within {self.client.settings.timeout_s:g} s"
                )

    @staticmethod
    def _fill(error: ScoreError, positions: list[int], out: list) -> None:
        for i in positions:
            if out[i] is None:
                out[i] = error

    def _score_rows(
        self, description: ModelDescription, reasons: tuple[int, tuple[str, ...]], positions: list[int],
        requests: Sequence[ScoreRequest], out: list,
    ) -> None:
        now = datetime.now(UTC)
        live = []
        for i in positions:
            deadline = requests[i].deadline
            if deadline is not None and deadline <= now:
                out[i] = DeadlineExpired()
            else:
                live.append(i)
        if len(live) == 1:
            # A lone request (a sequential producer) goes as Score: on this core a one-row
            # ScoreBatch costs several times a Score call (bench/amqp_bench.py measures both).
            self.single_calls += 1
            request = requests[live[0]]
            out[live[0]] = self.client.score(request.model_copy(update={"version": description.version}))
            return
        encoder = self._encoder(description)
        rows: list[list[float]] = []
        scored: list[int] = []
        for i in live:
            request = requests[i]
            row = encoder.encode(request.features)
            if row is None:
                # Something the fast path cannot place in the matrix (unknown feature or code, wrong
                # type): the core's own encoder names the problem exactly as a Score call would.
                _, violations = encode_features(description.feature_schema, request.features)
                out[i] = InvalidInput(violations)
                continue
            rows.append(row)
            scored.append(i)
        if not rows:
            return
        batch = ColumnBatch(
            encoder.names, np.array(rows, dtype=np.float64),
            row_ids=tuple(requests[i].caller.reference or requests[i].request_id for i in scored),
            request_ids=tuple(requests[i].request_id for i in scored),
        )
        self.calls += 1
        result = self.client.score_batch(
            batch, description.name, description.version, reason_count=reasons[0], reason_bands=reasons[1],
            batch_id=requests[scored[0]].request_id, caller=_CALLER, timeout=self._timeout(requests, scored, now),
        )
        for row, i in enumerate(scored):
            rejects = result.rejects.get(row)
            out[i] = InvalidInput(rejects) if rejects else result_from_batch(result, row, requests[i].request_id)

    def _timeout(self, requests: Sequence[ScoreRequest], scored: list[int], now: datetime) -> float | None:
        """The longest remaining deadline when every row has one; otherwise the client's default.

        One call serves rows with different deadlines: the latest one bounds it, so no row loses
        its answer because another row was in a hurry.
        """
        deadlines = [requests[i].deadline for i in scored]
        if any(d is None for d in deadlines):
            return None
        return max((d - now).total_seconds() for d in deadlines if d is not None)
