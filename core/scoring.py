"""Scorer: one loaded model version turned into probabilities, decisions and reason codes.

Everything here works on whole matrices: one ``inplace_predict`` per batch, decisions by
``searchsorted``, top-N reasons by ``argsort`` over the contribution matrix. Reasons restricted to
some decision bands are computed after the decisions, for the rows in those bands only.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import xgboost as xgb

from scoregate.core.contract import REJECTED, BatchResult, ModelMetadata
from scoregate.core.errors import FieldViolation, InvalidInput, ViolationCode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    """An immutable, loaded model version. Requests hold a reference to the one they started on."""

    metadata: ModelMetadata
    booster: xgb.Booster
    threads: int = 1
    """OpenMP threads per XGBoost call (predictions and contributions alike)."""

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        return self.metadata.version


class _CallState:
    """One thread's proxy DMatrix and output pointers for ``XGBoosterPredictFromDense``, made once."""

    def __init__(self, proxy: xgb.core._ProxyDMatrix) -> None:
        self.proxy = proxy  # holds the input of the call in progress
        self.shape, self.dims, self.preds = ctypes.POINTER(ctypes.c_uint64)(), ctypes.c_uint64(), ctypes.POINTER(ctypes.c_float)()
        self.out_refs = (ctypes.byref(self.shape), ctypes.byref(self.dims), ctypes.byref(self.preds))


class _DensePredictor:
    """``Booster.inplace_predict`` for float64 matrices, minus its per-call overheads.

    inplace_predict spends about half of a small batch's time outside the trees (one row: 60 of
    105 us with warm caches, 115 of 260 us with cold ones): input-type probing, two ``json.dumps``
    and output wrapping in Python, and in XGBoost a new proxy DMatrix per call, whose constructor
    reads the cgroup CPU quota from /sys (three stats, two file opens). This makes the same C call
    (``XGBoosterPredictFromDense``, XGBoost's public C API) with its configuration encoded once and
    a proxy DMatrix and output pointers kept per thread (the C API takes a proxy for this).
    ``Scorer`` checks it against inplace_predict when a model loads and uses inplace_predict
    instead if the two ever differ.
    """

    # inplace_predict's own arguments for predict_type="value", iteration_range=(0, 0), missing=NaN.
    _CONFIG = (b'{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, '
               b'"missing": NaN, "strict_shape": false, "cache_id": 0}')

    def __init__(self, booster: xgb.Booster) -> None:
        self._booster = booster  # keeps the handle alive
        self._handle = booster.handle
        self._predict = xgb.core._LIB.XGBoosterPredictFromDense
        self._check = xgb.core._check_call
        self._new_proxy = xgb.core._ProxyDMatrix  # freed by its DMatrix.__del__
        self._local = threading.local()

    def _call_state(self) -> _CallState:
        state = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = _CallState(self._new_proxy())
        return state

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        matrix = np.ascontiguousarray(matrix, dtype=np.float64)
        rows, columns = matrix.shape
        interface = b'{"data": [%d, true], "shape": [%d, %d], "strides": null, "typestr": "<f8", "version": 3}' % (
            matrix.ctypes.data, rows, columns)
        state = self._call_state()
        self._check(self._predict(self._handle, interface, self._CONFIG, state.proxy.handle, *state.out_refs))
        shape, dims, preds = state.shape, state.dims.value, state.preds
        if dims != 1 or shape[0] != rows:  # one probability per row, or this is not our model kind
            raise ValueError(f"unexpected prediction shape from XGBoost: {[shape[i] for i in range(dims)]}")
        # The output buffer is XGBoost's, per thread, reused by the next call: copy it now.
        if rows == 1:  # a lone caller's row: a third of the general copy's cost
            return np.array((preds[0],))
        return np.frombuffer(ctypes.string_at(preds, rows * 4), dtype=np.float32).astype(np.float64)

    def agrees(self, columns: int) -> bool:
        """Same output as inplace_predict on a few probe rows (values, missing, extremes)."""
        probe = np.array([np.zeros(columns), np.full(columns, np.nan), np.ones(columns), np.full(columns, 1e6)])
        try:
            expected = np.asarray(self._booster.inplace_predict(probe, missing=np.nan, validate_features=False), np.float64)
            return bool(np.array_equal(self(probe), expected, equal_nan=True))
        except (ValueError, AttributeError, TypeError, xgb.core.XGBoostError):
            return False


class Scorer:
    """Scores float64 matrices (already validated) with one model version."""

    def __init__(self, model: LoadedModel) -> None:
        self.model = model
        meta = model.metadata
        self._uppers = np.array([b.upper for b in meta.bands[:-1]], dtype=np.float64)
        self._band_names = tuple(b.name for b in meta.bands)
        self._feature_names = meta.feature_schema.names
        self._reason_codes = tuple(f.reason_code for f in meta.feature_schema.features)
        self._approx = meta.contributions == "approx"
        self._band_sets: dict[tuple[str, ...], np.ndarray | None] = {}
        self._fast: _DensePredictor | None = None
        try:
            fast = _DensePredictor(model.booster)
        except AttributeError:  # an XGBoost without the private handles: inplace_predict it is
            fast = None
        if fast is not None and fast.agrees(len(self._feature_names)):
            self._fast = fast
        else:
            log.warning("%s/%s: direct XGBoost prediction unavailable, using inplace_predict", meta.name, meta.version)

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        if self._fast is not None:
            return self._fast(matrix)
        # validate_features=False: columns are in schema order, checked by the caller; the
        # feature-name check would cost a Python-level comparison per call.
        return np.asarray(
            self.model.booster.inplace_predict(matrix, missing=np.nan, validate_features=False),
            dtype=np.float64,
        )

    def decisions(self, probabilities: np.ndarray) -> np.ndarray:
        # Band i covers [upper[i-1], upper[i]); the last band also takes 1.0.
        return np.searchsorted(self._uppers, probabilities, side="right").astype(np.uint8)

    def reasons(self, matrix: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``count`` features that raised each row's score: (indexes, contributions).

        Only positive contributions are reasons (a feature that lowered the risk explains nothing
        to an applicant); empty slots hold index -1 and contribution 0.
        """
        rows, n = matrix.shape
        count = min(count, n)
        # nthread: without it the DMatrix uses every core, which made reasons 2-3x slower on a
        # busy 2-core machine (docs/BENCHMARKS.md).
        dmatrix = xgb.DMatrix(matrix, missing=np.nan, feature_names=list(self._feature_names), nthread=self.model.threads)
        contribs = self.model.booster.predict(
            dmatrix, pred_contribs=True, approx_contribs=self._approx, validate_features=False
        )[:, :n]  # the last column is the bias
        order = np.argsort(-contribs, axis=1, kind="stable")[:, :count]
        top = np.take_along_axis(contribs, order, axis=1)
        positive = top > 0
        return np.where(positive, order, -1).astype(np.int32), np.where(positive, top, 0.0)

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
    ) -> BatchResult:
        """Score every row not in ``rejects``; rejected rows get NaN and ``REJECTED``.

        ``bands`` (from ``reason_bands``): reasons only for rows decided into one of them."""
        started = time.perf_counter_ns()
        rejects = rejects or {}
        rows = matrix.shape[0]
        count = min(reason_count, matrix.shape[1])
        if not rejects and rows:  # the common case, without the fill-and-scatter of rejected rows
            probabilities = self.probabilities(matrix)
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
                p = self.probabilities(scored)
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
