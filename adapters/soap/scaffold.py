"""``scoregate scaffold soap WSDL --model NAME``: a first draft of a SOAP channel file.

The WSDL is loaded by the engine that serves it (``contract.py``), and its paths are walked the way
the start-up check walks them (``values.py``: ``elements``, ``attributes``, ``known_paths``), so
that every path the draft writes is one ``config check`` accepts. XSD enumerations and their
documentation (``O=owner outright, M=...``) are read from the contract's documents with lxml: zeep
keeps no facets.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lxml import etree
from zeep.xsd.types import builtins as xsd

from scoregate.adapters.proposals import Leaf, ReadAs, propose_features, reference_leaf
from scoregate.adapters.registry import ScaffoldParameter, ScaffoldRequest, Scaffolder
from scoregate.adapters.result_proposals import propose_results, reason_slots
from scoregate.adapters.soap.contract import ServiceContract
from scoregate.adapters.soap.documents import WSDL_NS, XSD_NS
from scoregate.adapters.soap.values import attributes, elements, known_paths, simple_content
from scoregate.adapters.tomltext import (
    RULE, assign, comment_block, feature_rows, listing, preamble, result_rows, table_array, unmapped_note,
)

_MAX_DEPTH = 12
_UNBOUNDED = 10  # slots proposed for an unbounded repeated element
_PAIR = re.compile(r"^\s*(?P<value>[^\s=:]+)\s*(?:=|:|-|\s)\s*(?P<meaning>.+?)\s*$")


def _enumerations(contract: ServiceContract) -> dict[str, tuple[tuple[str, str], ...]]:
    """Clark name of every named simple type with an enumeration -> (value, meaning) pairs, the
    meaning read from ``VALUE=meaning`` pieces of its documentation."""
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for raw in (contract.wsdl_bytes, *contract.served.values()):
        root = etree.fromstring(raw, parser)
        for schema in root.iter(f"{{{XSD_NS}}}schema"):
            tns = schema.get("targetNamespace", "")
            for simple in schema.iter(f"{{{XSD_NS}}}simpleType"):
                values = [e.get("value") for e in simple.iter(f"{{{XSD_NS}}}enumeration")]
                if simple.get("name") and values:
                    docs = " ".join("".join(d.itertext()) for d in simple.iter(f"{{{XSD_NS}}}documentation"))
                    meanings = {m["value"]: m["meaning"] for piece in re.split(r"[,;]", docs) if (m := _PAIR.match(piece))}
                    out[f"{{{tns}}}{simple.get('name')}"] = tuple((v, meanings.get(v, "")) for v in values)
    return out


def _read_as(xsd_type: Any) -> ReadAs:
    if isinstance(xsd_type, xsd.Boolean):
        return "boolean"
    if isinstance(xsd_type, xsd.Date | xsd.DateTime):
        return "date"
    if isinstance(xsd_type, xsd.Integer):
        return "integer"
    if isinstance(xsd_type, xsd.Decimal | xsd.Float | xsd.Double):
        return "number"
    return "text"


def _type_name(xsd_type: Any) -> str:
    qname = getattr(xsd_type, "qname", None)
    if qname is None:
        return "anonymous"
    if qname.namespace == XSD_NS:
        return f"xs:{qname.localname}"
    return qname.localname


@dataclass(frozen=True)
class _Value:
    segments: tuple[tuple[str, int], ...]
    """(name, max occurrences) from below the wrapper; an attribute's name starts with ``@``."""
    xsd_type: Any
    required: bool

    def path(self, first_of_repeats: bool) -> str:
        """With ``[1]`` on every repeated segment (a value to read), or on all but the last (a list to write)."""
        last = len(self.segments) - 1
        return "/".join(f"{name}[1]" if occurs > 1 and (first_of_repeats or i < last) else name
                        for i, (name, occurs) in enumerate(self.segments))


def _values(xsd_type: Any, above: tuple[tuple[str, int], ...] = (), required: bool = True, depth: int = 0) -> list[_Value]:
    if depth > _MAX_DEPTH:
        return []
    out = [_Value((*above, (f"@{name}", 1)), attribute.type, required and not attribute.is_optional)
           for name, attribute in attributes(xsd_type)]
    for name, child in elements(xsd_type):
        occurs = _UNBOUNDED if child.max_occurs == "unbounded" else int(child.max_occurs)
        here = (*above, (name, occurs))
        needed = required and child.min_occurs >= 1 and not child.nillable
        if not hasattr(child.type, "elements") or simple_content(child.type):
            value_type = child.type._element.type if simple_content(child.type) else child.type
            out.append(_Value(here, value_type, needed))
            out += [_Value((*here, (f"@{a}", 1)), attr.type, needed and not attr.is_optional) for a, attr in attributes(child.type)]
        else:
            out += _values(child.type, here, needed, depth + 1)
    return out


def _leaves(xsd_type: Any, enums: dict[str, Any], reading: bool) -> tuple[list[Leaf], set[str]]:
    """The type's leaves as the mapping names them (only paths ``known_paths`` holds), and the
    required ones."""
    known = known_paths(xsd_type)
    leaves, required = [], set()
    for value in _values(xsd_type):
        path = value.path(first_of_repeats=reading)
        if re.sub(r"\[\d+\]", "", path) not in known:
            continue
        qname = getattr(value.xsd_type, "qname", None)
        leaf = Leaf(path, _type_name(value.xsd_type), _read_as(value.xsd_type), enums.get(str(qname), ()),
                    value.required, 1 if reading else value.segments[-1][1])
        leaves.append(leaf)
        if value.required:
            required.add(path)
    return leaves, required


def _address_path(contract: ServiceContract) -> str:
    root = etree.fromstring(contract.wsdl_bytes, etree.XMLParser(resolve_entities=False, no_network=True))
    for port in root.iter(f"{{{WSDL_NS}}}port"):
        for address in port:
            if etree.QName(address).localname == "address" and address.get("location"):
                return urlparse(address.get("location")).path or "/"
    service = root.find(f"{{{WSDL_NS}}}service")
    return f"/{service.get('name') if service is not None else 'Service'}"


def write(request: ScaffoldRequest) -> str:
    """The draft channel file for the WSDL in ``request.arguments["wsdl"]``."""
    wsdl = Path(request.arguments["wsdl"]).resolve()
    contract = ServiceContract(wsdl)  # ContractError (a ValueError) in one line
    enums = _enumerations(contract)
    model = request.model
    relative = os.path.relpath(wsdl, request.out.resolve().parent)
    lines = preamble(f"scoregate scaffold soap {wsdl.name} --model {model.name}", model, "docs/configuration/soap-keys.md")
    lines += [
        assign("wsdl", relative),
        assign("path", _address_path(contract), "the path of the WSDL's soap:address"),
        assign("host", "127.0.0.1"),
        assign("port", 8080),
    ]
    if contract.one_way:
        lines += ["", *comment_block([f"One-way operations (no answer to score in), left out: {', '.join(sorted(contract.one_way))}."])]
    seen: set[str] = set()
    for operation in contract.operations:
        if operation.name in seen:
            continue
        seen.add(operation.name)
        op = operation.zeep
        inputs, _ = _leaves(op.input.body.type, enums, reading=True)
        outputs, required = _leaves(op.output.body.type, enums, reading=False)
        features = propose_features(model, inputs)
        taken = {p.leaf.path for p in features if p.leaf is not None}
        results = propose_results(model, outputs, required)
        reference = reference_leaf(inputs, taken)
        where = f"operations.{operation.name}"
        lines += ["", f"{RULE} {operation.name}",
                  *listing(f"Request ({op.input.body.qname.localname}), paths below the wrapper:", inputs),
                  *listing(f"Answer ({op.output.body.qname.localname}):", outputs)]
        if op.faults:
            lines += comment_block([f"Declared faults: {', '.join(op.faults)} (their detail: docs/configuration/soap.md)."])
        lines += ["", f"[{where}.request]", assign("model", model.name), assign("reason_count", reason_slots(results))]
        if reference is not None:
            lines.append(assign("reference", reference.path, "guess: the caller's own reference"))
        lines += [*table_array("features", feature_rows(features)), *unmapped_note(model, features)]
        lines += ["", f"[{where}.response]", *table_array("result", result_rows(results))]
    return "\n".join(lines) + "\n"


SCAFFOLDER = Scaffolder(
    write=write,
    parameters=(ScaffoldParameter("wsdl", "the WSDL of the contract", positional=True, required=True),),
    help="Draft a SOAP channel file from a WSDL: every operation, every path with its type, a guess per feature.",
)
