"""What ``scoregate scaffold`` proposes: which contract field feeds which model feature, which
result goes where in the answer, which legacy code is which model code. Guessed from names, types,
units and code descriptions; every guess is marked as one in the file, and what cannot be guessed
becomes a ``TODO`` placeholder (``placeholders.py``).

Each channel's ``scaffold.py`` lists its contract as :class:`Leaf` values (a WSDL's paths, a
copybook's fields) and renders what :func:`propose_features` and :func:`propose_results` return.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from scoregate.adapters.placeholders import todo
from scoregate.core.contract import FeatureKind, FeatureSpec, ModelDescription

ReadAs = Literal["number", "integer", "text", "date", "boolean"]
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_STOP = {"of", "to", "at", "the", "has", "is", "a", "an", "in", "for", "with", "and", "or", "by"}
# Words a legacy contract uses for the demo-like features' words; a guess, so a short list.
_SYNONYMS = {
    "age": {"birth", "dob", "born"}, "dependants": {"dependents", "children"}, "residence": {"address", "addr"},
    "home": {"residential", "housing", "tenure"}, "accounts": {"tradelines", "trades", "accts"},
    "cosigner": {"guarantor", "cosign"}, "income": {"salary", "earnings"}, "amount": {"amt", "principal"},
    "term": {"tenor", "duration"}, "delinquencies": {"dlq", "arrears"}, "delinquency": {"dlq", "arrears"},
    "inquiries": {"enquiries", "searches"}, "bankruptcies": {"bkr", "insolvencies"}, "car": {"vehicle", "auto", "motor"},
    "approve": {"accept", "accepted", "approved", "go", "pass", "yes"}, "review": {"refer", "referred", "manual", "underwriter"},
    "decline": {"declined", "reject", "rejected", "deny", "stop", "no"}, "own": {"owner", "owned", "outright"},
}
_AGE_UNITS = {"years", "months", "days"}
_YES_NO = {"Y", "N", "YES", "NO", "1", "0", "T", "F", "TRUE", "FALSE", "J"}
# Words that say how a value is written, not what it is (RevolvingUtilPct, CoSignerInd).
_UNIT_WORDS = {"pct", "percent", "bps", "ind", "flag", "code", "cd", "amt", "nbr", "num", "count", "cnt", "value", "val"}
_REFERENCE_WORDS = {"no", "nbr", "num", "id", "ref", "reference", "key"}


@dataclass(frozen=True)
class Leaf:
    """One value of a contract: a path the mapping can read or write, and what it holds."""

    path: str
    """As the mapping names it (``Application/Loan/TermMonths``, ``LD-LOAN-TERM``)."""
    type: str
    """The contract's own words for its type (``xs:decimal``, ``S9(9)V99 packed``)."""
    read_as: ReadAs
    codes: tuple[tuple[str, str], ...] = ()
    """Values it may hold, each with its meaning where the contract says one (an XSD enumeration
    and its documentation, a copybook's 88-level names)."""
    required: bool = False
    occurs: int = 1
    """How many times it may occur (maxOccurs, OCCURS); a table when more than one."""
    digits: int = 0
    """Digits of a fixed-width number (0: unbounded)."""
    decimals: int = 0
    length: int = 0
    """Characters of a fixed-width text (0: unbounded)."""

    @property
    def name(self) -> str:
        return re.sub(r"\[\d+\]|\(\d+(,\d+)*\)", "", self.path.rsplit("/", 1)[-1])

    def describe(self) -> str:
        text = self.type + (" (required)" if self.required else "")
        if self.occurs > 1:
            text += f", up to {self.occurs} times"
        if self.codes:
            text += ": " + ", ".join(f"{v}={m}" if m else v for v, m in self.codes)
        return text


def words(name: str) -> list[str]:
    """``GrossAnnualIncome`` / ``LD-ANNUAL-INCOME`` / ``annual_income`` -> ``['gross', 'annual', 'income']``."""
    return [w.lower() for w in _WORD.findall(name)]


def _match(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if b in _SYNONYMS.get(a, ()) or a in _SYNONYMS.get(b, ()):
        return 0.95
    short, long_ = sorted((a, b), key=len)
    if len(short) < 3:
        return 0.0
    # inc/income, util/utilisation; not car/card
    if long_.startswith(short) and (len(long_) - len(short) >= 3 or len(short) >= 5):
        return 0.9
    common = len(next(iter([p for p in (a[:n] for n in range(min(len(a), len(b)), 0, -1)) if b.startswith(p)]), ""))
    if common >= 5 or len(short) >= 5 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85:
        return 0.8
    return 0.0


def similarity(target: str, leaf_path: str) -> float:
    """How well a leaf's name says ``target`` (a feature or result name): 0 to about 1. Words of
    the leaf's own name count fully, words of its parents half."""
    wanted = [w for w in words(target) if w not in _STOP and not w.isdigit()]
    segments = [s for s in re.sub(r"\[\d+\]|\(\d+(,\d+)*\)", "", leaf_path).split("/") if s]
    own = [w for w in words(segments[-1]) if w not in _STOP] if segments else []
    parents = [w for s in segments[:-1] for w in words(s) if w not in _STOP]
    squashed = "".join(own)
    if not wanted or not own:
        return 0.0
    total, own_hit, used = 0.0, False, set()
    for w in wanted:
        best_own = max((_match(w, o) for o in own), default=0.0)
        if not best_own and len(w) >= 5 and w in squashed:
            best_own = 0.8
        best_parent = 0.5 * max((_match(w, p) for p in parents), default=0.0)
        own_hit |= best_own > 0
        used |= {o for o in own if _match(w, o)}
        total += max(best_own, best_parent)
    if not own_hit:
        return 0.0
    extra = [o for o in own if o not in used and len(o) >= 3 and not o.isdigit() and o not in _UNIT_WORDS]
    return total / len(wanted) - 0.05 * len(extra)


@dataclass
class FeatureProposal:
    feature: FeatureSpec
    entry: dict[str, Any]
    """The feature's inline table in ``features = [...]``."""
    leaf: Leaf | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def todo(self) -> bool:
        return any(isinstance(v, str) and v.startswith("TODO") for v in _values(self.entry))


def _values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value.keys(), *(x for v in value.values() for x in _values(v))]
    return [value]


def _yes_no(leaf: Leaf) -> bool:
    return leaf.read_as == "boolean" or bool(leaf.codes) and {v.upper() for v, _ in leaf.codes} <= _YES_NO


def _fits(feature: FeatureSpec, leaf: Leaf) -> float:
    """0 if the leaf cannot feed the feature, else a weight for the name score."""
    if feature.kind is FeatureKind.CATEGORY:
        return 1.1 if leaf.codes and not _yes_no(leaf) else 1.0 if leaf.read_as == "text" else 0.0
    if leaf.read_as == "date":
        return 1.0 if feature.unit in _AGE_UNITS else 0.0
    if leaf.read_as == "text" and not _yes_no(leaf):
        return 0.8  # numbers sent as text (optional numbers in PIC X); a missing value is blank
    return 1.0


def code_map(codes: tuple[tuple[str, str], ...], targets: list[str], owner: str = "") -> dict[str, str]:
    """Legacy value -> target code (a model's category code, a decision band), by the value's
    meaning, else the value itself, else a unique first letter; a TODO placeholder for the rest."""
    owner_words = set(words(owner))
    out: dict[str, str] = {}
    for value, meaning in codes:
        # Without a meaning, a code that is a word says itself (HOME, CARD); short ones (R, 01) do not.
        said = [w for w in words(meaning or (value if len(value) > 2 else "")) if w not in owner_words and w not in _STOP]
        scored = []
        for target in targets:
            parts = words(target)
            score = sum(max((_match(p, w) for w in said), default=0.0) for p in parts) / len(parts) if said else 0.0
            scored.append((score, target))
        best = max(scored, default=(0.0, ""))
        same = [t for t in targets if t.upper() == value.upper()]
        initial = [t for t in targets if t[:1].upper() == value[:1].upper()]
        if best[0] >= 0.5 and [s for s, _ in scored].count(best[0]) == 1:
            out[value] = best[1]
        elif same:
            out[value] = same[0]
        elif len(value) == 1 and len(initial) == 1 and not said:
            out[value] = initial[0]
        else:
            out[value] = todo(f"one of {', '.join(targets)}" + (f" for {value} ({meaning})" if meaning else f" for {value}"))
    return out


def _scale(feature: FeatureSpec, leaf: Leaf) -> float | None:
    """A unit conversion the names give away: a percent into a ratio, basis points, monthly amounts."""
    said = set(words(leaf.name))
    unit = feature.unit.lower()
    if said & {"pct", "percent", "percentage"} and unit == "ratio":
        return 0.01
    if "bps" in said:
        return 0.01 if unit == "percent" else 0.0001 if unit == "ratio" else None
    if said & {"monthly", "month", "mth"} and "a year" in unit:
        return 12.0
    return None


def feature_entry(feature: FeatureSpec, leaf: Leaf) -> tuple[dict[str, Any], list[str]]:
    """The inline table reading ``feature`` from ``leaf``, and notes on what was assumed."""
    entry: dict[str, Any] = {"feature": feature.name, "source": leaf.path}
    notes = []
    if leaf.read_as == "date":
        entry |= {"type": "date", "age": feature.unit}
        notes.append(f"{feature.unit} elapsed since the date, as of the day of the request")
    elif feature.kind is FeatureKind.CATEGORY:
        entry["type"] = "text"
        if leaf.codes:
            entry["codes"] = code_map(leaf.codes, list(feature.codes), leaf.name)
        elif leaf.length and leaf.length < max(len(code) for code in feature.codes):
            # The model's codes do not fit the field: the caller's own codes need naming.
            entry["codes"] = {todo(f"{leaf.name}'s code for {code}"): code for code in feature.codes}
        else:
            notes.append(f"values pass as they come: add codes = {{...}} if they are not {', '.join(feature.codes)}")
    elif feature.unit.startswith("flag") and leaf.read_as == "text" and not leaf.codes:
        entry["type"] = "boolean"
        notes.append("read as a yes/no value: Y/N, 1/0, T/F, yes/no, true/false")
    elif _yes_no(leaf):
        yes = {v for v, _ in leaf.codes if v.upper() in {"Y", "YES", "1", "T", "TRUE", "J"}}
        if leaf.read_as == "boolean" or not leaf.codes or yes and all(v.upper() in {"Y", "N", "1", "0", "T", "F"} for v, _ in leaf.codes):
            entry["type"] = "boolean"
        else:
            entry |= {"type": "text", "codes": {v: int(v in yes) for v, _ in leaf.codes}}
    else:
        entry["type"] = "integer" if feature.kind is FeatureKind.INTEGER and leaf.read_as == "integer" else "number"
        if (scale := _scale(feature, leaf)) is not None:
            entry["scale"] = scale
            notes.append(f"scale {scale:g}: the name says {leaf.name}, the model wants {feature.unit}")
    return entry, notes


def propose_features(model: ModelDescription, leaves: list[Leaf], threshold: float = 0.45) -> list[FeatureProposal]:
    """One proposal per feature of the model, in the model's order: the best leaf by name and kind
    (each leaf used once); a required feature left without one gets a TODO default."""
    pairs = []
    for feature in model.feature_schema.features:
        for n, leaf in enumerate(leaves):
            weight = _fits(feature, leaf)
            score = weight * similarity(feature.name, leaf.path) if weight else 0.0
            if score >= threshold:
                pairs.append((-score, n, feature.name, leaf))
    chosen: dict[str, Leaf] = {}
    taken: set[str] = set()
    for _, _, name, leaf in sorted(pairs, key=lambda p: (p[0], p[1])):
        if name not in chosen and leaf.path not in taken:
            chosen[name] = leaf
            taken.add(leaf.path)
    out = []
    for feature in model.feature_schema.features:
        if (leaf := chosen.get(feature.name)) is not None:
            entry, notes = feature_entry(feature, leaf)
            out.append(FeatureProposal(feature, entry, leaf, notes))
        elif not feature.nullable:
            out.append(FeatureProposal(feature, {"feature": feature.name, "default": todo(_wanted(feature))}))
    return out


def _wanted(feature: FeatureSpec) -> str:
    if feature.kind is FeatureKind.CATEGORY:
        return f"no field found for {feature.name}: a source, or a default among {', '.join(feature.codes)}"
    bounds = f" from {feature.minimum:.10g} to {feature.maximum:.10g}" if feature.minimum is not None and feature.maximum is not None else ""
    unit = f" ({feature.unit})" if feature.unit else ""
    return f"no field found for {feature.name}: a source, an expr, or a default {feature.kind.value}{unit}{bounds}"


def reference_leaf(leaves: list[Leaf], taken: set[str] = frozenset()) -> Leaf | None:
    """The caller's own reference: a text leaf named like an id or a number, the shallowest first."""
    candidates = [leaf for leaf in leaves if leaf.read_as == "text" and leaf.occurs == 1 and leaf.path not in taken
                  and set(words(leaf.name)) & _REFERENCE_WORDS]
    return min(candidates, key=lambda leaf: leaf.path.count("/"), default=None)
