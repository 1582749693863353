"""zeep's values and types <-> the mapping's paths, attributes and simple content included.

The path vocabulary (paths.py splits and indexes it):

- ``Loan/Amount``: elements by local name, from below the wrapper element; ``Item[2]/Code`` one
  occurrence of a repeated element (1-based); a choice's branch is addressed by its own element;
- ``Loan/@amount``: an attribute of ``Loan``; ``@reference``: an attribute of the wrapper itself;
- ``Score`` where ``Score`` has simple content (a value with attributes): its text, and
  ``Score/@scale`` its attribute.

Content of ``xs:any`` and repeated groups (``<xs:sequence maxOccurs="unbounded">``) has no path.
In the nested form the writers take (``paths.nest``), an attribute is the key ``@name`` and the text
of an element that also has attributes is the key ``$``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from zeep.xsd.elements import Attribute, Element

_MAX_DEPTH = 16  # recursive schema types end here
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


def attributes(xsd_type: Any) -> Iterator[tuple[str, Attribute]]:
    """The attributes of a zeep type, attribute groups expanded (``xs:anyAttribute`` left out)."""
    for name, attribute in getattr(xsd_type, "attributes", None) or ():
        if isinstance(attribute, Attribute) and not name.startswith("_"):
            yield name, attribute


def simple_content(xsd_type: Any) -> bool:
    """Whether a complex type is a value with attributes (``xs:simpleContent``)."""
    content = getattr(xsd_type, "_element", None)
    return isinstance(content, Element) and content.name == "_value_1" and not hasattr(content.type, "elements")


def _is_value(xsd_type: Any) -> bool:
    return not hasattr(xsd_type, "elements") or simple_content(xsd_type)


def known_paths(xsd_type: Any, prefix: str = "", depth: int = 0) -> dict[str, PathInfo]:
    """Every path below a zeep type (without indexes), and what it names."""
    out: dict[str, PathInfo] = {}
    if depth > _MAX_DEPTH:
        return out
    base = f"{prefix}/" if prefix else ""
    for name, _ in attributes(xsd_type):
        out[f"{base}@{name}"] = PathInfo("attribute")
    for name, child in elements(xsd_type):
        path = base + name
        repeated = child.max_occurs == "unbounded" or child.max_occurs > 1
        out[path] = PathInfo("value" if _is_value(child.type) else "element", repeated)
        out.update(known_paths(child.type, path, depth + 1))
    return out


def flatten(value: Any, xsd_type: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
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
    for name, child in elements(xsd_type):
        item = value.get(name)
        path = base + name
        if isinstance(item, list):
            for n, each in enumerate(item, 1):
                flatten(each, child.type, f"{path}[{n}]", out)
                if n == 1:
                    flatten(each, child.type, path, out)
        elif item is None:
            if not (child.max_occurs == "unbounded" or child.max_occurs > 1):
                out[path] = None
        else:
            flatten(item, child.type, path, out)
    return out


def to_zeep(value: Any) -> Any:
    """The nested form of paths.nest -> the keyword form zeep's serializers take
    (``@name`` -> ``name``, ``$`` -> ``_value_1``)."""
    if isinstance(value, dict):
        return {("_value_1" if k == TEXT else k.removeprefix("@")): to_zeep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_zeep(v) for v in value]
    return value
