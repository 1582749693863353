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

from scoregate.adapters.soap.documents import WSDL_NS, XSD_NS, folder_of, wsdl_documents

log = logging.getLogger(__name__)

_INLINE = "scoregate-inline-{}.xsd"
_SHARED = "scoregate-namespace-{}.xsd"
_WRAPPER = "scoregate-wrapper.xsd"
_GENERATED = "scoregate-"
_XS = f"{{{XSD_NS}}}"


class SchemaError(ValueError):
    """The WSDL's schemas do not compile."""


class _SchemaResolver(etree.Resolver):
    def __init__(self, inline: dict[str, bytes], documents) -> None:  # noqa: ANN001 (contract.LocalDocuments)
        super().__init__()
        self.inline = inline
        self.documents = documents

    def resolve(self, url, pubid, context):  # noqa: ANN001, ANN201 (lxml's signature)
        path = url[len("file://"):] if url.startswith("file://") else url
        if path in self.inline:
            return self.resolve_string(self.inline[path], context, base_url=path)
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


@dataclass
class _Inline:
    """One ``wsdl:types/xs:schema``, with the folder of the WSDL it sits in (its relative
    schemaLocations resolve there) and the file name it is given for libxml2."""

    schema: etree._Element
    folder: Path
    name: str = ""


def _wsdl_schemas(wsdl: Path, documents) -> tuple[list[_Inline], list[Path]]:  # noqa: ANN001 (documents.LocalDocuments)
    """Every inline schema of the WSDL and of the WSDLs it imports (``wsdl:import``), and the XSD
    files a ``wsdl:import`` names directly (some tools import a schema that way)."""
    inline: list[_Inline] = []
    external: list[Path] = []
    for reached in wsdl_documents(wsdl, documents):
        if reached.root.tag == f"{_XS}schema":
            external.append(reached.file)
        else:
            folder = folder_of(reached.location, reached.file)
            inline += [_Inline(s, folder) for s in reached.root.findall(f"{{{WSDL_NS}}}types/{_XS}schema")]
    return inline, external


def _standalone(found: list[_Inline], rpc: dict[str, list[RpcDeclaration]], wsdl_dir: Path) -> dict[str, bytes]:
    """Each inline schema as a standalone document (by file path), plus one per rpc namespace
    without one, plus one per namespace that several inline schemas share (including them all).

    An inline schema uses prefixes declared on ``wsdl:definitions`` (``type="tns:X"``), so every
    namespace in scope is declared on its copy's root; an import of a sibling inline schema's
    namespace gets that sibling's location, since libxml2 cannot find it by namespace alone.
    """
    known = {i.schema.get("targetNamespace", "") for i in found}
    found = found + [_Inline(etree.Element(f"{_XS}schema", targetNamespace=ns), wsdl_dir) for ns in rpc if ns not in known]
    by_ns: dict[str, list[_Inline]] = {}
    for n, item in enumerate(found):
        item.name = str(item.folder / _INLINE.format(n))
        by_ns.setdefault(item.schema.get("targetNamespace", ""), []).append(item)
    out: dict[str, bytes] = {}
    location: dict[str, str] = {}
    for n, (ns, items) in enumerate(by_ns.items()):
        if len(items) == 1:
            location[ns] = items[0].name
            continue
        # libxml2 imports a namespace once: one document including every schema of that namespace.
        location[ns] = str(wsdl_dir / _SHARED.format(n))
        includes = "".join(f'<xs:include schemaLocation="{i.name}"/>' for i in items)
        tns = f' targetNamespace="{ns}"' if ns else ""
        out[location[ns]] = f'<xs:schema xmlns:xs="{XSD_NS}"{tns}>{includes}</xs:schema>'.encode()
    for ns, items in by_ns.items():
        declarations = rpc.get(ns, [])
        for item in items:
            out[item.name] = _copy(item.schema, declarations, location)
            declarations = []  # into the first schema of the namespace only
    wrapper = "".join(
        f'<xs:include schemaLocation="{location[ns]}"/>' if not ns else f'<xs:import namespace="{ns}" schemaLocation="{location[ns]}"/>'
        for ns in by_ns
    )
    out[str(wsdl_dir / _WRAPPER)] = f'<xs:schema xmlns:xs="{XSD_NS}">{wrapper}</xs:schema>'.encode()
    return out


def _copy(schema: etree._Element, declarations: list[RpcDeclaration], location: dict[str, str]) -> bytes:
    tns = schema.get("targetNamespace", "")
    extra: dict[str, str] = {}
    values = [[_qname_value(schema, clark, extra) for _, _, clark in decl.refs] for decl in declarations]
    copy = etree.Element(schema.tag, attrib=dict(schema.attrib), nsmap={**schema.nsmap, **extra})
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
        if imp.get("schemaLocation") is None and imp.get("namespace", "") in location:
            imp.set("schemaLocation", location[imp.get("namespace", "")])
    return etree.tostring(copy)


def build_validator(wsdl: Path, documents, rpc: dict[str, list[RpcDeclaration]] | None = None) -> etree.XMLSchema:  # noqa: ANN001
    """One XMLSchema over every schema of the contract: a wrapper that includes the namespace-less
    inline schemas (a no-namespace document can only be included, not imported) and imports the
    others; external XSDs come in through their imports and includes."""
    inline, external = _wsdl_schemas(wsdl, documents)
    wsdl_dir = wsdl.resolve().parent
    generated = _standalone(inline, rpc or {}, wsdl_dir)
    wrapper = etree.fromstring(generated.pop(str(wsdl_dir / _WRAPPER)))
    for path in external:
        ns = etree.parse(str(path)).getroot().get("targetNamespace", "")
        tag = "import" if ns else "include"
        wrapper.append(etree.Element(f"{_XS}{tag}", schemaLocation=str(path), **({"namespace": ns} if ns else {})))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(_SchemaResolver(generated, documents))
    try:
        doc = etree.fromstring(etree.tostring(wrapper), parser, base_url=str(wsdl_dir / _WRAPPER))
        return etree.XMLSchema(doc)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise SchemaError(f"the WSDL's schemas do not compile: {_where(exc, wsdl_dir)}") from None


def _where(exc: etree.LxmlError, wsdl_dir: Path) -> str:
    """libxml2's first error, with the file (relative to the WSDL) and line it is in."""
    entry = exc.error_log[0] if len(exc.error_log) else None
    message = " ".join((entry.message if entry is not None else str(exc)).split())
    if entry is None or not entry.filename:
        return message
    name = Path(entry.filename.removeprefix("file://"))
    if name.name.startswith(_GENERATED):
        name = Path("the WSDL's inline schema")
    elif name.is_relative_to(wsdl_dir):
        name = name.relative_to(wsdl_dir)
    return f"{name}, line {entry.line}: {message}"
