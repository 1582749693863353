"""Read and write plans compiled once per operation from zeep's XSD objects.

zeep's generic ``body.parse`` and ``output.serialize`` build and check value objects for every
element on every request: about four fifths of the adapter's CPU, and five times a hand-written
lxml handler (bench/soap_bench.py). The body has already passed the XSD, so it needs no second
check: a plan walks zeep's element tree once (qualified names, occurrences, the simple type of each
leaf) and then reads or writes lxml elements directly, converting leaves with zeep's own
``pythonvalue`` / ``xmlvalue``. Anything a plan does not cover (attributes, xsd:any, simple content,
an xsi:type on a complex element) makes it decline, and the codec uses zeep's generic path;
tests/adapters/soap/test_soap_plan.py pins that both paths give the same result.

Leaves of the common builtin types (string, the integers, decimal, a plain ``YYYY-MM-DD`` date)
convert without zeep's per-call wrappers, which cost a quarter of the read time. Each fast converter
gives what zeep's ``pythonvalue`` gives for every text (test_soap_plan.py pins that), and any other
type or text goes to zeep's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any as AnyValue

from lxml import etree
from zeep.xsd.elements import Any, Element
from zeep.xsd.elements.indicators import All, Sequence
from zeep.xsd.types import builtins
from zeep.xsd.types.complex import ComplexType
from zeep.xsd.types.simple import AnySimpleType

_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_MAX_DEPTH = 16
_PLAIN_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# zeep's whitespace "collapse" turns these into spaces, then strips.
_COLLAPSE = str.maketrans("\n\r\t", "   ")


class Unsupported(Exception):
    """This element (or document) is outside what a plan handles; use zeep's generic path."""


@dataclass
class Node:
    """One element declaration: a leaf with its simple type, or a complex type's children in order."""

    name: str
    qname: str
    repeated: bool = False
    required: bool = True
    nillable: bool = False
    simple: AnyValue = None
    """zeep's simple type of a leaf (``pythonvalue`` / ``xmlvalue``); None for a complex element."""
    convert: Callable[[str], AnyValue] | None = None
    """A leaf's text -> value: ``simple.pythonvalue`` or an equivalent without zeep's wrappers."""
    children: list[Node] = field(default_factory=list)
    by_tag: dict[str, Node] = field(default_factory=dict)
    names: frozenset[str] = frozenset()
    """The children's names (what a value written for this element may hold)."""


def _decimal(text: str) -> Decimal:
    return Decimal(text.translate(_COLLAPSE).strip())


def _converter(simple: AnyValue) -> Callable[[str], AnyValue]:
    """``simple.pythonvalue``, or a plain function that gives the same for every text."""
    method = type(simple).pythonvalue
    if method is builtins.String.pythonvalue:
        return str  # zeep returns the text as it is
    if method in (builtins.Integer.pythonvalue, builtins.Long.pythonvalue):
        return int  # zeep's own call, unwrapped
    if method is builtins.Decimal.pythonvalue:
        return _decimal
    if method is builtins.Date.pythonvalue:
        zeep_date = simple.pythonvalue

        def _date(text: str) -> AnyValue:
            match = _PLAIN_DATE.fullmatch(text)
            return date(int(match[1]), int(match[2]), int(match[3])) if match else zeep_date(text)

        return _date
    return simple.pythonvalue


def compile_element(element: AnyValue, depth: int = 0) -> Node:
    """A plan for a zeep ``Element``; raises Unsupported for constructs the plan does not cover."""
    if depth > _MAX_DEPTH:
        raise Unsupported("schema nested too deeply (recursive type?)")
    if not hasattr(element, "qname") or not hasattr(element, "type"):
        raise Unsupported(f"{type(element).__name__} (xsd:any or a group reference)")
    xsd_type = element.type
    node = Node(
        name=element.qname.localname, qname=str(element.qname),
        repeated=element.max_occurs == "unbounded" or element.max_occurs > 1,
        required=element.min_occurs > 0, nillable=bool(element.nillable),
    )
    if isinstance(xsd_type, AnySimpleType):
        node.simple, node.convert = xsd_type, _converter(xsd_type)
        return node
    if not isinstance(xsd_type, ComplexType):
        raise Unsupported(f"{node.name}: type {type(xsd_type).__name__}")
    content = getattr(xsd_type, "_element", None)
    if isinstance(content, Element) and isinstance(content.type, AnySimpleType):
        raise Unsupported(f"{node.name}: simple content")
    if xsd_type.attributes or getattr(xsd_type, "_array_type", None):
        raise Unsupported(f"{node.name}: attributes or a SOAP-encoded array")
    if not all(_plain(item) for _, item in xsd_type.elements_nested):
        raise Unsupported(f"{node.name}: xsd:any, a choice, or a repeated group")
    for _, child in xsd_type.elements:
        compiled = compile_element(child, depth + 1)
        node.children.append(compiled)
        node.by_tag[compiled.qname] = compiled
    node.names = frozenset(child.name for child in node.children)
    return node


def _plain(item: AnyValue) -> bool:
    """An element, or a sequence/all occurring once whose items are plain too (what a plan reads by tag)."""
    if isinstance(item, Any):
        return False
    if isinstance(item, Element):
        return True
    if not isinstance(item, Sequence | All) or item.max_occurs != 1:
        return False
    return all(_plain(child) for child in item)


def compile_or_none(element: AnyValue) -> Node | None:
    try:
        return compile_element(element)
    except Unsupported:
        return None


def read(element: etree._Element, node: Node, prefix: str = "", out: dict[str, AnyValue] | None = None) -> dict[str, AnyValue]:
    """A validated element -> {path: value}, the same shape as ``paths.flatten`` of zeep's parse."""
    out = {} if out is None else out
    base = f"{prefix}/" if prefix else ""
    by_tag = node.by_tag
    seen: dict[str, int] = {}
    for child in element:
        tag = child.tag
        if type(tag) is not str:
            continue  # comments and processing instructions
        spec = by_tag.get(tag)
        if spec is None:
            raise Unsupported(f"{tag} is not declared here")
        name = spec.name
        path = base + name
        n = seen[name] = seen.get(name, 0) + 1
        if spec.repeated:
            _read_one(child, spec, f"{path}[{n}]", out)
            if n > 1:
                continue  # the unindexed path names the first occurrence only
        # The common case, a leaf without xsi:nil, inline: most elements of a request are one.
        if spec.convert is not None and child.get(_XSI_NIL) is None:
            text = child.text
            out[path] = None if text is None else spec.convert(text)
        else:
            _read_one(child, spec, path, out)
    if len(seen) < len(node.children):  # an absent element reads as None, as zeep reports it (a repeated one: nothing)
        for spec in node.children:
            if not spec.repeated and spec.name not in seen:
                out[base + spec.name] = None
    return out


def _read_one(child: etree._Element, spec: Node, path: str, out: dict[str, AnyValue]) -> None:
    if child.get(_XSI_NIL) in ("true", "1"):
        out[path] = None
    elif spec.convert is not None:
        out[path] = None if child.text is None else spec.convert(child.text)
    elif child.get(_XSI_TYPE) is not None:
        raise Unsupported(f"xsi:type on {path}: a derived type may add elements")
    else:
        read(child, spec, path, out)


def write(parent: etree._Element, node: Node, value: AnyValue) -> None:
    """Append ``node``'s element(s) for ``value`` (nested dicts and lists, as ``paths.nest`` gives)."""
    if value is None:
        if node.required and node.nillable:
            etree.SubElement(parent, node.qname).set(_XSI_NIL, "true")
        elif node.required:
            raise ValueError(f"missing required element {node.name}")
        return
    for item in value if isinstance(value, list) and node.repeated else [value]:
        element = etree.SubElement(parent, node.qname)
        if node.simple is not None:
            element.text = node.simple.xmlvalue(item)
            continue
        if not isinstance(item, dict):
            raise ValueError(f"{node.name} is a structure, got {item!r}")
        if unknown := item.keys() - node.names:
            raise ValueError(f"{node.name} has no element {sorted(unknown)[0]}")
        for child in node.children:
            write(element, child, item.get(child.name))
