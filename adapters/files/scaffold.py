"""``scoregate scaffold files COPYBOOK [--response COPYBOOK] --model NAME``: a first draft of a file job.

Record types (header, detail, trailer) and the type field come from the copybook's REDEFINES and
88-levels (``copybook_leaves.py``); the mapping's sources from the detail record; ages are taken
as of the header's date when it has one; the response record, header copies and trailer totals
are matched by name. Every proposal is marked; the rest is a TODO placeholder.
"""

from __future__ import annotations

import os
from pathlib import Path

from scoregate.adapters.copybook_leaves import Copybook, stem
from scoregate.adapters.placeholders import todo
from scoregate.adapters.proposals import Leaf, propose_features, reference_leaf, similarity, words
from scoregate.adapters.registry import ScaffoldParameter, ScaffoldRequest, Scaffolder
from scoregate.adapters.result_proposals import propose_results, reason_slots
from scoregate.adapters.tomltext import (
    assign, comment_block, feature_rows, listing, preamble, result_rows, table_array, unmapped_note,
)

ENCODINGS = ("cp037", "cp500", "cp1047", "latin-1", "ascii")


def _layout_lines(side: str, book: Copybook, base: Path, encoding: str, recfm: str, input_values: dict[str, str] | None) -> tuple[list[str], dict[str, str]]:
    """The ``[input]`` / ``[output]`` table, and the role of each type value it sets."""
    roles = book.roles()
    lines = [f"[{side}]", assign("copybook", os.path.relpath(book.path.resolve(), base)),
             assign("encoding", encoding), assign("recfm", recfm)]
    type_field, values = book.type_field()
    by_role = {role: value for value, name in values.items() for role, t in roles.items() if t.name == name}
    if type_field:
        lines.append(assign("type_field", type_field, "guess: the field every record type shares" + (", with 88-levels" if values else "")))
    for role in ("header", "detail", "trailer"):
        if role in roles:
            lines.append(assign(role, roles[role].name, "guess from its name" if len(roles) > 1 else ""))
    if type_field:
        wanted = {}
        for role, record in roles.items():
            known = by_role.get(role) or (input_values or {}).get(role)
            wanted[known or todo(f"the {type_field} value of a {role} record")] = record.name
        note = "from the 88-levels" if by_role else "guess: the input file's values" if input_values else ""
        lines.append(assign("type_values", wanted, note))
    return lines, {role: v for v, name in wanted.items() for role, t in roles.items() if t.name == name} if type_field else {}


def _match_by_stem(targets: list[str], sources: list[str]) -> dict[str, str]:
    """Target field -> source field with the same words after their record prefixes."""
    found = {}
    for target in targets:
        same = [s for s in sources if stem(s) == stem(target)]
        if same:
            found[target] = same[0]
    return found


def _totals(fields: list[str], detail: list[Leaf]) -> dict[str, str]:
    """Trailer total fields -> the detail field each sums, by name."""
    out = {}
    for name in fields:
        said = [w for w in stem(name) if w not in {"total", "tot", "sum"}]
        if said != list(stem(name)) and said:
            best = max(detail, key=lambda leaf: similarity("_".join(said), leaf.path), default=None)
            if best is not None and best.read_as in ("number", "integer") and similarity("_".join(said), best.path) >= 0.6:
                out[name] = best.path
    return out


def _counts(fields: list[str]) -> tuple[str | None, str | None]:
    counts = [f for f in fields if set(stem(f)) & {"count", "cnt", "records", "recs"}]
    rejects = next((f for f in counts if set(stem(f)) & {"reject", "rejects", "rej", "error", "errors"}), None)
    return next((f for f in counts if f != rejects), None), rejects


def write(request: ScaffoldRequest) -> str:
    args = request.arguments
    book = Copybook.read(Path(args["copybook"]))
    answer = Copybook.read(Path(args["response"])) if args.get("response") else None
    encoding, recfm = args.get("encoding") or "cp037", args.get("recfm") or "FB"
    base = request.out.resolve().parent
    model = request.model
    roles = book.roles()
    type_field, _ = book.type_field()
    detail = book.leaves(roles["detail"], {type_field} if type_field else set())
    header = book.leaves(roles["header"], {type_field} if type_field else set()) if "header" in roles else []
    trailer = [leaf.path for leaf in book.leaves(roles["trailer"])] if "trailer" in roles else []
    features = propose_features(model, detail)
    as_of = next((leaf.path for leaf in header if leaf.read_as == "date"), None)
    for proposal in features:
        if as_of and proposal.entry.get("type") == "date":
            proposal.entry["as_of"] = f"header:{as_of}"
            proposal.notes[-1:] = [f"{proposal.entry['age']} as of the header's {as_of}"]
    taken = {p.leaf.path for p in features if p.leaf is not None}
    reference = reference_leaf(detail, taken)
    name = words(Path(args["copybook"]).stem)
    lines = preamble(f"scoregate scaffold files {Path(args['copybook']).name} --model {model.name}", model,
                     "docs/configuration/files-keys.md")
    lines += [assign("name", "-".join(name) or "job"), assign("inbox", "inbox"), assign("work", "work"),
              assign("outbox", "outbox"), assign("archive", "archive"), assign("error", "error"),
              assign("done_suffix", ".done", "FILE is complete once FILE.done exists")]
    reference_path = reference.path if reference else todo("the detail field holding the caller's own reference")
    lines.append(assign("reference", reference_path, "guess: copied into every response and reject record" if reference else ""))
    results, out_header, out_trailer, out_detail = [], [], [], []
    if answer is not None:
        out_roles = answer.roles()
        out_type, _ = answer.type_field()
        out_detail = answer.leaves(out_roles["detail"], {out_type} if out_type else set())
        out_header = [leaf.path for leaf in answer.leaves(out_roles["header"], {out_type} if out_type else set())] if "header" in out_roles else []
        out_trailer = [leaf.path for leaf in answer.leaves(out_roles["trailer"])] if "trailer" in out_roles else []
        results = propose_results(model, out_detail)
        copies = _match_by_stem(out_header, [leaf.path for leaf in header])
        if copies:
            lines.append(assign("header_copy", copies, "guess: response header field = input header field"))
        model_field = next((f for f in out_header if "model" in stem(f) and f not in copies), None)
        if model_field:
            lines.append(assign("header_model_field", model_field, "guess: name:version of the model"))
    lines += ["", *listing(f"Input detail record {roles['detail'].name} ({book.path.name}):", detail)]
    if header:
        lines += listing(f"Input header record {roles['header'].name}:", header)
    input_lines, input_values = _layout_lines("input", book, base, encoding, recfm, None)
    lines += [*input_lines, ""]
    if answer is not None:
        lines += listing(f"Response detail record ({answer.path.name}):", out_detail)
        lines += [*_layout_lines("output", answer, base, encoding, recfm, input_values)[0], ""]
    else:
        lines += ["[output]", assign("copybook", todo("the response record's copybook (or: scaffold files ... --response COPYBOOK)")),
                  assign("encoding", encoding), assign("recfm", recfm), assign("detail", todo("the response detail record type")), ""]
    lines += ["[request]", assign("model", model.name), assign("reason_count", reason_slots(results))]
    if reference:
        lines.append(assign("reference", reference.path))
    lines += [*table_array("features", feature_rows(features)), *unmapped_note(model, features), ""]
    lines += ["[response]", *table_array("result", result_rows(results))]
    lines += _trailer_lines(trailer, out_trailer, detail)
    return "\n".join(lines) + "\n"


def _trailer_lines(trailer: list[str], out_trailer: list[str], detail: list[Leaf]) -> list[str]:
    lines: list[str] = []
    count, _ = _counts(trailer)
    totals = _totals(trailer, detail)
    if count or totals:
        lines += ["", *comment_block(["The input trailer must agree with the details, or the whole file goes to error/."]),
                  "[trailer_check]"]
        lines += [assign("count", count, "guess")] if count else []
        lines += [assign("totals", totals, "guess: trailer field = the detail field it sums")] if totals else []
    count, rejects = _counts(out_trailer)
    totals = _totals(out_trailer, detail)
    if count or rejects or totals:
        lines += ["", "[response_trailer]"]
        lines += [assign("count", count, "guess: scored records")] if count else []
        lines += [assign("rejects", rejects, "guess: rejected records")] if rejects else []
        lines += [assign("totals", totals, "guess: over the scored records")] if totals else []
    return lines


SCAFFOLDER = Scaffolder(
    write=write,
    parameters=(
        ScaffoldParameter("copybook", "the copybook of the input records", positional=True, required=True),
        ScaffoldParameter("response", "the copybook of the response records"),
        ScaffoldParameter("encoding", "the files' code page [cp037]", choices=ENCODINGS),
        ScaffoldParameter("recfm", "the files' record format [FB]", choices=("F", "FB", "V", "VB")),
    ),
    help="Draft a file job from copybooks: record types, every field with its picture, a guess per feature.",
)
