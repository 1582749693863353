"""``scoregate scaffold amqp --format json|xml|fixedwidth [--copybook C] --model NAME``: a draft of
a RabbitMQ channel file with one queue.

A fixed-width queue's fields come from its copybooks (``copybook_leaves.py``), with their codes
from 88-levels. JSON and XML messages have no schema to read: with ``--sample`` a message is read
for its paths and types; without, each feature is proposed at a path of its own name, which the
producer's messages must then have. ``config check`` cannot check JSON or XML paths either way.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from lxml import etree

from scoregate.adapters.copybook_leaves import Copybook
from scoregate.adapters.proposals import FeatureProposal, Leaf, ReadAs, propose_features, reference_leaf, words
from scoregate.adapters.registry import ScaffoldParameter, ScaffoldRequest, Scaffolder
from scoregate.adapters.result_proposals import ResultProposal, propose_results, reason_slots
from scoregate.adapters.tomltext import (
    assign, comment_block, feature_rows, listing, preamble, result_rows, table_array, unmapped_note,
)
from scoregate.adapters.xmlsafe import parse_untrusted
from scoregate.core.contract import FeatureKind

FORMATS = ("json", "xml", "fixedwidth")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The reply's shape for formats without a schema: (result source, JSON path, XML path).
_REPLY = (
    ("reference", "reference", "Reference"), ("score", "result.score", "Score"),
    ("probability", "result.probability", "Probability"), ("decision", "result.decision", "Decision"),
    ("reason_codes", "result.reasons", "Reasons/Reason"), ("model_version", "result.model", "Model"),
)
_ERROR_REPLY = (("reference", "reference", "Reference"), ("code", "error.code", "Code"),
                ("message", "error.message", "Message"), ("violations", "error.violations", "Violations/Violation"))
# Codes for a fixed-width error code field: a guess the author replaces by the producer's own.
_ERROR_CODES = {"invalid_input": "10", "unknown_model": "20", "core_unavailable": "30", "deadline_expired": "40", "core_failure": "90"}


def _read_as(text: Any) -> ReadAs:
    if isinstance(text, bool):
        return "boolean"
    if isinstance(text, int):
        return "integer"
    if isinstance(text, float):
        return "number"
    text = str(text).strip()
    if _DATE.match(text):
        return "date"
    if re.fullmatch(r"-?\d+", text):
        return "integer"
    if re.fullmatch(r"-?\d*\.\d+", text):
        return "number"
    return "text"


def _json_leaves(value: Any, prefix: str = "") -> list[Leaf]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _json_leaves(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(value, list):
        return [Leaf(prefix, "array", _read_as(value[0]) if value else "text", occurs=len(value))] if value else []
    kind = _read_as(value)
    return [Leaf(prefix, type(value).__name__ if value is not None else "null", "text" if value is None else kind)]


def _xml_leaves(element: Any, prefix: str = "") -> list[Leaf]:
    out = [Leaf(f"{prefix}@{etree.QName(name).localname}", "attribute", _read_as(v)) for name, v in element.attrib.items()]
    for child in element:
        if not isinstance(child.tag, str):
            continue
        path = f"{prefix}{etree.QName(child).localname}"
        if len(child) or child.attrib:
            out += _xml_leaves(child, f"{path}/")
        if not len(child):
            out.append(Leaf(path, "element", _read_as(child.text or "")))
    return out


def _sample_leaves(form: str, sample: Path) -> list[Leaf]:
    raw = sample.read_bytes()
    try:
        if form == "json":
            return _json_leaves(json.loads(raw))
        return _xml_leaves(parse_untrusted(raw))
    except Exception as error:  # noqa: BLE001 - any parse failure is the sample's, said in one line
        raise ValueError(f"{sample}: not a {form} message: {error}") from None


def _schemaless_features(model, form: str) -> list[FeatureProposal]:  # noqa: ANN001 - a ModelDescription
    """Each feature at a path of its own name (JSON) or element (XML): the producer's to confirm."""
    out = []
    for feature in model.feature_schema.features:
        path = feature.name if form == "json" else "".join(w.title() for w in words(feature.name))
        entry: dict[str, Any] = {"feature": feature.name, "source": path,
                                 "type": "text" if feature.kind is FeatureKind.CATEGORY else feature.kind.value}
        out.append(FeatureProposal(feature, entry, Leaf(path, "not checked", "text"), ["a path of the feature's name: rename it to the producer's"]))
    return out


def _fixed_error(leaves: list[Leaf]) -> list[tuple[dict[str, Any], str]]:
    rows = []
    for leaf in leaves:
        said = set(words(leaf.name))
        if said & {"id", "no", "ref", "reference", "key"} and not any(r[0]["source"] == "reference" for r in rows):
            rows.append(({"target": leaf.path, "source": "reference"}, "guess"))
        elif said & {"code", "status", "rc"} and leaf.length >= 2 and not any(r[0]["source"] == "code" for r in rows):
            rows.append(({"target": leaf.path, "source": "code", "codes": _ERROR_CODES}, "guess: replace by the producer's own codes"))
        elif said & {"text", "message", "msg", "error", "desc", "description"} and leaf.read_as == "text":
            if not any(r[0]["source"] == "message" for r in rows):
                rows.append(({"target": leaf.path, "source": "message"}, "guess"))
    return rows


def write(request: ScaffoldRequest) -> str:
    args, model = request.arguments, request.model
    form = args["format"]
    base = request.out.resolve().parent
    queue = f"scoregate.{model.name}.{form}"
    options: dict[str, Any] = {}
    error_rows: list[tuple[dict[str, Any], str]] = []
    titles: list[str] = []
    if form == "fixedwidth":
        if not args.get("copybook") or not args.get("response"):
            raise ValueError("--format fixedwidth needs --copybook (the request record) and --response (the reply record)")
        book, answer = Copybook.read(Path(args["copybook"])), Copybook.read(Path(args["response"]))
        leaves = book.leaves(book.roles()["detail"])
        out_leaves = answer.leaves(answer.roles()["detail"])
        options = {"request_copybook": os.path.relpath(book.path.resolve(), base),
                   "response_copybook": os.path.relpath(answer.path.resolve(), base), "encoding": args.get("encoding") or "cp037"}
        results = propose_results(model, out_leaves)
        error_rows = _fixed_error(out_leaves)
        titles = [*listing(f"Request record ({book.path.name}):", leaves), *listing(f"Reply record ({answer.path.name}):", out_leaves)]
    else:
        leaves = _sample_leaves(form, Path(args["sample"])) if args.get("sample") else []
        column = 1 if form == "json" else 2
        results = [ResultProposal({"target": row[column], "source": row[0], **({"count": 3} if row[0] == "reason_codes" else {})},
                                  "the reply's shape: rename to the producer's") for row in _REPLY]
        error_rows = [({"target": row[column], "source": row[0]}, "") for row in _ERROR_REPLY]
        if form == "xml":
            options = {"response_root": "ScoreResponse", "error_root": "ScoreError"}
        titles = listing(f"Request message ({Path(args['sample']).name}), paths not checked by config check:", leaves) if leaves else \
            comment_block([f"No --sample message: every path below is the feature's own name, and {form} paths are not",
                           "checked by config check: make them the producer's."])
    features = propose_features(model, leaves) if leaves else _schemaless_features(model, form)
    taken = {p.leaf.path for p in features if p.leaf is not None}
    reference = reference_leaf(leaves, taken)
    lines = preamble(f"scoregate scaffold amqp --format {form} --model {model.name}", model, "docs/configuration/amqp-keys.md")
    lines += [assign("url", "amqp://guest:guest@127.0.0.1:5672/%2F", "${NAME} reads the environment: keep passwords out"),
              assign("connection_name", f"scoregate-{model.name}"), "", *titles, "", "[[queues]]",
              assign("name", queue), assign("format", form)]
    if options:
        lines.append(assign("format_options", options))
    lines += ["", "[queues.request]", assign("model", model.name), assign("reason_count", reason_slots(results))]
    if reference is not None:
        lines.append(assign("reference", reference.path, "guess: the producer's own reference"))
    lines += [*table_array("features", feature_rows(features)), *unmapped_note(model, features), ""]
    lines += ["[queues.response]", *table_array("result", result_rows(results))]
    lines += table_array("error", error_rows) if error_rows else [assign("error", [], "an error reply fills nothing: add targets")]
    return "\n".join(lines) + "\n"


SCAFFOLDER = Scaffolder(
    write=write,
    parameters=(
        ScaffoldParameter("format", "the queue's message format", required=True, choices=FORMATS),
        ScaffoldParameter("copybook", "fixedwidth: the copybook of the request record"),
        ScaffoldParameter("response", "fixedwidth: the copybook of the reply record"),
        ScaffoldParameter("sample", "json or xml: a request message to read paths and types from"),
        ScaffoldParameter("encoding", "fixedwidth: the code page [cp037]", choices=("cp037", "cp500", "cp1047", "latin-1", "ascii")),
    ),
    help="Draft a RabbitMQ channel file with one queue in a format: every field with its type, a guess per feature.",
)
