"""The contract's documents: the WSDL and everything it imports, read from local files only.

:class:`LocalDocuments` is the one gate every reference passes (zeep's loader, libxml2's schema
resolver, the served routes); the rest reads the documents as XML: which ones are served and on
which route, where the service address is rewritten, which substitution groups they declare, and
whether any operation uses SOAP encoding (refused).
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from zeep.loader import absolute_location
from zeep.transports import Transport

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"


class ContractError(ValueError):
    """The WSDL, its schemas or the mapping cannot be served; raised at start, never per request."""


class LocalDocuments(Transport):
    """zeep's transport for loading the contract: local files only, ``?xsd=NAME`` by the config's table."""

    def __init__(self, wsdl: Path, documents: dict[str, Path]) -> None:
        super().__init__()
        self.base = wsdl.resolve().parent
        self.documents = documents

    def resolve(self, url: str) -> Path:
        """The local file a reference points to; raises ContractError for anything else."""
        if url in self.documents:  # an absolute schemaLocation the configuration maps to a file
            return self.documents[url]
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        for key in ("xsd", "wsdl"):
            name = (query.get(key) or [""])[0]
            if name:
                if name in self.documents:
                    return self.documents[name]
                for candidate in (self.base / name, self.base / f"{name}.xsd"):
                    if candidate.is_file():
                        return candidate
                raise ContractError(f"no local document for {url!r}: add it to 'documents' as {name!r}")
        if parts.scheme in ("http", "https"):
            if (sibling := self._beside_a_copy(url)) is not None:
                return sibling
            raise ContractError(f"{url!r} is remote; scoregate loads contracts from local files only "
                                f"(map it to a file in 'documents')")
        path = Path(parts.path if parts.scheme == "file" else url)
        path = path if path.is_absolute() else self.base / path
        if not path.is_file():
            raise ContractError(f"referenced document not found: {url!r}")
        return path

    def _beside_a_copy(self, url: str) -> Path | None:
        """A remote document that a mapped one refers to relatively (``types.xsd`` from
        ``http://h/v1/common.xsd``): the file at the same relative place beside the local copy."""
        parts = urlsplit(url)
        for mapped, copy in sorted(self.documents.items(), key=lambda item: -len(item[0])):
            origin = urlsplit(mapped)
            if (origin.scheme, origin.netloc) == (parts.scheme, parts.netloc) and origin.path:
                candidate = copy.parent / posixpath.relpath(parts.path, posixpath.dirname(origin.path))
                if candidate.is_file():
                    return candidate
        return None

    def locate(self, ref: str, base: str) -> tuple[str, Path]:
        """A reference made in the document at location ``base``: the location a client resolves it
        to (a path, or a URL when ``base`` or ``ref`` is one; zeep's own rule) and its local file."""
        location = absolute_location(ref, base)
        return location, self.resolve(location)

    def load(self, url: str) -> bytes:
        return self.resolve(url).read_bytes()


def folder_of(location: str, file: Path) -> Path:
    """Where the relative references of the document at ``location`` resolve locally: beside its
    location (a ``?wsdl=wsdl0`` document's are beside the service's), or beside a remote one's copy."""
    return file.parent if "://" in location else Path(os.path.dirname(location))


@dataclass(frozen=True)
class Reached:
    """A document of the contract: where a client finds it, its local file, and its root element."""

    location: str
    file: Path
    root: etree._Element


def wsdl_documents(wsdl: Path, documents: LocalDocuments) -> list[Reached]:
    """The WSDL and every document a ``wsdl:import`` names, directly or not, each once: WSDLs, and
    the XSD files some tools import that way."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    start = str(wsdl.resolve())
    found: list[Reached] = []
    pending, seen = [(start, Path(start))], {Path(start)}
    while pending:
        location, file = pending.pop(0)
        root = etree.parse(str(file), parser).getroot()
        found.append(Reached(location, file, root))
        for imp in root.iterfind(f"{{{WSDL_NS}}}import") if root.tag != f"{{{XSD_NS}}}schema" else ():
            if ref := imp.get("location"):
                child, target = documents.locate(ref, location)
                if target.resolve() not in seen:
                    seen.add(target.resolve())
                    pending.append((child, target))
    return found


def refuse_encoded(wsdl: Path, documents: LocalDocuments) -> None:
    """SOAP encoding (rpc/encoded, soapenc arrays) is refused at start, naming the operation."""
    for reached in wsdl_documents(wsdl, documents):
        for binding_op in reached.root.iterfind(f"{{{WSDL_NS}}}binding/{{{WSDL_NS}}}operation"):
            for body in binding_op.iter(f"{{{WSDL_SOAP11}}}body", f"{{{WSDL_SOAP12}}}body"):
                if body.get("use") == "encoded":
                    raise ContractError(
                        f"operation {binding_op.get('name')} uses SOAP encoding (use=\"encoded\"), which is not "
                        "supported: only literal bodies (document/literal or rpc/literal) are served"
                    )


_LOCATION = r'(<{tag}\b[^>]*?\blocation\s*=\s*)(["\'])(.*?)\2'


def rewrite_locations(wsdl: bytes, public_url: str) -> bytes:
    """The WSDL with only ``soap:address/@location`` (1.1 and 1.2) replaced; every other byte kept."""
    root = etree.fromstring(wsdl, etree.XMLParser(resolve_entities=False, no_network=True))
    tags = {
        f"{el.prefix}:address" if el.prefix else "address"
        for el in root.iter(f"{{{WSDL_SOAP11}}}address", f"{{{WSDL_SOAP12}}}address")
    }
    value = public_url.replace("&", "&amp;").replace('"', "&quot;").encode()
    for tag in tags:
        pattern = re.compile(_LOCATION.format(tag=re.escape(tag)).encode(), re.S)
        wsdl = pattern.sub(lambda m: m.group(1) + b'"' + value + b'"', wsdl)
    return wsdl


_REFS = (
    f"{{{WSDL_NS}}}import", f"{{{XSD_NS}}}import", f"{{{XSD_NS}}}include", f"{{{XSD_NS}}}redefine",
)


def served_documents(wsdl: Path, documents: LocalDocuments, every: list[bytes] | None = None) -> dict[str, bytes]:
    """Every document the WSDL imports, directly or not, by the route a client fetches it on
    (``every`` gets each one's bytes, served or not).

    A client resolves each reference against the URL it loaded the referring document from
    (``http://h/Svc.asmx?wsdl``): ``Svc.asmx?xsd=xsd0`` (WCF style) comes back to our path with
    ``?xsd=xsd0``, so its route is ``?xsd=xsd0``; ``types/loan.xsd`` becomes ``http://h/types/loan.xsd``,
    so its route is the path relative to ours, ``types/loan.xsd`` (``../xsd/a.xsd`` climbs above
    it: the server serves each route at the URL path it resolves to). Only these are ever served.
    A document referenced by an absolute URL of another host (``http://schemas.example.org/x.xsd``,
    mapped to a local copy in ``documents``) is fetched from there, so it and what it refers to
    have no route here.
    """
    served: dict[str, bytes] = {}
    start = str(wsdl.resolve())
    wsdl_dir = os.path.dirname(start)
    pending, seen = [start], {Path(start)}
    while pending:
        location = pending.pop()
        root = etree.parse(str(documents.resolve(location)), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        for el in root.iter(*_REFS):
            ref = el.get("schemaLocation") or el.get("location")
            if not ref:
                continue
            child, target = documents.locate(ref, location)
            if target.resolve() not in seen:
                seen.add(target.resolve())
                data = target.read_bytes()
                if every is not None:
                    every.append(data)
                if (route := _route(child, wsdl_dir)) is not None:
                    served[route] = data
                pending.append(child)
    return served


def _route(location: str, wsdl_dir: str) -> str | None:
    """A document's route: ``?xsd=NAME``/``?wsdl=NAME`` (WCF), its path relative to the WSDL's, or
    None for one on another host."""
    query = parse_qs(urlsplit(location).query)
    if key := next((k for k in ("xsd", "wsdl") if (query.get(k) or [""])[0]), None):
        return f"?{key}={query[key][0]}"  # wherever the URL points: WCF names its own host
    if "://" in location:
        return None
    return Path(os.path.relpath(location, wsdl_dir)).as_posix()


def substitution_members(documents: list[bytes]) -> dict[str, tuple[str, ...]]:
    """Substitution group head -> every element that may stand in its place (directly or not), by
    Clark name, from the global ``xs:element substitutionGroup=".."`` declarations."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    heads: dict[str, str] = {}
    for data in documents:
        for el in etree.fromstring(data, parser).iter(f"{{{XSD_NS}}}element"):
            group, name = el.get("substitutionGroup"), el.get("name")
            if group and name:
                prefix, _, local = group.rpartition(":")
                schema = next(el.iterancestors(f"{{{XSD_NS}}}schema"), None)
                tns = schema.get("targetNamespace", "") if schema is not None else ""
                heads[f"{{{tns}}}{name}"] = f"{{{el.nsmap.get(prefix or None, '')}}}{local}"
    members: dict[str, list[str]] = {}
    for member, head in heads.items():
        seen = {member}
        while head not in seen:  # a member of a member stands in for every head above it
            members.setdefault(head, []).append(member)
            seen.add(head)
            head = heads.get(head, head)
    return {head: tuple(found) for head, found in members.items()}


def _clark(el: etree._Element, qname: str) -> str:
    prefix, _, local = qname.rpartition(":")
    return f"{{{el.nsmap.get(prefix or None, '')}}}{local}"


def type_derivation(documents: list[bytes]) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """(base type -> every complex type extending it, directly or not; the abstract types), by
    Clark name, from the global ``xs:complexType`` declarations: what an ``xsi:type`` may name."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    bases: dict[str, str] = {}
    abstract = set()
    for data in documents:
        for el in etree.fromstring(data, parser).iter(f"{{{XSD_NS}}}complexType"):
            if not el.get("name"):
                continue
            schema = next(el.iterancestors(f"{{{XSD_NS}}}schema"), None)
            name = f"{{{schema.get('targetNamespace', '') if schema is not None else ''}}}{el.get('name')}"
            if el.get("abstract") in ("true", "1"):
                abstract.add(name)
            extension = el.find(f"{{{XSD_NS}}}complexContent/{{{XSD_NS}}}extension")
            if extension is not None and extension.get("base"):
                bases[name] = _clark(extension, extension.get("base"))
    derived: dict[str, list[str]] = {}
    for name, base in bases.items():
        seen = {name}
        while base not in seen:
            derived.setdefault(base, []).append(name)
            seen.add(base)
            base = bases.get(base, base)
    return {base: tuple(names) for base, names in derived.items()}, frozenset(abstract)


def element_names(documents: list[bytes]) -> frozenset[str]:
    """Every element name the schemas declare: tells a misplaced known element from an unknown one."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return frozenset(
        el.get("name") for data in documents for el in etree.fromstring(data, parser).iter(f"{{{XSD_NS}}}element")
        if el.get("name")
    )
