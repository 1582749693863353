"""The legacy contract as the server sees it: operations by dispatch key, the XSD validator,
and the documents served on ``?wsdl`` and ``?xsd=`` (read by documents.py).

zeep loads the WSDL (its bindings, operations and message types are the parse and serialize
machinery); lxml's ``XMLSchema`` is built from the same schemas because zeep does not validate.
Nothing is fetched from the network: every reference resolves to a local file (:class:`LocalDocuments`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from zeep import xsd
from zeep.settings import Settings
from zeep.wsdl import Document

from scoregate.adapters.soap.documents import (
    WSDL_NS, ContractError, LocalDocuments, element_names, refuse_encoded, rewrite_locations, served_documents,
    substitution_members, type_derivation,
)
from scoregate.adapters.soap.plan import Facts, Node, compile_or_none, with_type
from scoregate.adapters.soap.schemas import RpcDeclaration, SchemaError, build_validator, rpc_declaration
from scoregate.adapters.soap.single import single_wsdl, why_not_single

if TYPE_CHECKING:
    from scoregate.adapters.soap.config import SoapChannelConfig

log = logging.getLogger(__name__)

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"

# The WSDL is the operator's own file, but it is still parsed without DTDs or entities.
# forbid_external stays off because LocalDocuments is the gate: it maps every URL to a local file.
_WSDL_SETTINGS = Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=False)


class SoapVersion(Enum):
    SOAP11 = SOAP11_ENV
    SOAP12 = SOAP12_ENV

    @property
    def content_type(self) -> str:
        return "text/xml; charset=utf-8" if self is SoapVersion.SOAP11 else "application/soap+xml; charset=utf-8"


@dataclass(frozen=True)
class Operation:
    """One operation of one binding: what dispatch finds for a (version, body element) pair."""

    name: str
    version: SoapVersion
    soapaction: str
    body_qname: str
    """Clark notation ``{ns}local`` of the Body's child: the wrapper element (document style),
    or ``{soap:body namespace}OperationName`` (rpc style)."""
    declared_headers: frozenset[str]
    """Header elements the binding declares for the input: they count as understood."""
    zeep: object
    """zeep's ``SoapOperation``: ``.input.body.parse`` and ``.output.serialize`` do the XML work."""
    validated: bool
    """Whether the body is checked against the XSD (document style only, for now)."""
    read_plan: Node | None = None
    """Compiled reader of the input body (document style, plain sequences); None: zeep's generic parse."""
    write_plan: Node | None = None
    """Compiled writer of the output body; None: zeep's generic serialize."""
    output_action: str = ""
    """WS-Addressing action of the response, for clients that address their requests (WCF wsHttp)."""


_WSA_METADATA = ("http://www.w3.org/2007/05/addressing/metadata", "http://www.w3.org/2006/05/addressing/wsdl")


def _output_actions(wsdl: Path) -> dict[tuple[str, str], str]:
    """(port type name, operation name) -> the WS-Addressing action of its output: the declared
    ``wsam:Action``/``wsaw:Action``, else the default of WS-Addressing 1.0 Metadata §4.4.4
    (``{tns}/{port type}/{output name}``, ':' instead of '/' for a URN namespace)."""
    root = etree.parse(str(wsdl), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    tns = root.get("targetNamespace", "")
    sep = ":" if tns.startswith("urn:") else "/"
    out = {}
    for port_type in root.iter(f"{{{WSDL_NS}}}portType"):
        for op in port_type.iter(f"{{{WSDL_NS}}}operation"):
            output = op.find(f"{{{WSDL_NS}}}output")
            if output is None:
                continue
            declared = next((output.get(f"{{{ns}}}Action") for ns in _WSA_METADATA if output.get(f"{{{ns}}}Action")), None)
            name = output.get("name") or f"{op.get('name')}Response"
            out[(port_type.get("name"), op.get("name"))] = declared or f"{tns.rstrip('/:')}{sep}{port_type.get('name')}{sep}{name}"
    return out


def _operations(document: Document, wsdl: Path, facts: Facts, one_way: set[str]) -> list[Operation]:
    """Every request-response operation of every SOAP binding; the names of one-way operations go into ``one_way``."""
    out = []
    actions = _output_actions(wsdl)
    plans: dict[str, Node | None] = {}

    def plan_of(element: object) -> Node | None:
        # A global element is one declaration, however many bindings use it (SOAP 1.1 and 1.2).
        key = str(element.qname)
        if key not in plans:
            plans[key] = compile_or_none(element, facts)
        return plans[key]

    for binding in document.bindings.values():
        env = getattr(binding, "nsmap", {}).get("soap-env")
        if env not in (SOAP11_ENV, SOAP12_ENV):
            continue  # an HTTP GET/POST binding: not SOAP
        for name, op in binding._operations.items():  # zeep keeps no public list by binding
            if op.input is None or op.output is None:
                one_way.add(name)  # no answer to give a score in (or nothing to score)
                continue
            if op.style == "rpc":
                _name_rpc_response(op)
            body = op.input.body
            headers = frozenset(
                str(el.qname) for _, el in (op.input.header.type.elements if op.input.header else [])
            )
            document = op.style == "document"
            out.append(
                Operation(
                    name=name,
                    version=SoapVersion(env),
                    soapaction=op.soapaction or "",
                    body_qname=str(body.qname) if body is not None else "",
                    declared_headers=headers,
                    zeep=op,
                    validated=document,
                    # Plans only where the XSD has checked the body first: they do not validate.
                    read_plan=plan_of(body) if document and body is not None else None,
                    write_plan=plan_of(op.output.body) if document and op.output.body is not None else None,
                    output_action=actions.get((binding.port_type.name.localname, name), ""),
                )
            )
    return out


def _name_rpc_response(op: object) -> None:
    """Name an rpc/literal response wrapper after the operation + "Response" (WS-I Basic Profile
    R2729), which clients check; zeep would name it after the output message (``changeEmailResponse2``)."""
    body = op.output.body
    if body is None:
        return
    wanted = etree.QName(body.qname.namespace, f"{op.name}Response")
    if body.qname != wanted:
        op.output.body = xsd.Element(wanted, body.type)


def _typed(op: Operation, types: Mapping[str, str], facts: Facts) -> Operation:
    """``op`` writing each output path in ``types`` as the derived type named there (by local name
    or ``{namespace}name``); ContractError if the path or the type does not fit."""
    node = op.write_plan
    for path, name in types.items():
        where = f"operation {op.name}, types {path!r}"
        if node is None:
            raise ContractError(f"{where}: a type is chosen for document/literal outputs only")
        target = node
        for part in path.split("/"):
            target = next((c for c in target.children if c.name == part), None)
            if target is None or target.simple is not None:
                raise ContractError(f"{where}: not a structure in the output message")
        declared = str(target.source[0].type.qname)
        choices = facts.derived.get(declared, ())
        found = [c for c in choices if c == name or etree.QName(c).localname == name]
        if len(found) != 1:
            names = ", ".join(sorted(etree.QName(c).localname for c in choices)) or "none"
            raise ContractError(f"{where}: {name!r} is not one type derived from {etree.QName(declared).localname} ({names})")
        node = with_type(node, tuple(path.split("/")), found[0])
    return replace(op, write_plan=node)


class ServiceContract:
    """Everything read from the WSDL once at start; immutable and shared by all requests."""

    def __init__(
        self, wsdl: Path, documents: dict[str, Path] | None = None, public_url: str | None = None,
        types: Mapping[str, Mapping[str, str]] | None = None, namespaces: Mapping[str, str] | None = None,
    ) -> None:
        """Raises ContractError with one line that starts with the WSDL's file name. ``types``:
        operation -> output element path -> the derived type it is written as (``xsi:type``);
        ``namespaces``: prefix -> namespace, for paths that name an element by its namespace."""
        self.wsdl_path = wsdl
        self.transport = LocalDocuments(wsdl, documents or {})
        self._prefixes = {uri: prefix for prefix, uri in (namespaces or {}).items()}
        try:
            self._load(wsdl, public_url, types or {})
        except ContractError as exc:
            raise ContractError(f"{wsdl.name}: {' '.join(str(exc).split())}") from None

    @classmethod
    def of(cls, config: SoapChannelConfig) -> ServiceContract:
        """The contract a channel configuration names, with its documents, address and output types."""
        types = {name: op.types for name, op in config.operations.items() if op.types}
        return cls(config.wsdl, config.documents, config.public_url, types, config.namespaces)

    def _load(self, wsdl: Path, public_url: str | None, types: Mapping[str, Mapping[str, str]]) -> None:
        if not wsdl.is_file():
            raise ContractError("file not found")
        try:
            refuse_encoded(wsdl, self.transport)
        except etree.XMLSyntaxError as exc:
            raise ContractError(f"a document of the contract is not well-formed XML: {exc}") from None
        try:
            self.document = Document(str(wsdl), self.transport, settings=_WSDL_SETTINGS)
        except ContractError:
            raise
        except Exception as exc:  # zeep raises a dozen kinds; all mean "this WSDL cannot be served"
            if "redefine" in str(exc):  # zeep has no reader for it
                raise ContractError("a schema uses xs:redefine, which is not supported: "
                                    "write the redefined types into the schema itself") from None
            try:  # libxml2 names the file and line of a schema error; zeep does not
                build_validator(wsdl, self.transport)
            except SchemaError as schema_error:
                raise ContractError(str(schema_error)) from None
            raise ContractError(f"cannot be loaded: {exc}") from exc
        raw = wsdl.read_bytes()
        every: list[bytes] = [raw]
        self.served = served_documents(wsdl, self.transport, every)
        self.no_single_wsdl = why_not_single(wsdl, self.transport)
        """Why ``?singleWsdl`` is not served (logged at start), or None."""
        if self.no_single_wsdl:
            log.info("%s: no ?singleWsdl: %s", wsdl.name, self.no_single_wsdl)
        derived, abstract = type_derivation(every)
        self.facts = Facts(substitution_members(every), derived, abstract, self.document.types, self._prefixes)
        """Substitution groups and derived types: what else an element may be (plan.py, preflight)."""
        self.one_way: set[str] = set()
        """Operations without an output message: not served (a request for one gets a Client fault)."""
        operations = _operations(self.document, wsdl, self.facts, self.one_way)
        if not operations:
            raise ContractError("has no request-response operation in a SOAP 1.1 or 1.2 binding")
        operations = [_typed(op, types[op.name], self.facts) if op.name in types else op for op in operations]
        rpc: dict[str, list[RpcDeclaration]] = {}
        for qname, op in {op.body_qname: op for op in operations if op.zeep.style == "rpc"}.items():
            if (declaration := rpc_declaration(qname, op.zeep.input.abstract.parts)) is not None:
                rpc.setdefault(etree.QName(qname).namespace or "", []).append(declaration)
        try:
            self.validator = build_validator(wsdl, self.transport, rpc)
        except SchemaError as exc:
            raise ContractError(str(exc)) from None
        # An rpc body is validated only if its declaration made it into the schema.
        self.operations = [
            op if op.validated else replace(op, validated=self._declares(op.body_qname)) for op in operations
        ]
        self.versions = frozenset(op.version for op in self.operations)
        self._dispatch: dict[tuple[SoapVersion, str], list[Operation]] = {}
        for op in self.operations:
            self._dispatch.setdefault((op.version, op.body_qname), []).append(op)
        for op in self.operations:
            if not op.validated:
                log.warning("operation %s (%s style): body not checked against the XSD", op.name, op.zeep.style)
        self.wsdl_bytes = rewrite_locations(raw, public_url) if public_url else raw
        self._public_url = public_url
        # rpc part accessors are element names too, though declared by messages, not schemas.
        parts = {item.get("name") for decls in rpc.values() for decl in decls for item, attr, _ in decl.refs if attr == "type"}
        self.element_names = element_names([raw, *self.served.values()]) | parts

    @cached_property
    def single_wsdl(self) -> bytes | None:
        """The contract flattened into one document for ``?singleWsdl`` (single.py); None if it
        cannot be. Built on first request: few clients ask, and a SAP-size contract takes 0.3 s
        and 30 MB to flatten (bench/soap_contracts_bench.py)."""
        single = None if self.no_single_wsdl else single_wsdl(self.wsdl_path, self.transport)
        return rewrite_locations(single, self._public_url) if single and self._public_url else single

    def _declares(self, qname: str) -> bool:
        probe = etree.Element(qname)
        self.validator.validate(probe)
        # An undeclared root gives "No matching global declaration"; a declared one other errors.
        return not any("No matching global declaration" in e.message for e in self.validator.error_log)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(op.name for op in self.operations)

    def dispatch(self, version: SoapVersion, body_qname: str, action: str) -> Operation | None:
        """The operation for a Body child; the SOAP action only breaks a tie between operations
        sharing one body element (clients send it empty, quoted or not at all)."""
        candidates = self._dispatch.get((version, body_qname), [])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        return next((op for op in candidates if op.soapaction and op.soapaction == action), candidates[0])

    def served_document(self, route: str) -> bytes | None:
        """An imported document by its route (see :func:`served_documents`); None if not part of the contract."""
        return self.served.get(route)
