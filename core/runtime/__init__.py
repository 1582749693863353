"""The model runtime seam: what the core asks of a loaded model, whatever library runs it.

A runtime loads one ``NAME/VERSION`` directory (its metadata already read) and answers four
things: ``predict`` (one probability per row of a float64 matrix in the schema's column order),
``contributions`` (per-feature contributions, the bias last, for reason codes), ``describe`` (what
runs it, for logs and metadata endpoints) and, through :func:`load_runtime`, ``load``. The
registry, the batching and the validation call only these; XGBoost is named in its own module.

A runtime is one module and one registration here: a ``load(path, metadata, threads)`` function,
listed in :data:`RUNTIMES` as ``"module:attribute"`` (importing the names imports no library), and
chosen per model version by ``runtime`` in its ``metadata.json`` (``xgboost`` when absent).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from scoregate.core.contract import ModelMetadata

#: runtime name (``metadata.json``'s ``runtime``) -> "module:attribute" of its load function.
RUNTIMES: dict[str, str] = {
    "xgboost": "scoregate.core.runtime.xgboost_runtime:load",
}


class ModelLoadError(Exception):
    """An artifact that cannot serve: unreadable, inconsistent with its metadata, or corrupt."""


@dataclass(frozen=True)
class RuntimeDescription:
    """What runs a loaded model: for logs, ``scoregate models``, the V2 endpoint's metadata."""

    runtime: str
    """The registered runtime name (``xgboost``)."""
    platform: str
    """The library and its version (``xgboost 3.2.0``), as V2's ``platform`` field reads it."""
    details: dict[str, str | int | bool] = field(default_factory=dict)
    """Runtime-specific facts (XGBoost: whether the direct C path was taken)."""


class ModelRuntime(Protocol):
    """One loaded model version. Thread-safe: scoring threads call it at once."""

    def predict(self, matrix: np.ndarray, threads: int = 0) -> np.ndarray:
        """float64 probabilities, one per row of a float64 matrix (NaN: missing). ``threads`` above
        the runtime's own: a lone caller's large batch may be spread over idle cores."""

    def contributions(self, matrix: np.ndarray, exact: bool = False) -> np.ndarray:
        """rows x (features + 1) contributions to the margin, the bias last; ``exact``: exact
        TreeSHAP rather than the approximation (where the runtime knows the difference)."""

    def describe(self) -> RuntimeDescription:
        """What runs the model."""


Loader = Callable[[Path, "ModelMetadata", int], ModelRuntime]


def load_runtime(path: Path, metadata: ModelMetadata, threads: int = 1) -> ModelRuntime:
    """Load a version directory with the runtime its metadata names; raises ModelLoadError."""
    target = RUNTIMES.get(metadata.runtime)
    if target is None:
        known = ", ".join(sorted(RUNTIMES))
        raise ModelLoadError(f"{path}: unknown runtime {metadata.runtime!r} in its metadata (known: {known})")
    module, _, attribute = target.partition(":")
    loader: Loader = getattr(importlib.import_module(module), attribute)
    return loader(path, metadata, threads)
