"""Writing commented TOML: the channel files ``scoregate scaffold`` drafts.

The standard library reads TOML but does not write it, and a draft's value is in its comments
(which leaf each guess came from, what a TODO wants), which no TOML writer keeps: the few shapes a
channel file needs (scalars, arrays, inline tables, one inline table per line in an array) are
written here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from scoregate.adapters.proposals import FeatureProposal, Leaf
from scoregate.adapters.result_proposals import ResultProposal
from scoregate.core.contract import FeatureKind, FeatureSpec, ModelDescription

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
RULE = "# " + "-" * 64


def key(name: str) -> str:
    return name if _BARE.match(name) else json.dumps(name)


def value(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int | float):
        return repr(item)
    if isinstance(item, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items()) + " }" if item else "{}"
    if isinstance(item, list | tuple):
        return "[" + ", ".join(value(v) for v in item) + "]"
    return json.dumps(str(item), ensure_ascii=False)  # JSON's escapes are TOML's basic-string escapes


def assign(name: str, item: Any, comment: str = "") -> str:
    line = f"{key(name)} = {value(item)}"
    return f"{line}  # {comment}" if comment else line


def table_array(name: str, rows: Iterable[tuple[dict[str, Any], str]]) -> list[str]:
    """``name = [`` one inline table per line, each with its comment ``]``."""
    lines = [f"{key(name)} = ["]
    for row, comment in rows:
        lines.append(f"  {value(row)},{'  # ' + comment if comment else ''}")
    return [*lines, "]"]


def comment_block(text: Iterable[str]) -> list[str]:
    return [f"# {line}".rstrip() for line in text]


def preamble(command: str, model: ModelDescription, docs: str) -> list[str]:
    return comment_block([
        f"Drafted by `{command}` for {model.name} version {model.version}.",
        "Each `# guess` is a proposal from names, types and codes: check it against the contract.",
        "Each \"TODO: ...\" must be replaced: `scoregate config check` names every one left (file, line, key).",
        f"Every key: {docs}; the mapping language: docs/configuration/mapping.md.",
    ]) + [""]


def listing(title: str, leaves: list[Leaf]) -> list[str]:
    """The contract's leaves as comments: every path with its type (and codes)."""
    width = min(max((len(leaf.path) for leaf in leaves), default=0), 56)
    return comment_block([title, *(f"  {leaf.path:<{width}}  {leaf.describe()}" for leaf in leaves)])


def feature_note(feature: FeatureSpec) -> str:
    kind = feature.kind.value + (f", {feature.unit}" if feature.unit else "")
    if feature.kind is FeatureKind.CATEGORY:
        kind += ": " + " ".join(feature.codes)
    elif feature.minimum is not None and feature.maximum is not None:
        kind += f", {feature.minimum:g}..{feature.maximum:g}"
    return kind + (", may be missing" if feature.nullable else "")


def feature_rows(proposals: list[FeatureProposal]) -> list[tuple[dict[str, Any], str]]:
    rows = []
    for p in proposals:
        if p.leaf is not None:
            why = f"guess from {p.leaf.name} ({p.leaf.type})" + "".join(f"; {n}" for n in p.notes)
        else:
            why = f"TODO ({feature_note(p.feature)})"
        rows.append((p.entry, why))
    return rows


def unmapped_note(model: ModelDescription, proposals: list[FeatureProposal]) -> list[str]:
    mapped = {p.feature.name for p in proposals}
    left = [f.name for f in model.feature_schema.features if f.name not in mapped]
    return comment_block([f"Not mapped (the model accepts them missing): {', '.join(left)}."]) if left else []


def result_rows(results: list[ResultProposal]) -> list[tuple[dict[str, Any], str]]:
    return [(r.entry, r.note) for r in results]
