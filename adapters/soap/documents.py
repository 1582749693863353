"""The contract's documents: the WSDL and everything it imports, read from local files only.

:class:`LocalDocuments` is the one gate every reference passes (zeep's loader, libxml2's schema
resolver, the served routes); the rest reads the documents as XML: which ones are served and on
which route, where the service address is rewritten, which substitution groups they declare, and
whether any operation uses SOAP encoding (refused).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml import etree
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
            raise ContractError(f"{url!r} is remote; scoregate loads contracts from local files only "
                                f"(map it to a file in 'documents')")
        path = Path(parts.path if parts.scheme == "file" else url)
        path = path if path.is_absolute() else self.base / path
        if not path.is_file():
            raise ContractError(f"referenced document not found: {url!r}")
        return path

    def load(self, url: str) -> bytes:
        return self.resolve(url).read_bytes()


def refuse_encoded(wsdl: Path, documents: LocalDocuments) -> None:
    """SOAP encoding (rpc/encoded, soapenc arrays) is refused at start, naming the operation."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    pending, seen = [wsdl.resolve()], {wsdl.resolve()}
    while pending:
        local = pending.pop()
        root = etree.parse(str(local), parser).getroot()
        for binding_op in root.iterfind(f"{{{WSDL_NS}}}binding/{{{WSDL_NS}}}operation"):
            for body in binding_op.iter(f"{{{WSDL_SOAP11}}}body", f"{{{WSDL_SOAP12}}}body"):
                if body.get("use") == "encoded":
                    raise ContractError(
                        f"operation {binding_op.get('name')} uses SOAP encoding (use=\"encoded\"), which is not "
                        "supported: only literal bodies (document/literal or rpc/literal) are served"
                    )
        for imp in root.iterfind(f"{{{WSDL_NS}}}import"):
            ref = imp.get("location")
            if ref and (target := documents.resolve(ref if "?" in ref or "://" in ref else str(local.parent / ref)).resolve()) not in seen:
                seen.add(target)
                pending.append(target)


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


def served_documents(wsdl: Path, documents: LocalDocuments) -> dict[str, bytes]:
    """Every document the WSDL imports, directly or not, by the route a client fetches it on.

    A client resolves each reference against the URL it loaded the referring document from
    (``http://h/Svc.asmx?wsdl``): ``Svc.asmx?xsd=xsd0`` (WCF style) comes back to our path with
    ``?xsd=xsd0``, so its route is ``?xsd=xsd0``; ``types/loan.xsd`` becomes ``http://h/types/loan.xsd``,
    so its route is the path relative to ours, ``types/loan.xsd``. Only these are ever served.
    A document referenced by an absolute URL of another host (``http://schemas.example.org/x.xsd``,
    mapped to a local copy in ``documents``) is fetched from there, so it and what it refers to
    have no route here.
    """
    served: dict[str, bytes] = {}
    pending: list[tuple[Path, str | None]] = [(wsdl.resolve(), "")]
    seen = {wsdl.resolve()}
    while pending:
        local, route = pending.pop()
        root = etree.parse(str(local), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        for el in root.iter(*_REFS):
            ref = el.get("schemaLocation") or el.get("location")
            if not ref:
                continue
            target = documents.resolve(ref if "?" in ref or "://" in ref else str(local.parent / ref))
            name = (parse_qs(urlsplit(ref).query).get("xsd") or [""])[0]
            child_route = None
            if name:
                child_route = f"?xsd={name}"
            elif route is not None and "://" not in ref:
                child_route = posixpath.normpath(posixpath.join(posixpath.dirname(route), ref))
            if target.resolve() not in seen:
                seen.add(target.resolve())
                if child_route is not None:
                    served[child_route] = target.read_bytes()
                pending.append((target, child_route))
    return served


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


def element_names(documents: list[bytes]) -> frozenset[str]:
    """Every element name the schemas declare: tells a misplaced known element from an unknown one."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return frozenset(
        el.get("name") for data in documents for el in etree.fromstring(data, parser).iter(f"{{{XSD_NS}}}element")
        if el.get("name")
    )
