"""Model registry: a directory of ``NAME/VERSION/`` artifacts, loaded and hot-reloaded.

Layout::

    models/
      credit-risk/
        1/  model.ubj  metadata.json
        2/  model.ubj  metadata.json

Versions are immutable: once loaded, a version directory is not read again. A new version is
loaded by :meth:`ModelRegistry.refresh` (called by a poller) and becomes the default unless an
alias pins another one. A version that fails to load is recorded with its error and never replaces
what serves; it is tried again when its files change (a copy still in progress). Copy a version
in under a name starting with ``.`` and rename it into place to make the drop atomic.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xgboost as xgb

from scoregate.core.contract import ModelMetadata
from scoregate.core.errors import UnknownModel
from scoregate.core.scoring import LoadedModel, Scorer

log = logging.getLogger(__name__)

BOOSTER_FILES = ("model.ubj", "model.json")
METADATA_FILE = "metadata.json"


class ModelLoadError(Exception):
    """An artifact that cannot serve: unreadable, inconsistent with its metadata, or corrupt."""


@dataclass(frozen=True)
class VersionState:
    model: str
    version: str
    state: str  # "loaded" or "failed"
    error: str = ""


def _version_key(version: str) -> tuple[int, int | str]:
    # Numeric versions sort numerically and above non-numeric ones ("10" > "9" > "beta").
    return (1, int(version)) if version.isdigit() else (0, version)


def _signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in path.iterdir() if p.is_file())
    )


def load_version(path: Path, xgb_threads: int = 1) -> LoadedModel:
    """Load and check one ``NAME/VERSION`` directory; raise ModelLoadError if it cannot serve."""
    try:
        metadata = ModelMetadata.model_validate_json((path / METADATA_FILE).read_bytes())
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{path / METADATA_FILE}: {exc}") from exc
    if (metadata.name, metadata.version) != (path.parent.name, path.name):
        raise ModelLoadError(
            f"{path}: metadata says {metadata.name}/{metadata.version}, directory says "
            f"{path.parent.name}/{path.name}"
        )
    booster_file = next((path / f for f in BOOSTER_FILES if (path / f).is_file()), None)
    if booster_file is None:
        raise ModelLoadError(f"{path}: no booster file ({' or '.join(BOOSTER_FILES)})")
    try:
        booster = xgb.Booster(model_file=str(booster_file))
        booster.set_param({"nthread": xgb_threads})
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
    return LoadedModel(metadata=metadata, booster=booster, threads=xgb_threads)


class ModelRegistry:
    """Loaded model versions by name; thread-safe; lookups never block on loading."""

    def __init__(self, models_dir: Path, aliases: dict[str, str] | None = None, xgb_threads: int = 1) -> None:
        self.models_dir = Path(models_dir)
        self.aliases = dict(aliases or {})
        """Pinned default version per model name; others default to their highest version."""
        self.xgb_threads = xgb_threads
        self._scorers: dict[str, dict[str, Scorer]] = {}
        self._failed: dict[tuple[str, str], tuple[object, str]] = {}
        self._lock = threading.Lock()

    def refresh(self) -> list[VersionState]:
        """Scan the directory; load new versions, drop removed ones. Returns what changed."""
        changes: list[VersionState] = []
        found: dict[str, set[str]] = {}
        if self.models_dir.is_dir():
            for model_dir in sorted(self.models_dir.iterdir()):
                if not model_dir.is_dir() or model_dir.name.startswith((".", "_")):
                    continue
                for version_dir in sorted(model_dir.iterdir()):
                    if version_dir.is_dir() and not version_dir.name.startswith((".", "_")):
                        found.setdefault(model_dir.name, set()).add(version_dir.name)
                        change = self._consider(version_dir)
                        if change:
                            changes.append(change)
        with self._lock:
            for name, versions in list(self._scorers.items()):
                for version in list(versions):
                    if version not in found.get(name, ()):
                        del versions[version]
                        log.warning("model %s version %s removed from %s", name, version, self.models_dir)
                        changes.append(VersionState(name, version, "removed"))
                if not versions:
                    del self._scorers[name]
        return changes

    def _consider(self, path: Path) -> VersionState | None:
        name, version = path.parent.name, path.name
        with self._lock:
            if version in self._scorers.get(name, {}):
                return None
        try:
            signature = _signature(path)
        except OSError:
            return None  # vanished while scanning
        failed = self._failed.get((name, version))
        if failed and failed[0] == signature:
            return None
        try:
            scorer = Scorer(load_version(path, self.xgb_threads))
        except ModelLoadError as exc:
            self._failed[(name, version)] = (signature, str(exc))
            log.error("model %s version %s failed to load: %s", name, version, exc)
            return VersionState(name, version, "failed", str(exc))
        self._failed.pop((name, version), None)
        with self._lock:
            self._scorers.setdefault(name, {})[version] = scorer
        log.info("model %s version %s loaded", name, version)
        return VersionState(name, version, "loaded")

    def default_version(self, name: str) -> str | None:
        with self._lock:
            versions = self._scorers.get(name)
            if not versions:
                return None
            alias = self.aliases.get(name)
            if alias in versions:
                return alias
            return max(versions, key=_version_key)

    def get(self, name: str, version: str | None = None) -> Scorer:
        """The scorer for a pinned version, or the default one; raises UnknownModel."""
        version = version or self.default_version(name)
        with self._lock:
            scorer = self._scorers.get(name, {}).get(version or "")
        if scorer is None:
            raise UnknownModel(name, version if version else None)
        return scorer

    def states(self) -> list[VersionState]:
        with self._lock:
            loaded = [VersionState(n, v, "loaded") for n, vs in self._scorers.items() for v in vs]
        failed = [VersionState(n, v, "failed", err) for (n, v), (_, err) in self._failed.items()]
        return sorted(loaded + failed, key=lambda s: (s.model, _version_key(s.version)))
