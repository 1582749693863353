"""Model aliases on disk: ``NAME/aliases.json`` and its move history, as plain file operations.

Layout, beside the version directories of one model::

    models/credit-risk/
      1/  2/
      aliases.json          {"production": "1", "candidate": "2"}
      alias-history.jsonl   one line per move: time, alias, from, to, actor, action

An alias is moved by :func:`move_alias` (the ``scoregate models promote`` command) and moved back
by :func:`rollback_alias`. Nothing here loads a model or talks to a server: a running core sees the
new ``aliases.json`` at its next directory scan (``ModelRegistry.refresh``), so a move needs no
restart. ``aliases.json`` is replaced by write-to-temp-then-rename, so a scan never reads half a
file; moves of one model are serialised by an advisory lock file.

The history line is written *before* the alias file is replaced: a crash in between leaves a
logged move that did not happen (harmless: rolling it back is a no-op move), never a move that is
missing from the audit trail.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import logging
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scoregate.core.atomic import write_atomic

log = logging.getLogger(__name__)

ALIASES_FILE = "aliases.json"
HISTORY_FILE = "alias-history.jsonl"
LOCK_FILE = ".aliases.lock"
#: The alias an unpinned request is scored with, when it is set and its version is loaded.
DEFAULT_ALIAS = "production"

# Not all digits, so an alias can never be mistaken for a version number.
_ALIAS_NAME = re.compile(r"^(?!\d+$)[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class AliasError(Exception):
    """A move that cannot be made: bad name, missing version, nothing to roll back, corrupt file."""


@dataclass(frozen=True)
class AliasMove:
    """One line of ``alias-history.jsonl``."""

    time: str
    """UTC time of the move, ISO 8601."""
    alias: str
    previous: str | None
    """The version the alias pointed at before the move; None if the move created it."""
    version: str | None
    """The version it points at after the move; None if the move removed it."""
    actor: str
    """``user@host`` that made the move."""
    action: str = "move"
    """``move`` (a promotion) or ``rollback`` (undoes the latest move not yet undone)."""

    def to_json(self) -> str:
        return json.dumps(
            {"time": self.time, "alias": self.alias, "from": self.previous, "to": self.version,
             "actor": self.actor, "action": self.action},
            separators=(",", ":"),
        )


def current_actor() -> str:
    """``user@host`` of this process, for the history."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (some containers)
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def parse_aliases(data: bytes, source: str = ALIASES_FILE) -> dict[str, str]:
    """The alias -> version mapping in an ``aliases.json`` body; raises AliasError if malformed."""
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise AliasError(f"{source}: not JSON: {exc}") from exc
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise AliasError(f'{source}: expected an object of alias names to version strings, e.g. {{"production": "1"}}')
    return raw


def read_aliases(models_dir: Path, name: str) -> dict[str, str]:
    """The aliases of one model (empty when it has no ``aliases.json``)."""
    path = Path(models_dir) / name / ALIASES_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    return parse_aliases(data, str(path))


def alias_history(models_dir: Path, name: str, alias: str | None = None) -> list[AliasMove]:
    """Every recorded move of one model's aliases (or of one alias), oldest first.

    A line that does not parse (a write torn by a crash) is skipped with a warning.
    """
    path = Path(models_dir) / name / HISTORY_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    moves = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            move = AliasMove(
                time=raw["time"], alias=raw["alias"], previous=raw["from"], version=raw["to"],
                actor=raw["actor"], action=raw.get("action", "move"),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("%s line %d: not a history record, skipped", path, number)
            continue
        if alias is None or move.alias == alias:
            moves.append(move)
    return moves


def move_alias(
    models_dir: Path, name: str, alias: str, version: str | None, *, actor: str | None = None,
    require_version: bool = True, action: str = "move",
) -> str | None:
    """Point ``alias`` of model ``name`` at ``version`` (None removes it); returns the previous target.

    With ``require_version`` (the default) the version directory must exist; whether it loads is
    the registry's business, and a target that does not load never breaks serving there.
    """
    model_dir = Path(models_dir) / name
    if not _ALIAS_NAME.match(alias):
        raise AliasError(f"bad alias name {alias!r}: letters, digits, '-' and '_', not all digits")
    if version is not None:
        if not _VERSION_NAME.match(version):
            raise AliasError(f"bad version name {version!r}")
        if require_version and not (model_dir / version).is_dir():
            raise AliasError(f"model {name!r} has no version {version!r} in {models_dir}")
    if not model_dir.is_dir():
        raise AliasError(f"no model {name!r} in {models_dir}")
    with _locked(model_dir):
        aliases = read_aliases(models_dir, name)
        previous = aliases.get(alias)
        if version is None:
            aliases.pop(alias, None)
        else:
            aliases[alias] = version
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        move = AliasMove(stamp, alias, previous, version, actor or current_actor(), action)
        _append_line(model_dir / HISTORY_FILE, move.to_json())
        write_atomic(model_dir / ALIASES_FILE, (json.dumps(aliases, indent=2, sort_keys=True) + "\n").encode())
    log.info("model %s alias %s moved %s -> %s by %s", name, alias, previous, version, move.actor)
    return previous


def rollback_alias(
    models_dir: Path, name: str, alias: str, *, actor: str | None = None
) -> tuple[str | None, str | None]:
    """Undo the latest move of ``alias`` not yet undone; returns ``(from, to)`` of the rollback.

    Rollbacks stack: promote 1->2, promote 2->3, rollback (3->2), rollback (2->1). Raises AliasError
    when there is nothing to undo, or when the alias no longer points where the history says
    (the file was edited by hand: rolling back would move it somewhere nobody chose).
    """
    undone: list[AliasMove] = []
    for move in alias_history(models_dir, name, alias):
        if move.action == "rollback":
            if undone:
                undone.pop()
        else:
            undone.append(move)
    if not undone:
        raise AliasError(f"model {name!r} alias {alias!r}: no move to roll back")
    last = undone[-1]
    current = read_aliases(models_dir, name).get(alias)
    if current != last.version:
        raise AliasError(
            f"model {name!r} alias {alias!r} points at {current!r}, but its last move was to {last.version!r}; "
            "move it explicitly with promote"
        )
    move_alias(models_dir, name, alias, last.previous, actor=actor, require_version=False, action="rollback")
    return current, last.previous


@contextlib.contextmanager
def _locked(model_dir: Path) -> Iterator[None]:
    # Two promotes at once would both read the old file and one move would be lost.
    with open(model_dir / LOCK_FILE, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _append_line(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


