"""Model registry: a directory of ``NAME/VERSION/`` artifacts, loaded and hot-reloaded.

Layout::

    models/
      credit-risk/
        1/  model.ubj  metadata.json
        2/  model.ubj  metadata.json
        aliases.json   {"production": "1", "candidate": "2"}   (see core/aliases.py)

Versions are immutable: once loaded, a version directory is not read again. A new version is
loaded by :meth:`ModelRegistry.refresh` (called by a poller) and becomes the default unless the
``production`` alias or a pin names another one; alias moves are picked up by the same scan. A
version that fails to load is recorded with its error and never replaces what serves; it is tried
again when its files change (a copy still in progress). Copy a version in under a name starting
with ``.`` and rename it into place to make the drop atomic.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from scoregate.core.aliases import ALIASES_FILE, DEFAULT_ALIAS, AliasError, parse_aliases
from scoregate.core.contract import ModelMetadata
from scoregate.core.errors import UnknownModel
from scoregate.core.runtime import ModelLoadError, load_runtime
from scoregate.core.scoring import LoadedModel, Scorer

log = logging.getLogger(__name__)

METADATA_FILE = "metadata.json"

__all__ = ["METADATA_FILE", "AliasState", "ModelLoadError", "ModelRegistry", "VersionState", "load_version"]


@dataclass(frozen=True)
class VersionState:
    model: str
    version: str
    state: str  # "loaded", "failed" or "removed"
    error: str = ""
    aliases: tuple[str, ...] = ()
    """Aliases pointing at this version (filled by ``states()``)."""


@dataclass(frozen=True)
class AliasState:
    """An alias as the registry last read it, and whether its version can serve."""

    model: str
    alias: str
    version: str
    serving: bool
    error: str = ""
    """Why the alias cannot serve (its version is missing or failed to load)."""


@dataclass(frozen=True)
class _View:
    """What ``get`` reads for one model: built by ``refresh``, replaced whole, never mutated."""

    scorers: Mapping[str, Scorer]
    targets: Mapping[str, str]
    """Alias -> version, only for aliases whose version is loaded."""
    default: str


def version_key(version: str) -> tuple[int, int | str]:
    # Numeric versions sort numerically and above non-numeric ones ("10" > "9" > "beta").
    return (1, int(version)) if version.isdigit() else (0, version)


def _signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in path.iterdir() if p.is_file())
    )


def load_version(path: Path, xgb_threads: int = 1) -> LoadedModel:
    """Load and check one ``NAME/VERSION`` directory with the runtime its metadata names; raise
    ModelLoadError if it cannot serve. ``xgb_threads``: threads per runtime call."""
    try:
        metadata = ModelMetadata.model_validate_json((path / METADATA_FILE).read_bytes())
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{path / METADATA_FILE}: {exc}") from exc
    if (metadata.name, metadata.version) != (path.parent.name, path.name):
        raise ModelLoadError(
            f"{path}: metadata says {metadata.name}/{metadata.version}, directory says "
            f"{path.parent.name}/{path.name}"
        )
    return LoadedModel(metadata=metadata, runtime=load_runtime(path, metadata, xgb_threads), threads=xgb_threads)


class ModelRegistry:
    """Loaded model versions by name; thread-safe; lookups never block on loading or touch files.

    ``refresh`` does all the I/O and publishes, per model, an immutable view (loaded versions,
    aliases resolved to loaded versions, the default version); ``get`` reads that view without a
    lock. The default version of a model, in order: its ``production`` alias, the pin given here,
    its highest loaded version. An alias whose version is missing or failed is skipped with an error
    in the log, never breaking service (see tests/core/test_aliases.py).
    """

    def __init__(self, models_dir: Path, aliases: dict[str, str] | None = None, xgb_threads: int = 1) -> None:
        self.models_dir = Path(models_dir)
        self.pins = dict(aliases or {})
        """Pinned default version per model name (settings), used when no ``production`` alias serves."""
        self.xgb_threads = xgb_threads
        self._scorers: dict[str, dict[str, Scorer]] = {}
        self._failed: dict[tuple[str, str], tuple[object, str]] = {}
        self._alias_files: dict[str, tuple[bytes, dict[str, str]]] = {}
        self._alias_states: dict[str, tuple[AliasState, ...]] = {}
        self._views: dict[str, _View] = {}
        self._logged_aliases: dict[str, tuple[AliasState, ...]] = {}
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()

    def refresh(self) -> list[VersionState]:
        """Scan the directory; load new versions, drop removed ones, re-read aliases. Returns version changes.

        Alias moves are logged, not returned: they change no version's state.
        """
        with self._refreshing:
            return self._refresh()

    def _refresh(self) -> list[VersionState]:
        changes: list[VersionState] = []
        found: dict[str, set[str]] = {}
        if self.models_dir.is_dir():
            for model_dir in sorted(self.models_dir.iterdir()):
                if not model_dir.is_dir() or model_dir.name.startswith((".", "_")):
                    continue
                self._read_aliases(model_dir)
                for version_dir in sorted(model_dir.iterdir()):
                    if version_dir.is_dir() and not version_dir.name.startswith((".", "_")):
                        found.setdefault(model_dir.name, set()).add(version_dir.name)
                        change = self._consider(version_dir)
                        if change:
                            changes.append(change)
                            if change.state == "loaded":
                                self._publish(final=False)  # a new version serves before the scan ends
        with self._lock:
            for name, versions in list(self._scorers.items()):
                for version in list(versions):
                    if version not in found.get(name, ()):
                        del versions[version]
                        log.warning("model %s version %s removed from %s", name, version, self.models_dir)
                        changes.append(VersionState(name, version, "removed"))
                if not versions:
                    del self._scorers[name]
        for name in list(self._alias_files):
            if not (self.models_dir / name).is_dir():
                del self._alias_files[name]
        self._publish(final=True)
        return changes

    def _read_aliases(self, model_dir: Path) -> None:
        # The file is a few bytes: reading it on every scan is cheaper and surer than trusting
        # mtime and size (coarse timestamps, inodes reused by the rename of the next move).
        name = model_dir.name
        try:
            data = (model_dir / ALIASES_FILE).read_bytes()
        except FileNotFoundError:
            data = b""
        except OSError as exc:
            log.error("model %s: cannot read %s, aliases unchanged: %s", name, ALIASES_FILE, exc)
            return
        known = self._alias_files.get(name)
        if known is not None and known[0] == data:
            return
        try:
            mapping = parse_aliases(data, str(model_dir / ALIASES_FILE)) if data else {}
        except AliasError as exc:
            log.error("model %s: aliases unchanged: %s", name, exc)
            mapping = known[1] if known else {}
        self._alias_files[name] = (data, mapping)

    def _publish(self, final: bool) -> None:
        """Rebuild the views ``get`` reads from the loaded versions and the aliases last read."""
        with self._lock:
            views: dict[str, _View] = {}
            alias_states: dict[str, tuple[AliasState, ...]] = {}
            for name in sorted(set(self._scorers) | set(self._alias_files)):
                scorers = dict(self._scorers.get(name, {}))
                aliases = self._alias_files.get(name, (b"", {}))[1]
                states = []
                for alias, version in sorted(aliases.items()):
                    if version in scorers:
                        states.append(AliasState(name, alias, version, True))
                    else:
                        failed = self._failed.get((name, version))
                        why = f"version {version} failed to load" if failed else f"version {version} is not loaded"
                        states.append(AliasState(name, alias, version, False, why))
                alias_states[name] = tuple(states)
                if not scorers:
                    continue
                targets = {s.alias: s.version for s in states if s.serving}
                pin = self.pins.get(name)
                default = targets.get(DEFAULT_ALIAS) or (pin if pin in scorers else max(scorers, key=version_key))
                views[name] = _View(MappingProxyType(scorers), MappingProxyType(targets), default)
            self._views = views  # one reference swap: readers see the old views or the new ones
            self._alias_states = alias_states
        if final:  # mid-scan, an alias may wait for a version loaded later in the same scan
            self._log_alias_changes(alias_states)

    def _log_alias_changes(self, after: dict[str, tuple[AliasState, ...]]) -> None:
        old = {(s.model, s.alias): s for states in self._logged_aliases.values() for s in states}
        for states in after.values():
            for s in states:
                was = old.pop((s.model, s.alias), None)
                if was == s:
                    continue
                if s.serving:
                    log.info("model %s alias %s now serves version %s", s.model, s.alias, s.version)
                else:
                    fallback = self._views[s.model].default if s.model in self._views else None
                    log.error(
                        "model %s alias %s points at version %s, which cannot serve (%s); using %s",
                        s.model, s.alias, s.version, s.error,
                        f"version {fallback}" if s.alias == DEFAULT_ALIAS and fallback else "nothing for this alias",
                    )
        for model, alias in old:
            log.info("model %s alias %s removed", model, alias)
        self._logged_aliases = after

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
        """The version an unpinned request of ``name`` is scored with; None if none is loaded."""
        view = self._views.get(name)
        return view.default if view else None

    def get(self, name: str, version: str | None = None) -> Scorer:
        """The scorer for a version or an alias, or the default one; raises UnknownModel.

        ``production`` (DEFAULT_ALIAS) always means the default version, so it answers even when
        its target cannot serve. Another alias whose target cannot serve is unknown.
        """
        view = self._views.get(name)
        if view is not None:
            key = view.default if version is None or version == DEFAULT_ALIAS else version
            scorer = view.scorers.get(key) or view.scorers.get(view.targets.get(key, ""))
            if scorer is not None:
                return scorer
        raise UnknownModel(name, version if version else None)

    def aliases(self, name: str | None = None) -> list[AliasState]:
        """Every alias last read from disk (of one model, or of all), serving or not."""
        with self._lock:
            return [s for model, states in sorted(self._alias_states.items()) if name in (None, model) for s in states]

    def states(self) -> list[VersionState]:
        """Every loaded or failed version, with the aliases that point at it."""
        with self._lock:
            pointing: dict[tuple[str, str], list[str]] = {}
            for states in self._alias_states.values():
                for s in states:
                    pointing.setdefault((s.model, s.version), []).append(s.alias)
            loaded = [(n, v, "loaded", "") for n, vs in self._scorers.items() for v in vs]
            failed = [(n, v, "failed", err) for (n, v), (_, err) in list(self._failed.items())]
        return sorted(
            (VersionState(n, v, state, err, tuple(pointing.get((n, v), ()))) for n, v, state, err in loaded + failed),
            key=lambda s: (s.model, version_key(s.version)),
        )
