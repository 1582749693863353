"""Read and write plans compiled once per operation from zeep's XSD objects (plan_io.py uses them).

zeep's generic ``body.parse`` and ``output.serialize`` build and check value objects for every
element on every request: about four fifths of the adapter's CPU, and five times a hand-written
lxml handler (bench/soap_bench.py). The body has already passed the XSD, so it needs no second
check: a plan walks zeep's element tree once (qualified names, occurrences, attributes, the simple
type of each value) and then reads or writes lxml elements directly, converting values with zeep's
own ``pythonvalue`` / ``xmlvalue``. Plans cover sequences, ``all``, choices occurring once (a branch
is an optional child), attributes and attribute groups, simple content, ``xs:any`` (skipped
when reading), substitution group members (by their head's name, with their own type's elements)
and ``xsi:type`` of a derived type (its elements too; written where ``types`` names it). What they
do not cover (a repeated group, a group reference) makes them decline, and the codec uses zeep's
generic path;
tests/adapters/soap/test_soap_plan.py pins that both paths give the same result. Leaf values
convert in leaves.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import copy
from dataclasses import dataclass, field, replace
from typing import Any as AnyValue

from lxml import etree
from zeep.xsd.elements import Any, Element
from zeep.xsd.elements.indicators import All, Choice, Sequence
from zeep.xsd.types.complex import ComplexType
from zeep.xsd.types.simple import AnySimpleType

from scoregate.adapters.soap.leaves import converter as _converter
from scoregate.adapters.soap.leaves import simple as _simple
from scoregate.adapters.soap.paths import TEXT
from scoregate.adapters.soap.values import attributes, is_list, sibling_names, simple_content

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_MAX_DEPTH = 16


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
    listed: bool = False
    """An ``xs:list`` value: read as its items (``P[n]``, ``P`` the first), as zeep's values are flattened."""
    children: list[Node] = field(default_factory=list)
    by_tag: dict[str, Node] = field(default_factory=dict)
    names: frozenset[str] = frozenset()
    """The children's names and ``@attribute`` names (what a value written for this element may hold)."""
    attributes: tuple[Attr, ...] = ()
    open: bool = False
    """Declares ``xs:any``: undeclared children are skipped when reading."""
    abstract: str = ""
    """The name of the element's abstract type: it is written only as a derived type (``xsi_type``)."""
    xsi_type: tuple[str, str] | None = None
    """(namespace, name) of the derived type written as ``xsi:type`` (``types`` in the configuration)."""
    variants: dict[str, Node] = field(default_factory=dict)
    """Plans of this element as each derived type a request names in ``xsi:type``, compiled on first use."""
    source: AnyValue = None
    """zeep's ``Element`` this plan was compiled from, with the facts and depth: for its variants."""


@dataclass(frozen=True)
class Facts:
    """What a plan needs from the schemas beyond one declaration (documents.py reads them)."""

    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Substitution group head -> its members (Clark names): read by the head's name."""
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Complex type -> the types extending it (Clark names): what ``xsi:type`` may name."""
    abstract: frozenset[str] = frozenset()
    """Abstract complex types (Clark names)."""
    schema: AnyValue = None
    """zeep's ``Schema``, to find a member's or a derived type's declaration."""
    prefixes: Mapping[str, str] = field(default_factory=dict)
    """Namespace -> the configuration's prefix for it: names children that share a local name."""


NO_FACTS = Facts()


def as_type(element: AnyValue, xsd_type: AnyValue) -> AnyValue:
    """zeep's ``element`` declared with another type (a derived type it may take by ``xsi:type``)."""
    clone = copy(element)
    clone.type = xsd_type
    return clone


def compile_element(element: AnyValue, depth: int = 0, optional: bool = False, facts: Facts = NO_FACTS) -> Node:
    """A plan for a zeep ``Element``; raises Unsupported for constructs the plan does not cover.
    ``optional``: the element sits in a choice or an optional group, so it may be absent."""
    if depth > _MAX_DEPTH:
        raise Unsupported("schema nested too deeply (recursive type?)")
    if not hasattr(element, "qname") or not hasattr(element, "type"):
        raise Unsupported(f"{type(element).__name__} (a group reference)")
    xsd_type = element.type
    node = Node(
        name=element.qname.localname, qname=str(element.qname),
        repeated=element.max_occurs == "unbounded" or element.max_occurs > 1,
        required=element.min_occurs > 0 and not optional, nillable=bool(element.nillable), source=(element, facts, depth),
    )
    if isinstance(xsd_type, AnySimpleType):
        node.simple = _simple(xsd_type)
        node.convert = _converter(node.simple)
        node.listed = is_list(xsd_type) and not node.repeated
        return node
    if not isinstance(xsd_type, ComplexType) or getattr(xsd_type, "_array_type", None):
        raise Unsupported(f"{node.name}: type {type(xsd_type).__name__} (or a SOAP-encoded array)")
    if (type_name := str(getattr(xsd_type, "qname", "") or "")) in facts.abstract:
        node.abstract = etree.QName(type_name).localname
    node.attributes = tuple(
        Attr(name, str(a.qname), _simple(a.type), _converter(_simple(a.type)), bool(a.required))
        for name, a in attributes(xsd_type)
    )
    if simple_content(xsd_type):
        content = _simple(xsd_type._element.type)  # zeep keeps the base simple type as an element "_value_1"
        node.simple, node.convert = content, _converter(content)
    else:
        for _, item in xsd_type.elements_nested:
            _add_children(node, item, depth, False, facts)
        qualified = sibling_names([(c.name, etree.QName(c.qname)) for c in node.children], facts.prefixes)
        if len(set(qualified)) < len(qualified):
            raise Unsupported(f"{node.name}: one child name in two namespaces, without prefixes in 'namespaces'")
        for child, name in zip(node.children, qualified, strict=True):
            child.name = name
    node.names = frozenset(child.name for child in node.children) | {f"@{a.name}" for a in node.attributes}
    if node.simple is not None:
        node.names |= {TEXT}
    return node


def _add_children(node: Node, item: AnyValue, depth: int, optional: bool, facts: Facts) -> None:
    """The elements of a sequence, all or choice occurring once (recursively) become ``node``'s children."""
    if isinstance(item, Any):
        node.open = True
        return
    if isinstance(item, Element):
        compiled = compile_element(item, depth + 1, optional, facts)
        if compiled.qname in node.by_tag:
            raise Unsupported(f"{compiled.name} occurs twice in one content model")
        node.children.append(compiled)
        node.by_tag[compiled.qname] = compiled
        for member in facts.members.get(compiled.qname, ()):
            # A member is read by its head's name; one of another type has that type's children.
            declared = facts.schema.get_element(member) if facts.schema is not None else None
            same = declared is None or declared.type is item.type
            node.by_tag[member] = compiled if same else replace(
                compile_element(as_type(item, declared.type), depth + 1, optional, facts), qname=member)
        return
    if not isinstance(item, Sequence | All | Choice) or item.max_occurs != 1:
        raise Unsupported(f"{node.name}: a repeated group or a group reference")
    for child in item:
        _add_children(node, child, depth, optional or isinstance(item, Choice) or item.min_occurs == 0, facts)


def compile_or_none(element: AnyValue, facts: Facts = NO_FACTS) -> Node | None:
    try:
        return compile_element(element, facts=facts)
    except Unsupported:
        return None


def variant(node: Node, type_name: str) -> Node:
    """``node`` as the derived type ``type_name`` (Clark), for an ``xsi:type``; Unsupported if not one."""
    if type_name not in node.variants:
        element, facts, depth = node.source
        declared = str(getattr(element.type, "qname", ""))
        if type_name == declared:
            return node
        if facts.schema is None or type_name not in facts.derived.get(declared, ()):
            raise Unsupported(f"xsi:type {type_name} on {node.name} is no type derived from {declared}")
        node.variants[type_name] = compile_element(as_type(element, facts.schema.get_type(type_name)), depth, not node.required, facts)
    return node.variants[type_name]


def with_type(node: Node, path: tuple[str, ...], type_name: str) -> Node:
    """A copy of ``node`` whose descendant at ``path`` (child names) is written as the derived type
    ``type_name`` (Clark), with ``xsi:type``; the plans it shares with others stay as they are."""
    if not path:
        typed = replace(variant(node, type_name))
        typed.xsi_type = (etree.QName(type_name).namespace or "", etree.QName(type_name).localname)
        return typed
    child = next((c for c in node.children if c.name == path[0]), None)
    if child is None:
        raise ValueError(f"{node.name} has no element {path[0]}")
    new = with_type(child, path[1:], type_name)
    return replace(node, children=[new if c is child else c for c in node.children],
                   by_tag={tag: new if n is child else n for tag, n in node.by_tag.items()})
