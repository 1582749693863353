"""zeep's values and types <-> the mapping's paths, attributes and simple content included.

The path vocabulary (paths.py splits and indexes it):

- ``Loan/Amount``: elements by local name, from below the wrapper element; ``Item[2]/Code`` one
  occurrence of a repeated element (1-based); a choice's branch is addressed by its own element;
- ``Loan/@amount``: an attribute of ``Loan``; ``@reference``: an attribute of the wrapper itself;
- ``Score`` where ``Score`` has simple content (a value with attributes): its text, and
  ``Score/@scale`` its attribute;
- a bare body (document/literal bare whose part is one value element, ``<inDecimal>12</inDecimal>``):
  the element's own name, and ``@name`` for its attributes.

Content of ``xs:any`` and repeated groups (``<xs:sequence maxOccurs="unbounded">``) has no path.
In the nested form the writers take (``paths.nest``), an attribute is the key ``@name`` and the text
of an element that also has attributes is the key ``$``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from zeep.xsd.elements import Attribute, Element
from zeep.xsd.types.collection import ListType

_MAX_DEPTH = 16  # recursive schema types end here
NO_PREFIXES: Mapping[str, str] = MappingProxyType({})
TEXT = "$"


@dataclass(frozen=True)
class PathInfo:
    """What a path names: an element (``repeated`` if it may occur more than once), or an attribute."""

    kind: str
    """``element`` (a structure), ``value`` (an element with a value: simple type or simple content),
    or ``attribute``."""
    repeated: bool = False


def elements(xsd_type: Any) -> Iterator[tuple[str, Any]]:
    """The child elements of a zeep type (choice branches included), by name."""
    for name, child in getattr(xsd_type, "elements", None) or ():
        if isinstance(child, Element):
            yield name, child


def sibling_names(children: list[tuple[str, Any]], prefixes: Mapping[str, str]) -> list[str]:
    """The path names of one parent's children, given as (zeep's name, QName): the local name, or
    ``p:name`` where two children share a local name in different namespaces and the configuration
    gives namespace ``p`` (``namespaces``); else zeep's own name (``Amount__1`` for the second)."""
    count: dict[str, int] = {}
    for _, qname in children:
        count[qname.localname] = count.get(qname.localname, 0) + 1
    return [
        f"{prefixes[qname.namespace]}:{qname.localname}" if count[qname.localname] > 1 and qname.namespace in prefixes
        else name
        for name, qname in children
    ]


def attributes(xsd_type: Any) -> Iterator[tuple[str, Attribute]]:
    """The attributes of a zeep type, attribute groups expanded (``xs:anyAttribute`` left out)."""
    for name, attribute in getattr(xsd_type, "attributes", None) or ():
        if isinstance(attribute, Attribute) and not name.startswith("_"):
            yield name, attribute


def simple_content(xsd_type: Any) -> bool:
    """Whether a complex type is a value with attributes (``xs:simpleContent``)."""
    content = getattr(xsd_type, "_element", None)
    return isinstance(content, Element) and content.name == "_value_1" and not hasattr(content.type, "elements")


def is_list(xsd_type: Any) -> bool:
    """Whether a simple type is an ``xs:list``: its items are addressed like occurrences
    (``Tags[2]``; ``Tags`` is the first, ``Tags[*]`` every one in an expression)."""
    return isinstance(xsd_type, ListType)


def _is_value(xsd_type: Any) -> bool:
    return not hasattr(xsd_type, "elements") or simple_content(xsd_type)


Variants = Callable[[str, Any], Iterable[Any]]
"""(path, zeep ``Element``) -> the other types the element may have there (derived types, the
types of its substitution group's members): their elements have paths too."""


def _no_variants(path: str, element: Any) -> Iterable[Any]:
    return ()


def named_elements(xsd_type: Any, prefixes: Mapping[str, str]) -> list[tuple[str, str, Any]]:
    """(path name, zeep's name, element) of each child element of a zeep type (sibling_names)."""
    found = list(elements(xsd_type))
    names = sibling_names([(name, child.qname) for name, child in found], prefixes)
    return [(path_name, name, child) for path_name, (name, child) in zip(names, found, strict=True)]


def known_paths(
    xsd_type: Any, prefix: str = "", depth: int = 0, variants: Variants = _no_variants, prefixes: Mapping[str, str] = NO_PREFIXES
) -> dict[str, PathInfo]:
    """Every path below a zeep type (without indexes), and what it names."""
    out: dict[str, PathInfo] = {}
    if depth > _MAX_DEPTH:
        return out
    base = f"{prefix}/" if prefix else ""
    for name, _ in attributes(xsd_type):
        out[f"{base}@{name}"] = PathInfo("attribute")
    for name, _, child in named_elements(xsd_type, prefixes):
        path = base + name
        repeated = child.max_occurs == "unbounded" or child.max_occurs > 1 or is_list(child.type)
        out[path] = PathInfo("value" if _is_value(child.type) else "element", repeated)
        for each in (child.type, *variants(path, child)):
            out.update({k: v for k, v in known_paths(each, path, depth + 1, variants, prefixes).items() if k not in out})
    return out


def bare_value(element: Any) -> bool:
    """Whether a message body is one value element (document/literal bare, the part's element of a
    simple type or simple content): it has no wrapper, so its path is its own name."""
    return element is not None and _is_value(element.type)


def body_paths(element: Any, variants: Variants = _no_variants, prefixes: Mapping[str, str] = NO_PREFIXES) -> dict[str, PathInfo]:
    """Every path of a message body (zeep ``Element``): below its wrapper, or a bare value's own."""
    if not bare_value(element):
        return known_paths(element.type, variants=variants, prefixes=prefixes)
    return {element.qname.localname: PathInfo("value"), **{f"@{name}": PathInfo("attribute") for name, _ in attributes(element.type)}}


def flatten_body(value: Any, element: Any, prefixes: Mapping[str, str] = NO_PREFIXES) -> dict[str, Any]:
    """zeep's parse of a message body (serialized to dicts) -> {path: leaf value}."""
    if not bare_value(element):
        return flatten(value, element.type, prefixes=prefixes)
    name = element.qname.localname
    if not isinstance(value, Mapping):
        return {name: value}
    return {name: value.get("_value_1"), **{f"@{attr}": value.get(attr) for attr, _ in attributes(element.type)}}


def bare_item(element_name: str, nested: Mapping[str, Any]) -> Any:
    """The value a bare body element is written from: ``nested[name]``, with the ``@`` keys beside it
    as its attributes (then the name's value is its text)."""
    attrs = {key: value for key, value in nested.items() if key.startswith("@")}
    return {TEXT: nested.get(element_name), **attrs} if attrs else nested.get(element_name)


def serialize_args(element: Any, nested: Mapping[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of zeep's ``output.serialize`` for a body of nested values: keywords for a
    wrapper, the value itself for a bare simple-typed element."""
    if not bare_value(element):
        return (), to_zeep(dict(nested))
    item = bare_item(element.qname.localname, nested)
    if simple_content(element.type):
        return (), to_zeep(item if isinstance(item, dict) else {TEXT: item})
    return (item,), {}


def flatten(
    value: Any, xsd_type: Any, prefix: str = "", out: dict[str, Any] | None = None, prefixes: Mapping[str, str] = NO_PREFIXES
) -> dict[str, Any]:
    """zeep's ``serialize_object(..., dict)`` of a value of ``xsd_type`` -> {path: leaf value}.

    A repeated element gives ``A[1]``, ``A[2]``, ... and ``A`` (its first occurrence, as XPath's
    string value is); an absent element or attribute gives None.
    """
    out = {} if out is None else out
    if not isinstance(value, Mapping):
        out[prefix] = value
        return out
    base = f"{prefix}/" if prefix else ""
    if simple_content(xsd_type):
        out[prefix] = value.get("_value_1")
    for name, _ in attributes(xsd_type):
        out[f"{base}@{name}"] = value.get(name)
    for path_name, name, child in named_elements(xsd_type, prefixes):
        item = value.get(name)
        path = base + path_name
        if isinstance(item, list):
            for n, each in enumerate(item, 1):
                flatten(each, child.type, f"{path}[{n}]", out, prefixes)
                if n == 1:
                    flatten(each, child.type, path, out, prefixes)
        elif item is None:
            if not (child.max_occurs == "unbounded" or child.max_occurs > 1):
                out[path] = None
        else:
            flatten(item, child.type, path, out, prefixes)
    return out


def to_zeep(value: Any) -> Any:
    """The nested form of paths.nest -> the keyword form zeep's serializers take
    (``@name`` -> ``name``, ``$`` -> ``_value_1``)."""
    if isinstance(value, dict):
        return {("_value_1" if k == TEXT else k.removeprefix("@")): to_zeep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_zeep(v) for v in value]
    return value
