"""The XML message format: paths are element local names below the root, ``@name`` for attributes.

``<LoanRequest id="7"><Applicant><Income>58000</Income></Applicant></LoanRequest>`` reads as
``{"@id": "7", "Applicant/Income": "58000"}``. Namespaces are ignored when reading (legacy
producers disagree about prefixes and default namespaces far more than about local names); replies
are written in the configured namespace. A path that repeats (``Reasons/Reason``) reads as a list,
and a list value writes repeated elements. ``xsi:nil="true"`` reads as missing.

Requests are parsed by :func:`scoregate.adapters.xmlsafe.parse_untrusted`: size limit first, then
no DTD, no entities, no external references. Every failure is ``InvalidInput`` / ``MALFORMED``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from lxml import etree
from pydantic import Field

from scoregate.adapters.codecs.base import FormatOptions, malformed
from scoregate.adapters.xmlsafe import DEFAULT_MAX_BYTES, parse_untrusted

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_ACCEPTED = ("application/xml", "text/xml")


class XmlOptions(FormatOptions):
    request_root: str | None = None
    """Local name the request's root element must have; None accepts any root."""
    response_root: str = "ScoreResponse"
    """Root element of a result reply."""
    error_root: str = "ScoreError"
    """Root element of an error reply."""
    namespace: str | None = None
    """Namespace URI of the reply elements (as the default namespace); None for none."""
    encoding: str = "utf-8"
    """Encoding of replies (written in the XML declaration); requests declare their own."""
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0)
    """Largest request accepted; bigger ones are answered MALFORMED before parsing."""


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else f"{value:.1f}"
    return str(value)


def _add(out: dict[str, Any], path: str, value: Any) -> None:
    if path in out:
        previous = out[path]
        out[path] = [*previous, value] if isinstance(previous, list) else [previous, value]
    else:
        out[path] = value


def _flatten(element: etree._Element, prefix: str, out: dict[str, Any]) -> None:
    for name, value in element.attrib.items():
        if name != XSI_NIL:
            _add(out, f"{prefix}@{_local(name)}", value)
    # Comments are stripped by the parser; processing instructions have a non-string tag.
    children = [c for c in element if isinstance(c.tag, str)]
    for child in children:
        path = f"{prefix}{_local(child.tag)}"
        if child.get(XSI_NIL) in ("true", "1"):
            _add(out, path, None)
        elif any(isinstance(c.tag, str) for c in child):
            _flatten(child, f"{path}/", out)
        else:
            for name, value in child.attrib.items():
                _add(out, f"{path}/@{_local(name)}", value)
            _add(out, path, child.text or "")


class XmlFormat:
    """bytes <-> ``{Element/Path: value}``; see the module docstring."""

    format_name: ClassVar[str] = "xml"
    Options: ClassVar[type[FormatOptions]] = XmlOptions

    def __init__(self, options: XmlOptions | None = None) -> None:
        self.options = options or XmlOptions()
        self.content_type = "application/xml"
        self.content_encoding = self.options.encoding

    def accepts(self, content_type: str) -> bool:
        base = content_type.split(";")[0].strip().lower()
        return base in _ACCEPTED or base.endswith("+xml")

    def read(self, payload: bytes) -> dict[str, Any]:
        root = parse_untrusted(payload, self.options.max_bytes)
        expected = self.options.request_root
        if expected and _local(root.tag) != expected:
            raise malformed(f"root element is {_local(root.tag)!r}, expected {expected!r}", _local(root.tag))
        out: dict[str, Any] = {}
        _flatten(root, "", out)
        return out

    def _tag(self, name: str) -> str:
        return f"{{{self.options.namespace}}}{name}" if self.options.namespace else name

    def write(self, values: Mapping[str, Any], *, error: bool = False) -> bytes:
        nsmap = {None: self.options.namespace} if self.options.namespace else None
        root = etree.Element(self._tag(self.options.error_root if error else self.options.response_root), nsmap=nsmap)
        for path, value in values.items():
            if value is None:
                continue
            *parents, leaf = path.split("/")
            node = root
            for part in parents:
                found = node.find(self._tag(part))
                node = found if found is not None else etree.SubElement(node, self._tag(part))
            if leaf.startswith("@"):
                node.set(leaf[1:], _text(value))
                continue
            if not isinstance(value, list | tuple):
                # An element made earlier as the parent of an attribute (Model/@version) gets the text.
                found = node.find(self._tag(leaf))
                if found is not None and found.text is None and len(found) == 0:
                    found.text = _text(value)
                    continue
            for item in value if isinstance(value, list | tuple) else [value]:
                etree.SubElement(node, self._tag(leaf)).text = _text(item)
        return etree.tostring(root, xml_declaration=True, encoding=self.options.encoding)

    def check_targets(self, paths: list[str], *, error: bool = False) -> None:
        for path in paths:
            parts = path.split("/")
            if any(not p for p in parts):
                raise ValueError(f"XML path {path!r} has an empty step")
            for part in parts[:-1]:
                if part.startswith("@"):
                    raise ValueError(f"XML path {path!r}: an attribute can only be the last step")
            for part in parts:
                name = part.removeprefix("@")
                try:
                    etree.QName(name)
                except ValueError:
                    raise ValueError(f"XML path {path!r}: {name!r} is not an XML name") from None
