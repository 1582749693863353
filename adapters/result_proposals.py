"""What ``scoregate scaffold`` proposes for the answer: which result (score, probability, decision,
reason codes, the caller's reference, the model) goes into which leaf of the response, by name.

A required leaf of the answer that nothing fits gets a constant ``TODO`` placeholder; an optional
one is left out (the file lists it). See ``proposals.py`` for the request side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scoregate.adapters.placeholders import todo
from scoregate.adapters.proposals import Leaf, code_map, words
from scoregate.core.contract import ModelDescription

_KINDS = (
    ("reason_codes", {"reason", "reasons"}),
    ("probability", {"probability", "prob", "pd", "pod"}),
    ("score", {"score", "rating"}),
    ("decision", {"decision", "outcome", "verdict", "recommendation"}),
    ("model_version", {"model", "scorecard", "version"}),
    ("reference", {"no", "nbr", "num", "id", "ref", "reference", "key"}),
)
_NUMBERED = re.compile(r"^(?P<stem>.*?)(?:\((?P<occ>\d+)\)|(?P<num>\d+))$")


@dataclass
class ResultProposal:
    entry: dict[str, Any]
    note: str = ""


def _kind(leaf: Leaf) -> str | None:
    said = set(words(leaf.name))
    for source, names in _KINDS:
        if said & names and (source != "reference" or leaf.read_as == "text"):
            return source
    return None


def _numbered(leaves: list[Leaf]) -> dict[str, list[Leaf]]:
    """Reason slots one leaf each: ``Reason1``..``Reason3`` or an OCCURS ``CODE(1)``..``CODE(4)``,
    by their path with ``{n}`` for the number."""
    groups: dict[str, list[Leaf]] = {}
    for leaf in leaves:
        match = _NUMBERED.match(leaf.path)
        if match and _kind(leaf) == "reason_codes":
            template = leaf.path[: match.start("occ" if match["occ"] else "num")] + "{n}" + (")" if match["occ"] else "")
            groups.setdefault(template, []).append(leaf)
    return {t: g for t, g in groups.items() if len(g) > 1}


def _decision_codes(model: ModelDescription, leaf: Leaf) -> dict[str, str] | None:
    bands = [b.name for b in model.bands]
    if leaf.codes:
        legacy = code_map(leaf.codes, bands, leaf.name)
        by_band = {band: value for value, band in legacy.items() if band in bands}
        return {band: by_band.get(band, todo(f"the code of {band} among {', '.join(v for v, _ in leaf.codes)}")) for band in bands}
    if leaf.digits == 0 and leaf.type.startswith("X(") and leaf.type != "X(1)":
        return None
    if leaf.type == "X(1)":
        return {band: band[0] for band in bands} if len({b[0] for b in bands}) == len(bands) else None
    return None


def propose_results(model: ModelDescription, leaves: list[Leaf], required: set[str] = frozenset()) -> list[ResultProposal]:
    """Result fields for an answer's leaves (in order); ``required``: leaves the answer must hold."""
    out: list[ResultProposal] = []
    done: set[str] = set()
    numbered = _numbered(leaves)
    in_groups = {leaf.path for group in numbered.values() for leaf in group}
    for template, group in numbered.items():
        if "reason_codes" not in done:
            done.add("reason_codes")
            out.append(ResultProposal({"target": template, "source": "reason_codes", "count": len(group), "numbered": True},
                                      f"guess: one slot per reason, {len(group)} slots"))
    for leaf in leaves:
        if leaf.path in in_groups:
            continue
        kind = _kind(leaf)
        if kind is None or kind in done:
            if leaf.path in required:
                out.append(ResultProposal({"target": leaf.path, "source": "constant",
                                           "value": todo(f"what {leaf.name} ({leaf.type}) holds: a result source or a constant")}))
            continue
        done.add(kind)
        entry: dict[str, Any] = {"target": leaf.path, "source": kind}
        note = "guess"
        if kind == "score":
            high = min(10**leaf.digits - 1, 1000) if leaf.digits else 1000
            entry |= {"score_range": [0, high], "invert": True}
            note = f"guess: probability onto 0-{high}, high = low risk as credit scores run"
        elif kind == "probability" and (leaf.decimals or leaf.read_as == "number"):
            entry["decimals"] = leaf.decimals or 6
        elif kind == "decision" and (codes := _decision_codes(model, leaf)) is not None:
            entry["codes"] = codes
        elif kind == "reason_codes":
            if leaf.occurs <= 1:
                continue  # one value cannot hold a list; left for the author
            entry["count"] = leaf.occurs
            note = f"guess: one element per reason, up to {leaf.occurs}"
        out.append(ResultProposal(entry, note))
    return out


def reason_slots(results: list[ResultProposal], default: int = 3) -> int:
    """How many reason codes the request should ask for: the slots the answer has."""
    return next((int(r.entry.get("count", default)) for r in results if r.entry.get("source") == "reason_codes"), default)
