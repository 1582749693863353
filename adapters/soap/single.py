"""``?singleWsdl``: the whole contract as one document, as WCF serves it to clients that cannot
follow imports (older SAP and Delphi tools, some API gateways).

Every schema the WSDL reaches (inline, imported, included, at any depth) becomes an inline schema
of one ``wsdl:types``: ``xs:import`` loses its ``schemaLocation`` (the namespace is inline now),
``xs:include`` is replaced by the included schema inlined in the including namespace (a chameleon
schema takes that namespace, as XSD says), and the messages, port types, bindings and services of
``wsdl:import``-ed WSDLs of the same target namespace join the main document. A contract whose
imported WSDLs have other target namespaces, or that uses ``xs:redefine``, cannot be flattened
without renaming what clients refer to: it has no ``?singleWsdl``.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

from lxml import etree

from scoregate.adapters.soap.documents import WSDL_NS, XSD_NS, LocalDocuments

_W = f"{{{WSDL_NS}}}"
_XS = f"{{{XSD_NS}}}"
# The order of a WSDL 1.1 document's sections.
_SECTIONS = ("message", "portType", "binding", "service")


class _NotFlat(Exception):
    """The contract cannot be served as one document."""


class _Flattener:
    def __init__(self, documents: LocalDocuments) -> None:
        self.documents = documents
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True)
        self.schemas: list[etree._Element] = []
        self.done: set[tuple[Path, str | None]] = set()

    def target(self, ref: str, folder: Path) -> Path:
        return self.documents.resolve(ref if "?" in ref or "://" in ref else str(folder / ref)).resolve()

    def add_schema(self, schema: etree._Element, folder: Path, chameleon_ns: str | None = None) -> None:
        """Inline ``schema`` (and, first, everything it imports or includes)."""
        nsmap = dict(schema.nsmap)
        attrib = dict(schema.attrib)
        if chameleon_ns is not None:
            nsmap.setdefault(None, chameleon_ns)  # its unprefixed references now name the includer's namespace
            attrib["targetNamespace"] = chameleon_ns
        copy = etree.Element(f"{_XS}schema", attrib=attrib, nsmap=nsmap)  # every namespace in scope, for QName values
        own_ns = attrib.get("targetNamespace")
        for child in schema:
            if child.tag == f"{_XS}redefine":
                raise _NotFlat("xs:redefine")
            location = child.get("schemaLocation") if child.tag in (f"{_XS}import", f"{_XS}include") else None
            if child.tag == f"{_XS}include":
                if location:
                    self.add_document(self.target(location, folder), include_ns=own_ns or "")
                continue
            item = deepcopy(child)
            if location:
                del item.attrib["schemaLocation"]
                self.add_document(self.target(location, folder))
            copy.append(item)
        self.schemas.append(copy)

    def add_document(self, path: Path, include_ns: str | None = None) -> None:
        """An external schema file, once per namespace it is brought into."""
        root = etree.parse(str(path), self.parser).getroot()
        chameleon = include_ns if include_ns is not None and root.get("targetNamespace") is None else None
        key = (path, chameleon)
        if key not in self.done:
            self.done.add(key)
            self.add_schema(root, path.parent, chameleon)

    def wsdls(self, wsdl: Path) -> list[etree._Element]:
        """The main WSDL and every WSDL it imports (directly or not), each once; XSD files a
        ``wsdl:import`` names are inlined on the way."""
        found, pending, seen = [], [wsdl.resolve()], {wsdl.resolve()}
        while pending:
            path = pending.pop(0)
            root = etree.parse(str(path), self.parser).getroot()
            if root.tag == f"{_XS}schema":
                self.add_document(path)
                continue
            found.append(root)
            for schema in root.iterfind(f"{_W}types/{_XS}schema"):
                self.add_schema(schema, path.parent)
            for imp in root.iterfind(f"{_W}import"):
                if (location := imp.get("location")) and (target := self.target(location, path.parent)) not in seen:
                    seen.add(target)
                    pending.append(target)
        return found


def single_wsdl(wsdl: Path, documents: LocalDocuments) -> bytes | None:
    """The contract as one WSDL document, or None when it cannot be flattened (module docstring)."""
    flattener = _Flattener(documents)
    try:
        roots = flattener.wsdls(wsdl)
    except _NotFlat:
        return None
    main = roots[0]
    if any(root.get("targetNamespace") != main.get("targetNamespace") for root in roots[1:]):
        return None
    # Pieces are joined as text: lxml, moving an element into another tree, drops a namespace
    # declaration whose URI an ancestor declares under another prefix, and QName values such as
    # type="xs:string" would lose their prefix.
    parts = [_alone(doc) for doc in main.iterfind(f"{_W}documentation")]
    types = etree.Element(f"{_W}types", nsmap={"wsdl": WSDL_NS})
    parts.append(etree.tostring(types).replace(b"/>", b">") + b"".join(map(etree.tostring, flattener.schemas)) + b"</wsdl:types>")
    parts += [_alone(el) for section in _SECTIONS for root in roots for el in root.iterfind(f"{_W}{section}")]
    shell = etree.tostring(etree.Element(main.tag, attrib=dict(main.attrib), nsmap=main.nsmap))
    head, _, _ = shell.rpartition(b"/>")
    prefix = f"{main.prefix}:" if main.prefix else ""
    document = b'<?xml version="1.0" encoding="utf-8"?>\n' + head + b">" + b"".join(parts) + f"</{prefix}definitions>".encode()
    etree.fromstring(document)  # well-formed, or a bug here
    return document


def _alone(element: etree._Element) -> bytes:
    """An element as text, declaring every namespace in scope where it was (QName values need them)."""
    copy = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    copy.text = element.text
    copy.extend(deepcopy(child) for child in element)
    return etree.tostring(copy)
