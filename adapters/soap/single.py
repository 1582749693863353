"""``?singleWsdl``: the whole contract as one document, as WCF serves it to clients that cannot
follow imports (older SAP and Delphi tools, some API gateways).

Every schema the WSDL reaches (inline, imported, included, at any depth) becomes an inline schema
of one ``wsdl:types``: ``xs:import`` loses its ``schemaLocation`` (the namespace is inline now),
``xs:include`` is replaced by the included schema inlined in the including namespace (a chameleon
schema takes that namespace, as XSD says), and the messages, port types, bindings and services of
``wsdl:import``-ed WSDLs of the same target namespace join the main document. A contract whose
imported WSDLs have other target namespaces (JAX-WS style) cannot be flattened without renaming
what clients refer to: it has no ``?singleWsdl``, and says why.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

from lxml import etree

from scoregate.adapters.soap.documents import WSDL_NS, XSD_NS, LocalDocuments, wsdl_documents

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

    def add_schema(self, schema: etree._Element, base: str, chameleon_ns: str | None = None) -> None:
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
                    self.add_document(*self.documents.locate(location, base), include_ns=own_ns or "")
                continue
            item = deepcopy(child)
            if location:
                del item.attrib["schemaLocation"]
                self.add_document(*self.documents.locate(location, base))
            copy.append(item)
        self.schemas.append(copy)

    def add_document(self, location: str, path: Path, include_ns: str | None = None) -> None:
        """An external schema file (found at ``location``), once per namespace it is brought into."""
        root = etree.parse(str(path), self.parser).getroot()
        chameleon = include_ns if include_ns is not None and root.get("targetNamespace") is None else None
        key = (path.resolve(), chameleon)
        if key not in self.done:
            self.done.add(key)
            self.add_schema(root, location, chameleon)

    def wsdls(self, wsdl: Path) -> list[etree._Element]:
        """The main WSDL and every WSDL it imports (directly or not), each once; XSD files a
        ``wsdl:import`` names are inlined on the way."""
        found = []
        for reached in wsdl_documents(wsdl, self.documents):
            if reached.root.tag == f"{_XS}schema":
                self.add_document(reached.location, reached.file)
                continue
            found.append(reached.root)
            for schema in reached.root.iterfind(f"{_W}types/{_XS}schema"):
                self.add_schema(schema, reached.location)
        return found


def why_not_single(wsdl: Path, documents: LocalDocuments) -> str | None:
    """Why the contract has no ``?singleWsdl`` (one sentence), or None if it can be flattened;
    cheap enough for start-up. (A contract with ``xs:redefine`` does not load at all.)"""
    reached = wsdl_documents(wsdl, documents)
    tns = reached[0].root.get("targetNamespace")
    for other in reached[1:]:
        if other.root.tag == f"{_W}definitions" and other.root.get("targetNamespace") != tns:
            return (f"the imported WSDL {other.file.name} has another target namespace ({other.root.get('targetNamespace')}) "
                    "than the main one, and one WSDL document has one")
    return None


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
    prefixes = _Prefixes(main.nsmap)
    parts = [_alone(doc) for doc in main.iterfind(f"{_W}documentation")]
    types = etree.Element(f"{_W}types", nsmap={"wsdl": WSDL_NS})
    schemas = [prefixes.rebuild(schema) for schema in flattener.schemas]
    parts.append(etree.tostring(types).replace(b"/>", b">") + b"".join(_one_per_namespace(schemas)) + b"</wsdl:types>")
    parts += [_alone(prefixes.rebuild(el)) for section in _SECTIONS for root in roots for el in root.iterfind(f"{_W}{section}")]
    shell = etree.tostring(etree.Element(main.tag, attrib=dict(main.attrib), nsmap=main.nsmap))
    head, _, _ = shell.rpartition(b"/>")
    prefix = f"{main.prefix}:" if main.prefix else ""
    document = b'<?xml version="1.0" encoding="utf-8"?>\n' + head + b">" + b"".join(parts) + f"</{prefix}definitions>".encode()
    etree.fromstring(document)  # well-formed, or a bug here
    return document


# Attributes whose values are QNames (XSD and WSDL 1.1): their prefixes follow a renaming.
_QNAMES = frozenset({"type", "base", "ref", "itemType", "memberTypes", "substitutionGroup", "refer", "element",
                     "message", "binding"})


class _Prefixes:
    """One namespace per prefix over the whole document, as WCF numbers its q1, q2...: clients such
    as node-soap keep one prefix map per WSDL, so ``q1`` bound to two namespaces in two files
    would send elements in the wrong one. A prefix bound to another namespace is renamed there,
    in its QName values too."""

    def __init__(self, root_nsmap: dict) -> None:
        self.uri: dict[str, str] = {p: u for p, u in root_nsmap.items() if p}
        self.renamed: dict[tuple[str, str], str] = {}

    def name(self, prefix: str | None, uri: str) -> str | None:
        if prefix is None:
            return None
        if (prefix, uri) not in self.renamed:
            new, n = prefix, 1
            while self.uri.setdefault(new, uri) != uri:
                n += 1
                new = f"{prefix}_{n}"
            self.renamed[(prefix, uri)] = new
        return self.renamed[(prefix, uri)]

    def rebuild(self, el: etree._Element, parent: etree._Element | None = None) -> etree._Element:
        """A copy of ``el`` (declaring what its parent's scope does not) with prefixes renamed."""
        inherited = parent.nsmap if parent is not None else {}
        nsmap = {self.name(p, u): u for p, u in el.nsmap.items() if inherited.get(p) != u}
        copy = etree.Element(el.tag, nsmap=nsmap) if parent is None else etree.SubElement(parent, el.tag, nsmap=nsmap)
        for key, value in el.attrib.items():
            if key in _QNAMES:
                value = " ".join(self._qname(token, el.nsmap) for token in value.split())
            copy.set(key, value)
        copy.text, copy.tail = el.text, el.tail
        for child in el:
            if isinstance(child.tag, str):
                self.rebuild(child, copy)
            else:
                copy.append(deepcopy(child))
        return copy

    def _qname(self, token: str, nsmap: dict) -> str:
        prefix, colon, local = token.rpartition(":")
        return f"{self.name(prefix, nsmap[prefix])}:{local}" if colon and prefix in nsmap else token


def _one_per_namespace(schemas: list[etree._Element]) -> list[bytes]:
    """One ``xs:schema`` per target namespace, as WCF writes it: clients such as node-soap keep
    one schema per namespace, and a second (an included file) would replace the first. The local
    declarations of a merged schema whose form default differs from the first's keep their
    meaning by an explicit ``form``."""
    groups: dict[str | None, list[etree._Element]] = {}
    for schema in schemas:
        groups.setdefault(schema.get("targetNamespace"), []).append(schema)
    out = []
    for group in groups.values():
        first = group[0]
        if len(group) == 1:
            out.append(etree.tostring(first))
            continue
        imported: set[str | None] = set()
        children: list[bytes] = []
        imports: list[bytes] = []  # an XSD schema's imports come before its declarations
        for schema in group:
            for kind, default in (("element", "elementFormDefault"), ("attribute", "attributeFormDefault")):
                own = schema.get(default, "unqualified")
                if own != first.get(default, "unqualified"):
                    for local in schema.iter(f"{_XS}{kind}"):
                        if local.get("name") and local.getparent().tag != f"{_XS}schema" and local.get("form") is None:
                            local.set("form", own)
            for child in schema:
                if not isinstance(child.tag, str) or (child.tag == f"{_XS}import" and child.get("namespace") in imported):
                    continue
                if child.tag == f"{_XS}import":
                    imported.add(child.get("namespace"))
                (imports if child.tag == f"{_XS}import" else children).append(_alone(child))
        head = etree.tostring(etree.Element(first.tag, attrib=dict(first.attrib), nsmap=first.nsmap)).rpartition(b"/>")[0]
        prefix = f"{first.prefix}:" if first.prefix else ""
        out.append(head + b">" + b"".join(imports + children) + f"</{prefix}schema>".encode())
    return out


def _alone(element: etree._Element) -> bytes:
    """An element as text, declaring every namespace in scope where it was (QName values need them)."""
    copy = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    copy.text = element.text
    copy.extend(deepcopy(child) for child in element)
    return etree.tostring(copy)
