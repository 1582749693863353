"""The XSD validator: one lxml ``XMLSchema`` built from the WSDL's own schemas.

zeep parses but does not validate (an unknown enum passes, a bad date becomes None), so every body
is checked here first. The WSDL's inline schemas become standalone documents behind one wrapper
schema; their imports resolve to local files through :class:`LocalDocuments`.

rpc/literal bodies have no schema element of their own (the operation element and its part
accessors come from the WSDL messages), so their declarations are written here from the message
parts and added to the schema of the operation's namespace.
"""

from __future__ import annotations

import logging
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

log = logging.getLogger(__name__)

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
_INLINE = "scoregate-inline-{}.xsd"
_XS = f"{{{XSD_NS}}}"


class SchemaError(ValueError):
    """The WSDL's schemas do not compile."""


class _SchemaResolver(etree.Resolver):
    def __init__(self, inline: dict[str, bytes], documents) -> None:  # noqa: ANN001 (contract.LocalDocuments)
        super().__init__()
        self.inline = inline
        self.documents = documents

    def resolve(self, url, pubid, context):  # noqa: ANN001, ANN201 (lxml's signature)
        name = url.rsplit("/", 1)[-1]
        if name in self.inline:
            return self.resolve_string(self.inline[name], context, base_url=str(self.documents.base / name))
        if "?" in url or url.startswith(("http:", "https:")):
            return self.resolve_filename(str(self.documents.resolve(url)), context)
        return None  # a plain local file: libxml2 reads it (its parser has no network access)


@dataclass
class RpcDeclaration:
    """An rpc operation element's declaration, and the QName values still to be written with the
    prefixes of the schema it goes into: (element, attribute, Clark name)."""

    element: etree._Element
    refs: list[tuple[etree._Element, str, str]]


def rpc_declaration(body_qname: str, parts: dict) -> RpcDeclaration | None:
    """``<xs:element>`` for an rpc/literal operation element from its message parts (zeep
    ``MessagePart``s); None if a part cannot be expressed (no named type or element)."""
    local = etree.QName(body_qname).localname
    element = etree.Element(f"{_XS}element", name=local)
    sequence = etree.SubElement(etree.SubElement(element, f"{_XS}complexType"), f"{_XS}sequence")
    refs: list[tuple[etree._Element, str, str]] = []
    for name, part in parts.items():
        if part.element is not None:
            item = etree.SubElement(sequence, f"{_XS}element")
            refs.append((item, "ref", str(part.element.qname)))
        elif getattr(part.type, "qname", None) is not None:
            # Part accessors are unqualified (WS-I BP R2735), which local declarations are by default.
            item = etree.SubElement(sequence, f"{_XS}element", name=name)
            refs.append((item, "type", str(part.type.qname)))
        else:
            return None
    return RpcDeclaration(element, refs)


def _qname_value(schema: etree._Element, clark: str, extra: dict[str, str]) -> str:
    qname = etree.QName(clark)
    for prefix, uri in {**schema.nsmap, **extra}.items():
        if uri == qname.namespace and prefix:
            return f"{prefix}:{qname.localname}"
    prefix = f"p{len(extra)}"
    extra[prefix] = qname.namespace
    return f"{prefix}:{qname.localname}"


def _inline_schemas(root: etree._Element, rpc: dict[str, list[RpcDeclaration]]) -> list[bytes]:
    """Each ``wsdl:types/xs:schema`` as a standalone document, plus one per rpc namespace without one.

    The schemas use prefixes declared on ``wsdl:definitions`` (``type="tns:X"``), so those
    declarations are copied onto each schema root; imports of a sibling inline schema's namespace
    get a location, since libxml2 cannot find it by namespace alone.
    """
    found = list(root.findall(f"{{{WSDL_NS}}}types/{_XS}schema"))
    known = {s.get("targetNamespace", "") for s in found}
    for ns in rpc:
        if ns not in known:
            found.append(etree.Element(f"{_XS}schema", targetNamespace=ns))
    names = {s.get("targetNamespace", ""): _INLINE.format(i) for i, s in enumerate(found)}
    out = []
    for schema in found:
        tns = schema.get("targetNamespace", "")
        declarations = rpc.get(tns, [])
        extra: dict[str, str] = {}
        values = [[_qname_value(schema, clark, extra) for _, _, clark in decl.refs] for decl in declarations]
        copy = etree.Element(schema.tag, attrib=dict(schema.attrib), nsmap={**root.nsmap, **schema.nsmap, **extra})
        copy.extend(deepcopy(child) for child in schema)
        present = {el.get("name") for el in copy.findall(f"{_XS}element")}
        for decl, decl_values in zip(declarations, values, strict=True):
            name = decl.element.get("name")
            if name in present:
                log.warning("rpc operation %s clashes with a schema element: body not XSD-checked", name)
                continue
            for (item, attribute, _), value in zip(decl.refs, decl_values, strict=True):
                item.set(attribute, value)
            copy.append(decl.element)
        referenced = {etree.QName(c).namespace for d in declarations for _, _, c in d.refs} - {tns, XSD_NS}
        have = {imp.get("namespace", "") for imp in copy.findall(f"{_XS}import")}
        for ns in sorted(referenced - have):
            copy.insert(0, etree.Element(f"{_XS}import", namespace=ns))
        for imp in copy.findall(f"{_XS}import"):
            if imp.get("schemaLocation") is None and imp.get("namespace", "") in names:
                imp.set("schemaLocation", names[imp.get("namespace", "")])
        out.append(etree.tostring(copy))
    return out


def build_validator(wsdl: Path, documents, rpc: dict[str, list[RpcDeclaration]] | None = None) -> etree.XMLSchema:  # noqa: ANN001
    """One XMLSchema importing every inline schema of the WSDL (and, through them, their imports)."""
    root = etree.parse(str(wsdl), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    inline = {_INLINE.format(i): data for i, data in enumerate(_inline_schemas(root, rpc or {}))}
    imports = "".join(
        f'<xs:import namespace="{etree.fromstring(data).get("targetNamespace", "")}" schemaLocation="{name}"/>'
        for name, data in inline.items()
    )
    wrapper = f'<xs:schema xmlns:xs="{XSD_NS}">{imports}</xs:schema>'.encode()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(_SchemaResolver(inline, documents))
    try:
        doc = etree.fromstring(wrapper, parser, base_url=str(documents.base / "scoregate-wrapper.xsd"))
        return etree.XMLSchema(doc)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise SchemaError(f"the WSDL's schemas do not compile: {exc}") from None
