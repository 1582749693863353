"""Direct calls into XGBoost's C API for float64 matrices: predictions and contributions.

``Booster.inplace_predict`` and ``Booster.predict(DMatrix(...), pred_contribs=True)`` spend much
of a small batch's time in Python around the C call. These make the same C calls (XGBoost's
public C API, through the handles its Python package exposes) with their configuration encoded
once. Each is checked against XGBoost's own Python call when a model loads (``agrees``), and the
XGBoost runtime (``xgboost_runtime``) falls back to that call if they ever differ.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np
import xgboost as xgb


def _interface(matrix: np.ndarray) -> bytes:
    """The array interface XGBoost's C API reads a C-contiguous float64 matrix by."""
    rows, columns = matrix.shape
    return b'{"data": [%d, true], "shape": [%d, %d], "strides": null, "typestr": "<f8", "version": 3}' % (
        matrix.ctypes.data, rows, columns)


class _CallState:
    """One thread's proxy DMatrix and output pointers for ``XGBoosterPredictFromDense``, made once."""

    def __init__(self, proxy: xgb.core._ProxyDMatrix) -> None:
        self.proxy = proxy  # holds the input of the call in progress
        self.shape, self.dims, self.preds = ctypes.POINTER(ctypes.c_uint64)(), ctypes.c_uint64(), ctypes.POINTER(ctypes.c_float)()
        self.out_refs = (ctypes.byref(self.shape), ctypes.byref(self.dims), ctypes.byref(self.preds))


class DensePredictor:
    """``Booster.inplace_predict`` for float64 matrices, minus its per-call overheads.

    inplace_predict spends about half of a small batch's time outside the trees (one row: 60 of
    105 us with warm caches, 115 of 260 us with cold ones): input-type probing, two ``json.dumps``
    and output wrapping in Python, and in XGBoost a new proxy DMatrix per call, whose constructor
    reads the cgroup CPU quota from /sys (three stats, two file opens). This makes the same C call
    (``XGBoosterPredictFromDense``, XGBoost's public C API) with its configuration encoded once and
    a proxy DMatrix and output pointers kept per thread (the C API takes a proxy for this).
    The runtime checks it against inplace_predict when a model loads and uses inplace_predict
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
        rows = matrix.shape[0]
        state = self._call_state()
        self._check(self._predict(self._handle, _interface(matrix), self._CONFIG, state.proxy.handle, *state.out_refs))
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


class DenseContributions:
    """``Booster.predict(DMatrix(m), pred_contribs=True)`` for float64 matrices, minus the Python.

    For one row the Python call cost about 210 us, of which the DMatrix constructor (feature-name
    checks, type dispatch) was 134 and the predict wrapper 30-50; the same two C calls
    (``XGDMatrixCreateFromDense``, ``XGBoosterPredictFromDMatrix``) made directly cost a fraction.
    Returns rows x (features + 1) float32 contributions, the bias last, as XGBoost does.
    """

    def __init__(self, booster: xgb.Booster, approx: bool, threads: int) -> None:
        self._booster = booster  # keeps the handle alive
        self._handle = booster.handle
        self._approx = approx
        self._lib = xgb.core._LIB
        self._check = xgb.core._check_call
        self._matrix_config = b'{"missing": NaN, "nthread": %d, "data_split_mode": 0}' % threads
        self._config = (b'{"type": %d, "training": false, "iteration_begin": 0, "iteration_end": 0, '
                        b'"strict_shape": false}' % (3 if approx else 2))

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        matrix = np.ascontiguousarray(matrix, dtype=np.float64)
        dmatrix = ctypes.c_void_p()
        self._check(self._lib.XGDMatrixCreateFromDense(_interface(matrix), self._matrix_config, ctypes.byref(dmatrix)))
        try:
            shape, dims, preds = ctypes.POINTER(ctypes.c_uint64)(), ctypes.c_uint64(), ctypes.POINTER(ctypes.c_float)()
            self._check(self._lib.XGBoosterPredictFromDMatrix(
                self._handle, dmatrix, self._config, ctypes.byref(shape), ctypes.byref(dims), ctypes.byref(preds)))
            if dims.value != 2 or shape[0] != matrix.shape[0]:
                raise ValueError(f"unexpected contribution shape from XGBoost: {[shape[i] for i in range(dims.value)]}")
            rows, columns = shape[0], shape[1]
            # XGBoost's buffer, reused by the thread's next call: copied here.
            return np.frombuffer(ctypes.string_at(preds, rows * columns * 4), dtype=np.float32).reshape(rows, columns)
        finally:
            self._check(self._lib.XGDMatrixFree(dmatrix))

    def agrees(self, columns: int) -> bool:
        """Same output as XGBoost's Python call on a few probe rows (values, missing, extremes)."""
        probe = np.array([np.zeros(columns), np.full(columns, np.nan), np.ones(columns), np.full(columns, 1e6)])
        try:
            expected = self._booster.predict(xgb.DMatrix(probe, missing=np.nan), pred_contribs=True,
                                             approx_contribs=self._approx, validate_features=False)
            return bool(np.array_equal(self(probe), expected, equal_nan=True))
        except (ValueError, AttributeError, TypeError, xgb.core.XGBoostError):
            return False
