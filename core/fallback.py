"""A fallback model scored inside the gateway process when the core is unavailable.

The scoring client turns to it when a call fails with ``CoreUnavailable`` (after its retries, or
at once while the circuit breaker is open) and the request is for the fallback's model. Its
results carry ``fallback=True`` and the fallback's own version (``1-fallback`` for the demo), so
a legacy response that only has a model field still tells which model answered. It validates
exactly as the core does (``validation.py``): bad input is still refused, never scored.

The demo's fallback is ``app/defaults/fallback/credit-risk/1-fallback``: 15 trees of the same
data instead of 120, small enough to load in every gateway process.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from scoregate.core.contract import BatchResult, ColumnBatch, ModelDescription, ScoreRequest, ScoreResult
from scoregate.core.convert import result_from_batch
from scoregate.core.errors import InvalidInput
from scoregate.core.registry import load_version
from scoregate.core.scoring import Scorer
from scoregate.core.encoder import encode_features
from scoregate.core.validation import check_columns, validate_matrix


class FallbackScorer:
    """One model version loaded in-process; ``score`` and ``score_batch`` mirror the core's."""

    def __init__(self, version_dir: Path) -> None:
        self.scorer = Scorer(load_version(Path(version_dir)))
        meta = self.scorer.model.metadata
        self.model = meta.name
        self.version = meta.version
        self.description = ModelDescription(
            name=meta.name, version=meta.version, feature_schema=meta.feature_schema, bands=meta.bands,
            contributions=meta.contributions,
        )

    def serves(self, model: str, version: str | None = None) -> bool:
        """Whether a call for ``model`` (pinned to ``version``) may be answered by the fallback.

        A pinned version other than the fallback's own is refused: a caller who pins a version
        asked for that model and no other.
        """
        return model == self.model and version in (None, "", self.version)

    def score(self, request: ScoreRequest) -> ScoreResult:
        row, violations = encode_features(self.description.feature_schema, request.features)
        if violations:
            raise InvalidInput(violations)
        bands = self.scorer.reason_bands(request.reason_bands) if request.reason_count else None
        result = self.scorer.score(row, request.reason_count, bands=bands)
        return result_from_batch(result, 0, request.request_id).model_copy(update={"fallback": True})

    def score_batch(self, batch: ColumnBatch, reason_count: int = 0, reason_bands: tuple[str, ...] = ()) -> BatchResult:
        schema = self.description.feature_schema
        problems = check_columns(schema, batch.feature_names)
        if problems:
            raise InvalidInput(problems)
        bands = self.scorer.reason_bands(reason_bands) if reason_count else None
        result = self.scorer.score(batch.matrix, reason_count, validate_matrix(schema, batch.matrix), bands)
        return dataclasses.replace(result, fallback=True)
