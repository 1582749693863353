"""Reading and writing lxml elements with a compiled plan (plan.py): a validated body ->
{path: value} without zeep's value objects, and nested values -> the output body."""

from __future__ import annotations

from typing import Any as AnyValue

from lxml import etree

from scoregate.adapters.soap.paths import TEXT
from scoregate.adapters.soap.plan import XSI_NIL as _XSI_NIL
from scoregate.adapters.soap.plan import XSI_TYPE as _XSI_TYPE
from scoregate.adapters.soap.plan import Node, Unsupported, variant
from scoregate.adapters.soap.values import bare_item


def read_body(element: etree._Element, node: Node) -> dict[str, AnyValue]:
    """A validated message body -> {path: value}: below the wrapper, or a bare value by its own name."""
    if node.simple is None:
        return read(element, node)
    out: dict[str, AnyValue] = {}
    _read_one(element, node, node.name, out)
    return {(key.removeprefix(f"{node.name}/") if "/@" in key else key): value for key, value in out.items()}


def write_body(parent: etree._Element, node: Node, nested: dict[str, AnyValue]) -> None:
    """Append the message body for ``nested`` (the wrapper's values, or a bare value's, values.bare_item)."""
    write(parent, node, bare_item(node.name, nested) if node.simple is not None else nested)


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
        # (An element without attributes has no xsi:nil: keys() answers that at a third of get's cost.)
        if spec.convert is not None and not spec.attributes and not spec.listed and (not child.keys() or child.get(_XSI_NIL) is None):
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
    elif spec.listed:
        items = [] if child.text is None else spec.convert(child.text)
        out.update({f"{path}[{n}]": item for n, item in enumerate(items, 1)})
        if items:
            out[path] = items[0]
    elif spec.convert is not None:
        out[path] = None if child.text is None else spec.convert(child.text)
        for attr in spec.attributes:
            text = child.get(attr.key)
            out[f"{path}/@{attr.name}"] = None if text is None else attr.convert(text)
    elif (named := child.get(_XSI_TYPE)) is not None:
        prefix, _, local = named.strip().rpartition(":")
        read(child, variant(spec, f"{{{child.nsmap.get(prefix or None, '')}}}{local}"), path, out)
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
    if node.abstract and not node.xsi_type:
        raise ValueError(f"{node.name} is of the abstract type {node.abstract}: choose the type it is written as in 'types'")
    for item in value if isinstance(value, list) and node.repeated else [value]:
        element = etree.SubElement(parent, node.qname, nsmap={"t": node.xsi_type[0]} if node.xsi_type else None)
        if node.xsi_type:
            element.set(_XSI_TYPE, f"t:{node.xsi_type[1]}" if node.xsi_type[0] else node.xsi_type[1])
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
