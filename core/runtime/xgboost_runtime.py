"""The XGBoost runtime: a booster file beside ``metadata.json``, scored through XGBoost.

Predictions and contributions take the direct C path (``xgboost_direct``) when it agrees with
XGBoost's own Python calls on probe rows at load time, and those calls otherwise; a booster copy
with more OpenMP threads is made on first use for a lone caller's large batch.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np
import xgboost as xgb

from scoregate.core.contract import ModelMetadata
from scoregate.core.runtime import ModelLoadError, RuntimeDescription
from scoregate.core.runtime.xgboost_direct import DenseContributions, DensePredictor

log = logging.getLogger(__name__)

BOOSTER_FILES = ("model.ubj", "model.json")


def _check_complete(booster_file: Path) -> None:
    # A booster file (UBJSON or JSON) is one object, so its last byte closes it. XGBoost has been
    # seen to load a truncated model.ubj now and then (reading past the end of its buffer), so a
    # copy still in progress is refused here instead of trusting the parser to notice.
    try:
        with open(booster_file, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 64))
            tail = fh.read().rstrip()
    except OSError as exc:
        raise ModelLoadError(f"{booster_file}: {exc}") from exc
    if not tail.endswith(b"}"):
        raise ModelLoadError(f"{booster_file}: truncated (the model object is not closed)")


def load(path: Path, metadata: ModelMetadata, threads: int = 1) -> XGBoostRuntime:
    """Load and check the booster of one version directory; raise ModelLoadError if it cannot serve."""
    booster_file = next((path / f for f in BOOSTER_FILES if (path / f).is_file()), None)
    if booster_file is None:
        raise ModelLoadError(f"{path}: no booster file ({' or '.join(BOOSTER_FILES)})")
    _check_complete(booster_file)
    try:
        booster = xgb.Booster(model_file=str(booster_file))
        booster.set_param({"nthread": threads})
        expected = len(metadata.feature_schema.features)
        if booster.num_features() != expected:
            raise ModelLoadError(
                f"{booster_file}: booster takes {booster.num_features()} features, metadata declares {expected}"
            )
        # A smoke prediction catches a booster that parses but cannot predict.
        probe = booster.inplace_predict(np.full((1, expected), np.nan), validate_features=False)
        if not np.all(np.isfinite(probe)):
            raise ModelLoadError(f"{booster_file}: smoke prediction is not finite")
    except xgb.core.XGBoostError as exc:
        raise ModelLoadError(f"{booster_file}: {str(exc).splitlines()[0]}") from exc
    runtime = XGBoostRuntime(booster, expected, threads, f"{metadata.name}/{metadata.version}")
    runtime.contributions_ready(exact=metadata.contributions == "exact")  # its agreement check at load, not on a call
    return runtime


def _direct_predictor(booster: xgb.Booster, columns: int) -> DensePredictor | None:
    try:
        fast = DensePredictor(booster)
    except AttributeError:  # an XGBoost without the private handles: inplace_predict it is
        return None
    return fast if fast.agrees(columns) else None


def _direct_contributions(booster: xgb.Booster, columns: int, approx: bool, threads: int) -> DenseContributions | None:
    try:
        direct = DenseContributions(booster, approx, threads)
    except AttributeError:
        return None
    return direct if direct.agrees(columns) else None


class XGBoostRuntime:
    """One booster; ``predict`` and ``contributions`` as :class:`~scoregate.core.runtime.ModelRuntime` asks."""

    def __init__(self, booster: xgb.Booster, columns: int, threads: int = 1, label: str = "") -> None:
        self.booster = booster
        self.columns = columns
        self.threads = threads
        """OpenMP threads per XGBoost call (predictions and contributions alike)."""
        self._fast = _direct_predictor(booster, columns)
        if self._fast is None:
            log.warning("%s: direct XGBoost prediction unavailable, using inplace_predict", label)
        # Contributions per mode (approx, exact), made on first use: most versions only use one.
        self._direct: dict[bool, DenseContributions | None] = {}
        self._wide: dict[int, DensePredictor | None] = {}
        self._lock = threading.Lock()
        self._label = label

    def describe(self) -> RuntimeDescription:
        return RuntimeDescription("xgboost", f"xgboost {xgb.__version__}", {
            "direct_predict": self._fast is not None,
            "direct_contributions": any(d is not None for d in self._direct.values()),
            "threads": self.threads,
            # thread counts of the booster copies made for large batches (and agreeing)
            "wide_threads": ",".join(str(t) for t, p in sorted(self._wide.items()) if p is not None),
        })

    def _wide_predictor(self, threads: int) -> DensePredictor | None:
        """The predictor of a booster copy set to ``threads`` OpenMP threads, made on first use; None
        when it does not agree with inplace_predict (then the model's own threads are used)."""
        if threads in self._wide:
            return self._wide[threads]
        with self._lock:
            if threads not in self._wide:
                booster = self.booster.copy()
                booster.set_param({"nthread": threads})
                self._wide[threads] = _direct_predictor(booster, self.columns)
        return self._wide[threads]

    def predict(self, matrix: np.ndarray, threads: int = 0) -> np.ndarray:
        if threads > self.threads and (wide := self._wide_predictor(threads)) is not None:
            return wide(matrix)
        if self._fast is not None:
            return self._fast(matrix)
        # validate_features=False: columns are in schema order, checked by the caller; the
        # feature-name check would cost a Python-level comparison per call.
        return np.asarray(self.booster.inplace_predict(matrix, missing=np.nan, validate_features=False), dtype=np.float64)

    def _contributions_for(self, approx: bool) -> DenseContributions | None:
        if approx not in self._direct:
            with self._lock:
                if approx not in self._direct:
                    direct = _direct_contributions(self.booster, self.columns, approx, self.threads)
                    if direct is None:
                        log.warning("%s: direct XGBoost contributions unavailable, using predict", self._label)
                    self._direct[approx] = direct
        return self._direct[approx]

    def contributions_ready(self, exact: bool) -> None:
        """Set up (and check) the direct contributions of one mode now rather than on first use."""
        self._contributions_for(not exact)

    def contributions(self, matrix: np.ndarray, exact: bool = False) -> np.ndarray:
        direct = self._contributions_for(not exact)
        if direct is not None:
            return direct(matrix)
        # nthread: without it the DMatrix uses every core, which made reasons 2-3x slower on a
        # busy 2-core machine (docs/BENCHMARKS.md).
        dmatrix = xgb.DMatrix(matrix, missing=np.nan, nthread=self.threads)
        return self.booster.predict(dmatrix, pred_contribs=True, approx_contribs=not exact, validate_features=False)
