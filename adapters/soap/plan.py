"""Read and write plans compiled once per operation from zeep's XSD objects.

zeep's generic ``body.parse`` and ``output.serialize`` build and check value objects for every
element on every request: about four fifths of the adapter's CPU, and five times a hand-written
lxml handler (bench/soap_bench.py). The body has already passed the XSD, so it needs no second
check: a plan walks zeep's element tree once (qualified names, occurrences, attributes, the simple
type of each value) and then reads or writes lxml elements directly, converting values with zeep's
own ``pythonvalue`` / ``xmlvalue``. Plans cover sequences, ``all``, choices occurring once (a branch
is an optional child), attributes and attribute groups, simple content, and ``xs:any`` (skipped
when reading). What they do not cover (a repeated group, a substitution group member, an xsi:type
on a complex element) makes them decline, and the codec uses zeep's generic path;
tests/adapters/soap/test_soap_plan.py pins that both paths give the same result.

Leaves of the common builtin types (string, the integers, decimal, a plain ``YYYY-MM-DD`` date)
convert without zeep's per-call wrappers, which cost a quarter of the read time. Each fast converter
gives what zeep's ``pythonvalue`` gives for every text (test_soap_plan.py pins that), and any other
type or text goes to zeep's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any as AnyValue

from lxml import etree
from zeep.xsd.elements import Any, Element
from zeep.xsd.elements.indicators import All, Choice, Sequence
from zeep.xsd.types import builtins
from zeep.xsd.types.collection import UnionType
from zeep.xsd.types.complex import ComplexType
from zeep.xsd.types.simple import AnySimpleType

from scoregate.adapters.soap.paths import TEXT
from scoregate.adapters.soap.values import attributes, simple_content

_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_MAX_DEPTH = 16
_PLAIN_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# zeep's whitespace "collapse" turns these into spaces, then strips.
_COLLAPSE = str.maketrans("\n\r\t", "   ")


class Unsupported(Exception):
    """This element (or document) is outside what a plan handles; use zeep's generic path."""


@dataclass(frozen=True)
class Attr:
    """One attribute of an element: its name in paths, its key in lxml, and its simple type."""

    name: str
    key: str
    simple: AnyValue
    convert: Callable[[str], AnyValue]
    required: bool


@dataclass
class Node:
    """One element declaration: a value with its simple type, or a complex type's children in order;
    either may have attributes."""

    name: str
    qname: str
    repeated: bool = False
    required: bool = True
    nillable: bool = False
    simple: AnyValue = None
    """zeep's simple type of a value (leaf or simple content); None for a structure."""
    convert: Callable[[str], AnyValue] | None = None
    """A value's text -> value: ``simple.pythonvalue`` or an equivalent without zeep's wrappers."""
    children: list[Node] = field(default_factory=list)
    by_tag: dict[str, Node] = field(default_factory=dict)
    names: frozenset[str] = frozenset()
    """The children's names and ``@attribute`` names (what a value written for this element may hold)."""
    attributes: tuple[Attr, ...] = ()
    open: bool = False
    """Declares ``xs:any``: undeclared children are skipped when reading."""


def _decimal(text: str) -> Decimal:
    return Decimal(text.translate(_COLLAPSE).strip())


def _converter(simple: AnyValue) -> Callable[[str], AnyValue]:
    """``simple.pythonvalue``, or a plain function that gives the same for every text."""
    method = type(simple).pythonvalue
    if method is builtins.String.pythonvalue or isinstance(simple, UnionType):
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


_TEXT_TYPE = builtins.String()
NO_MEMBERS: Mapping[str, tuple[str, ...]] = {}


def _simple(xsd_type: AnyValue) -> AnyValue:
    # zeep gives a union its first member's type (and drops anonymous members): 'OPEN' in a union
    # of xs:int and an enumeration would not parse. The XSD has checked the text, so it stays text.
    return _TEXT_TYPE if isinstance(xsd_type, UnionType) else xsd_type


def compile_element(
    element: AnyValue, depth: int = 0, optional: bool = False, members: Mapping[str, tuple[str, ...]] = NO_MEMBERS
) -> Node:
    """A plan for a zeep ``Element``; raises Unsupported for constructs the plan does not cover.
    ``optional``: the element sits in a choice or an optional group, so it may be absent.
    ``members``: substitution group head -> its members (Clark names); a member is read as its head
    (zeep reads none of them)."""
    if depth > _MAX_DEPTH:
        raise Unsupported("schema nested too deeply (recursive type?)")
    if not hasattr(element, "qname") or not hasattr(element, "type"):
        raise Unsupported(f"{type(element).__name__} (a group reference)")
    xsd_type = element.type
    node = Node(
        name=element.qname.localname, qname=str(element.qname),
        repeated=element.max_occurs == "unbounded" or element.max_occurs > 1,
        required=element.min_occurs > 0 and not optional, nillable=bool(element.nillable),
    )
    if isinstance(xsd_type, AnySimpleType):
        node.simple = _simple(xsd_type)
        node.convert = _converter(node.simple)
        return node
    if not isinstance(xsd_type, ComplexType) or getattr(xsd_type, "_array_type", None):
        raise Unsupported(f"{node.name}: type {type(xsd_type).__name__} (or a SOAP-encoded array)")
    node.attributes = tuple(
        Attr(name, str(a.qname), _simple(a.type), _converter(_simple(a.type)), bool(a.required))
        for name, a in attributes(xsd_type)
    )
    if simple_content(xsd_type):
        content = _simple(xsd_type._element.type)  # zeep keeps the base simple type as an element "_value_1"
        node.simple, node.convert = content, _converter(content)
    else:
        for _, item in xsd_type.elements_nested:
            _add_children(node, item, depth, False, members)
    node.names = frozenset(child.name for child in node.children) | {f"@{a.name}" for a in node.attributes}
    if node.simple is not None:
        node.names |= {TEXT}
    return node


def _add_children(node: Node, item: AnyValue, depth: int, optional: bool, members: Mapping[str, tuple[str, ...]]) -> None:
    """The elements of a sequence, all or choice occurring once (recursively) become ``node``'s children."""
    if isinstance(item, Any):
        node.open = True
        return
    if isinstance(item, Element):
        compiled = compile_element(item, depth + 1, optional, members)
        if compiled.qname in node.by_tag:
            raise Unsupported(f"{compiled.name} occurs twice in one content model")
        node.children.append(compiled)
        for tag in (compiled.qname, *members.get(compiled.qname, ())):
            node.by_tag[tag] = compiled
        return
    if not isinstance(item, Sequence | All | Choice) or item.max_occurs != 1:
        raise Unsupported(f"{node.name}: a repeated group or a group reference")
    for child in item:
        _add_children(node, child, depth, optional or isinstance(item, Choice) or item.min_occurs == 0, members)


def compile_or_none(element: AnyValue, members: Mapping[str, tuple[str, ...]] = NO_MEMBERS) -> Node | None:
    try:
        return compile_element(element, members=members)
    except Unsupported:
        return None


def read(element: etree._Element, node: Node, prefix: str = "", out: dict[str, AnyValue] | None = None) -> dict[str, AnyValue]:
    """A validated element -> {path: value}, the same shape as ``values.flatten`` of zeep's parse."""
    out = {} if out is None else out
    base = f"{prefix}/" if prefix else ""
    for attr in node.attributes:
        text = element.get(attr.key)
        out[f"{base}@{attr.name}"] = None if text is None else attr.convert(text)
    by_tag = node.by_tag
    seen: dict[str, int] = {}
    for child in element:
        tag = child.tag
        if type(tag) is not str:
            continue  # comments and processing instructions
        spec = by_tag.get(tag)
        if spec is None:
            if node.open:
                continue  # xs:any content: valid, and no path names it
            raise Unsupported(f"{tag} is not declared here")
        name = spec.name
        path = base + name
        n = seen[name] = seen.get(name, 0) + 1
        if spec.repeated:
            _read_one(child, spec, f"{path}[{n}]", out)
            if n > 1:
                continue  # the unindexed path names the first occurrence only
        # The common case, a leaf without xsi:nil or attributes, inline: most elements of a request are one.
        if spec.convert is not None and not spec.attributes and child.get(_XSI_NIL) is None:
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
        for attr in spec.attributes:
            text = child.get(attr.key)
            out[f"{path}/@{attr.name}"] = None if text is None else attr.convert(text)
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
        if node.simple is not None and not isinstance(item, dict):
            if node.attributes and any(a.required for a in node.attributes):
                raise ValueError(f"missing required attribute {node.name}/@{next(a.name for a in node.attributes if a.required)}")
            element.text = node.simple.xmlvalue(item)
            continue
        if not isinstance(item, dict):
            raise ValueError(f"{node.name} is a structure, got {item!r}")
        if unknown := item.keys() - node.names:
            raise ValueError(f"{node.name} has no element or attribute {sorted(unknown)[0]}")
        for attr in node.attributes:
            attribute = item.get(f"@{attr.name}")
            if attribute is not None:
                element.set(attr.key, attr.simple.xmlvalue(attribute))
            elif attr.required:
                raise ValueError(f"missing required attribute {node.name}/@{attr.name}")
        if node.simple is not None:
            if item.get(TEXT) is not None:
                element.text = node.simple.xmlvalue(item[TEXT])
            continue
        for child in node.children:
            write(element, child, item.get(child.name))
