"""Scorer: one loaded model version turned into probabilities, decisions and reason codes.

Everything here works on whole matrices: one runtime ``predict`` per batch (``core/runtime``), decisions by
``searchsorted``, top-N reasons by ``argsort`` over the contribution matrix. Reasons restricted to
some decision bands are computed after the decisions, for the rows in those bands only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from scoregate.core.contract import REJECTED, BatchResult, ModelMetadata
from scoregate.core.errors import FieldViolation, InvalidInput, ViolationCode
from scoregate.core.runtime import ModelRuntime


@dataclass(frozen=True)
class LoadedModel:
    """An immutable, loaded model version. Requests hold a reference to the one they started on."""

    metadata: ModelMetadata
    runtime: ModelRuntime
    """What predicts (``core/runtime``): the scorer never names the library behind it."""
    threads: int = 1
    """Threads per runtime call (predictions and contributions alike)."""

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        return self.metadata.version


def band_uppers(meta: ModelMetadata) -> np.ndarray:
    """The inner band bounds ``decide`` takes."""
    return np.array([b.upper for b in meta.bands[:-1]], dtype=np.float64)


def decide(uppers: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Decision (band index) per probability: band i covers [upper[i-1], upper[i]); the last band also takes 1.0."""
    return np.searchsorted(uppers, probabilities, side="right").astype(np.uint8)


def top_reasons(contributions: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Top ``count`` features that raised each row's score, from rows x (features + 1) contributions
    (the bias last): (indexes, contributions).

    Only positive contributions are reasons (a feature that lowered the risk explains nothing
    to an applicant); empty slots hold index -1 and contribution 0.
    """
    n = contributions.shape[1] - 1
    contribs = contributions[:, :n]
    order = np.argsort(-contribs, axis=1, kind="stable")[:, :min(count, n)]
    top = np.take_along_axis(contribs, order, axis=1)
    positive = top > 0
    return np.where(positive, order, -1).astype(np.int32), np.where(positive, top, 0.0)


class Scorer:
    """Scores float64 matrices (already validated) with one model version."""

    def __init__(self, model: LoadedModel) -> None:
        self.model = model
        meta = model.metadata
        self._uppers = band_uppers(meta)
        self._band_names = tuple(b.name for b in meta.bands)
        self._feature_names = meta.feature_schema.names
        self._reason_codes = tuple(f.reason_code for f in meta.feature_schema.features)
        self._exact = meta.contributions == "exact"
        self._band_sets: dict[tuple[str, ...], np.ndarray | None] = {}
        self._runtime = model.runtime
        self.probabilities = model.runtime.predict
        """``probabilities(matrix, threads=0)``: the runtime's own predict, bound once (no extra hop)."""

    def decisions(self, probabilities: np.ndarray) -> np.ndarray:
        return decide(self._uppers, probabilities)

    def reasons(self, matrix: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``count`` features that raised each row's score: (indexes, contributions).

        Only positive contributions are reasons (a feature that lowered the risk explains nothing
        to an applicant); empty slots hold index -1 and contribution 0.
        """
        return top_reasons(self._runtime.contributions(matrix, self._exact), count)

    def reason_bands(self, names: tuple[str, ...]) -> np.ndarray | None:
        """The decision indexes of the named bands (None: every band), for ``score``'s ``bands``.

        Raises InvalidInput for a name that is not one of the model's bands."""
        if not names:
            return None
        indexes = self._band_sets.get(names)
        if indexes is None:
            unknown = [n for n in names if n not in self._band_names]
            if unknown:
                raise InvalidInput([FieldViolation(
                    field="reason_bands", code=ViolationCode.UNKNOWN_CATEGORY,
                    message=f"{', '.join(unknown)}: not a decision band of the model ({', '.join(self._band_names)})",
                )])
            indexes = self._band_sets[names] = np.array(sorted({self._band_names.index(n) for n in names}), dtype=np.uint8)
        return indexes

    def _banded_reasons(
        self, matrix: np.ndarray, decisions: np.ndarray, count: int, bands: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Reasons for the rows whose decision is in ``bands`` (all rows for None); none for the others."""
        if bands is None:
            return self.reasons(matrix, count)
        wanted = np.isin(decisions, bands)
        features = np.full((matrix.shape[0], count), -1, dtype=np.int32)
        contributions = np.zeros((matrix.shape[0], count), dtype=np.float64)
        if wanted.any():
            features[wanted], contributions[wanted] = self.reasons(matrix[wanted], count)
        return features, contributions

    def score(
        self,
        matrix: np.ndarray,
        reason_count: int = 0,
        rejects: dict[int, tuple[FieldViolation, ...]] | None = None,
        bands: np.ndarray | None = None,
        threads: int = 0,
    ) -> BatchResult:
        """Score every row not in ``rejects``; rejected rows get NaN and ``REJECTED``.

        ``bands`` (from ``reason_bands``): reasons only for rows decided into one of them.
        ``threads``: OpenMP threads for the predictions, when more than the model's own."""
        started = time.perf_counter_ns()
        rejects = rejects or {}
        rows = matrix.shape[0]
        count = min(reason_count, matrix.shape[1])
        if not rejects and rows:  # the common case, without the fill-and-scatter of rejected rows
            probabilities = self.probabilities(matrix, threads)
            decisions = self.decisions(probabilities)
            if count:
                reason_features, reason_contribs = self._banded_reasons(matrix, decisions, count, bands)
            else:
                reason_features, reason_contribs = np.empty((rows, 0), dtype=np.int32), np.empty((rows, 0))
        else:
            probabilities = np.full(rows, np.nan)
            decisions = np.full(rows, REJECTED, dtype=np.uint8)
            reason_features = np.full((rows, count), -1, dtype=np.int32)
            reason_contribs = np.zeros((rows, count), dtype=np.float64)
            good = np.ones(rows, dtype=bool)
            good[list(rejects)] = False
            scored = matrix[good]
            if scored.shape[0]:
                p = self.probabilities(scored, threads)
                probabilities[good] = p
                decisions[good] = self.decisions(p)
                if count:
                    reason_features[good], reason_contribs[good] = self._banded_reasons(
                        scored, decisions[good], count, bands)
        return BatchResult(
            model=self.model.name,
            version=self.model.version,
            probabilities=probabilities,
            decisions=decisions,
            band_names=self._band_names,
            reason_features=reason_features,
            reason_contributions=reason_contribs,
            feature_names=self._feature_names,
            reason_codes=self._reason_codes,
            rejects=dict(rejects),
            core_micros=(time.perf_counter_ns() - started) // 1000,
        )
