"""``"TODO: ..."`` placeholders in a channel file: what ``scoregate scaffold`` could not propose.

A scaffolded file puts a string starting with ``TODO`` wherever a value must come from its author
(a default for a required feature nobody sends, a model code for a legacy code). Until each is
replaced, ``config check``, ``gateway serve`` and ``up`` report every one of them, with the file,
the line and the key, and nothing else that follows from the placeholder itself (a ``"TODO"``
default is also "not a number": that line would only repeat the first).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoregate.adapters.configfile import ConfigFileError, read_config_file

MARKER = "TODO"


def todo(text: str) -> str:
    """A placeholder value explaining what to put there."""
    return f"{MARKER}: {text}"


@dataclass(frozen=True)
class Placeholder:
    key: str
    """Key path in the file, as ``config check`` names keys (``queues[0].request.features[3].default``)."""
    line: int
    """1-based line of the file holding it (0 when it cannot be found in the text)."""
    text: str
    in_key: bool = False
    """The placeholder is a key of the table at ``key`` (a legacy code still to be named:
    ``codes = { "TODO: ..." = "RENT" }``), not a value."""

    def problem(self, file: Path) -> str:
        return f"{file}:{self.line}: {self.key}: {self.text}" + (" (a key to replace)" if self.in_key else "")


def _walk(value: Any, key: str) -> Iterator[tuple[str, str, bool]]:
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(name, str) and name.startswith(MARKER):
                yield key, name, True
            yield from _walk(item, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{key}[{i}]")
    elif isinstance(value, str) and value.startswith(MARKER):
        yield key, value, False


def find_placeholders(file: Path) -> list[Placeholder]:
    """Every placeholder of a channel file, in the order of the file; [] for a file that does not
    read (its own error is reported by the load)."""
    try:
        data = read_config_file(file)
        lines = file.read_text(encoding="utf-8").splitlines()
    except (ConfigFileError, OSError, UnicodeDecodeError):
        return []
    found, seen = [], {}
    for key, text, in_key in _walk(data, ""):
        # The n-th placeholder of a text is on the n-th line holding it (keys walk in file order).
        nth = seen[text] = seen.get(text, 0) + 1
        holding = [n for n, line in enumerate(lines, 1) if text in line]
        found.append(Placeholder(key, holding[nth - 1] if nth <= len(holding) else 0, text, in_key))
    return found


def unresolved(problems: list[str], placeholders: list[Placeholder], file: Path) -> list[str]:
    """The placeholders' lines, then the problems that do not stem from a placeholder (those that
    name its key, or quote its text)."""
    if not placeholders:
        return problems
    keys = [p.key for p in placeholders]

    def stems(problem: str) -> bool:
        return any(f"{key}:" in problem or f"{key}." in problem for key in keys) or MARKER in problem

    return [p.problem(file) for p in placeholders] + [p for p in problems if not stems(p)]
