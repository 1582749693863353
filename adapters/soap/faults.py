"""SOAP faults: the only place they are built.

| error | SOAP 1.1 (HTTP 500) | SOAP 1.2 |
| --- | --- | --- |
| invalid input (XSD, mapping or model schema) | ``Client`` + declared detail | ``Sender`` (400) + subcode + detail |
| core unavailable, deadline, core failure, unknown model | ``Server`` + declared detail | ``Receiver`` (500) + subcode + detail |
| not a SOAP envelope / unsupported version | ``VersionMismatch`` | ``VersionMismatch`` (500) + ``Upgrade`` |
| unknown header with mustUnderstand | ``MustUnderstand`` | ``MustUnderstand`` (500) + ``NotUnderstood`` |

The reason text of a server-side fault is a fixed sentence: what went wrong inside goes to the log,
never to the caller. A declared detail that cannot be rendered is logged and left out, so building
a fault never fails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree

from scoregate.adapters.mapping import ResponseMapping
from scoregate.adapters.soap.config import FaultMapping, ViolationDetail
from scoregate.adapters.soap.contract import SOAP11_ENV, SOAP12_ENV, Operation, SoapVersion
from scoregate.adapters.soap.paths import fixed_point, nest
from scoregate.core.errors import ErrorKind, InvalidInput, ScoreError

log = logging.getLogger(__name__)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class FaultCode(StrEnum):
    VERSION_MISMATCH = "VersionMismatch"
    MUST_UNDERSTAND = "MustUnderstand"
    CLIENT = "Client"
    SERVER = "Server"


# Prefixes a reader expects for QName values in faults (others get q0, q1, ...).
_PREFIXES = {
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd": "wsse",
    SOAP11_ENV: "soap11", SOAP12_ENV: "soap12",
}
_SOAP12_NAMES = {FaultCode.CLIENT: "Sender", FaultCode.SERVER: "Receiver"}

#: One table from canonical error kind to fault code; everything but bad input is the server's.
KIND_CODES: dict[ErrorKind, FaultCode] = {
    ErrorKind.INVALID_INPUT: FaultCode.CLIENT,
    ErrorKind.UNKNOWN_MODEL: FaultCode.SERVER,  # the mapping names the model, not the caller
    ErrorKind.CORE_UNAVAILABLE: FaultCode.SERVER,
    ErrorKind.DEADLINE_EXPIRED: FaultCode.SERVER,
    ErrorKind.CORE_FAILURE: FaultCode.SERVER,
}

_REASONS: dict[ErrorKind, str] = {
    ErrorKind.UNKNOWN_MODEL: "The service is not available for this operation",
    ErrorKind.CORE_UNAVAILABLE: "The service is temporarily unavailable; retry later",
    ErrorKind.DEADLINE_EXPIRED: "The request could not be completed in time; retry later",
    ErrorKind.CORE_FAILURE: "Internal error",
}


class SoapFault(Exception):
    """A problem with the envelope itself, found before there is an operation to map it with."""

    def __init__(
        self, code: FaultCode, reason: str, *, not_understood: Iterable[str] = (), subcode: str | None = None,
        status: int | None = None, upgrade: Iterable[SoapVersion] = (),
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.not_understood = tuple(not_understood)
        self.status = status
        """An HTTP status other than the code's own (415 for a wrong Content-Type)."""
        self.upgrade = tuple(upgrade)
        """For VersionMismatch: the envelopes the endpoint serves (the ``Upgrade`` header)."""
        self.subcode = subcode
        """A Clark name refining the code (WS-Security's ``wsse:FailedAuthentication``): the SOAP 1.2
        subcode, and the SOAP 1.1 faultcode itself, as the WS-Security specification has it."""
        self.version: SoapVersion | None = None
        """The request's SOAP version, once known; the fault is answered in it."""


@dataclass(frozen=True)
class SoapResponse:
    """What goes back over HTTP: a response envelope or a fault."""

    status: int
    body: bytes
    content_type: str


def http_status(version: SoapVersion, code: FaultCode) -> int:
    # WS-I Basic Profile: SOAP 1.1 faults are 500; the SOAP 1.2 HTTP binding gives Sender 400.
    return 400 if version is SoapVersion.SOAP12 and code is FaultCode.CLIENT else 500


def render(
    version: SoapVersion,
    code: FaultCode,
    reason: str,
    *,
    detail: etree._Element | None = None,
    subcode: str | None = None,
    not_understood: Iterable[str] = (),
    faultcode11: str | None = None,
    headers: Iterable[etree._Element] = (),
    upgrade: Iterable[SoapVersion] = (),
    status: int | None = None,
) -> SoapResponse:
    """A complete fault envelope. ``subcode`` (1.2 only) is a Clark name, e.g. the detail element's;
    ``faultcode11`` replaces ``soap:Client``/``soap:Server`` in SOAP 1.1 (a Clark name);
    ``headers`` go into the fault's Header (WS-Addressing replies); ``upgrade``: for VersionMismatch,
    the envelopes served, in an ``Upgrade`` header (SOAP 1.2 §5.4.7, and in a 1.1 fault as its
    Appendix A has it)."""
    env = version.value
    root = etree.Element(f"{{{env}}}Envelope", nsmap={"soap": env})
    header = etree.SubElement(root, f"{{{env}}}Header")  # attached first: prefixes resolve in scope
    header.extend(headers)
    if version is SoapVersion.SOAP12:
        for qname in not_understood:
            _set_qname(etree.SubElement(header, f"{{{env}}}NotUnderstood"), "qname", qname)
    if code is FaultCode.VERSION_MISMATCH:
        served = list(upgrade) or [SoapVersion.SOAP12, SoapVersion.SOAP11]
        block = etree.SubElement(header, f"{{{SOAP12_ENV}}}Upgrade", nsmap={"soap12": SOAP12_ENV})
        for supported in sorted(served, key=lambda v: v is SoapVersion.SOAP11):  # 1.2 first: the one preferred
            _set_qname(etree.SubElement(block, f"{{{SOAP12_ENV}}}SupportedEnvelope"), "qname", f"{{{supported.value}}}Envelope")
    if not len(header):
        root.remove(header)
    body = etree.SubElement(root, f"{{{env}}}Body")
    fault = etree.SubElement(body, f"{{{env}}}Fault")
    if version is SoapVersion.SOAP11:
        if faultcode11:
            _set_qname(etree.SubElement(fault, "faultcode"), None, faultcode11)
        else:
            etree.SubElement(fault, "faultcode").text = f"soap:{code.value}"
        etree.SubElement(fault, "faultstring").text = reason
        if detail is not None:
            etree.SubElement(fault, "detail").append(detail)
    else:
        code_el = etree.SubElement(fault, f"{{{env}}}Code")
        etree.SubElement(code_el, f"{{{env}}}Value").text = f"soap:{_SOAP12_NAMES.get(code, code.value)}"
        if subcode:
            _set_qname(etree.SubElement(etree.SubElement(code_el, f"{{{env}}}Subcode"), f"{{{env}}}Value"), None, subcode)
        text = etree.SubElement(etree.SubElement(fault, f"{{{env}}}Reason"), f"{{{env}}}Text")
        text.set(_XML_LANG, "en")
        text.text = reason
        if detail is not None:
            etree.SubElement(fault, f"{{{env}}}Detail").append(detail)
    body_bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return SoapResponse(status or http_status(version, code), body_bytes, version.content_type)


def _set_qname(element: etree._Element, attribute: str | None, clark: str) -> None:
    """Write a QName value (into an attribute, or the text) with its prefix declared in scope.
    Call it on a freshly made, still empty element: it may replace the element to declare a prefix."""
    qname = etree.QName(clark)
    value = qname.localname
    if qname.namespace:
        prefix = next((p for p, uri in element.nsmap.items() if uri == qname.namespace and p), None)
        if prefix is None:  # lxml cannot add a declaration to an existing element: wrap a fresh one
            prefix = _PREFIXES.get(qname.namespace, f"q{len(element.nsmap)}")
            fresh = etree.Element(element.tag, nsmap={prefix: qname.namespace})
            element.getparent().replace(element, fresh)
            element = fresh
        value = f"{prefix}:{value}"
    if attribute:
        element.set(attribute, value)
    else:
        element.text = value


def from_envelope_fault(fallback: SoapVersion, fault: SoapFault) -> SoapResponse:
    """An envelope-level fault, in the request's version if it was read, else in ``fallback``."""
    return render(
        fault.version or fallback, fault.code, fault.reason, not_understood=fault.not_understood,
        subcode=fault.subcode, faultcode11=fault.subcode, upgrade=fault.upgrade, status=fault.status,
    )


def _violation_items(spec: ViolationDetail, error: ScoreError) -> list[dict]:
    items = []
    for v in getattr(error, "violations", ())[: spec.limit]:
        code = (spec.codes or {}).get(v.code, v.code.value)
        values = {spec.field: v.field, spec.code: code, spec.message: v.message}
        items.append(nest({path: value for path, value in values.items() if path}))
    return items


def render_detail(operation: Operation, mapping: FaultMapping, error: ScoreError, reference: str) -> tuple[etree._Element, str]:
    """The WSDL-declared fault element filled from the mapping, and its Clark name (the 1.2 subcode)."""
    message = operation.zeep.faults[mapping.fault]  # its existence is checked at start (preflight.check_operation)
    element = next(iter(message.abstract.parts.values())).element
    values = ResponseMapping(result=(), error=mapping.detail).encode_error(error, reference)
    if mapping.violations is not None:
        values[mapping.violations.target] = _violation_items(mapping.violations, error)
    holder = etree.Element("holder")
    element.render(holder, element(**fixed_point(nest(values))))
    return holder[0], str(element.qname)


def for_error(
    version: SoapVersion,
    error: ScoreError,
    operation: Operation | None = None,
    mappings: Iterable[FaultMapping] = (),
    reference: str = "",
    headers: Iterable[etree._Element] = (),
) -> SoapResponse:
    """The fault answering a canonical error, with the operation's declared detail where mapped."""
    code = KIND_CODES.get(error.kind, FaultCode.SERVER)
    # An InvalidInput message names only the caller's own fields; other messages stay in the log.
    reason = error.message if isinstance(error, InvalidInput) else _REASONS.get(error.kind, "Internal error")
    detail = subcode = None
    mapping = next((m for m in mappings if error.kind in m.kinds), None)
    if operation is not None and mapping is not None and mapping.fault:
        try:
            detail, subcode = render_detail(operation, mapping, error, reference)
        except Exception:  # a fault must go out even if its detail mapping is wrong
            log.exception("fault detail %s of %s could not be rendered", mapping.fault, operation.name)
    return render(version, code, reason, detail=detail, subcode=subcode, headers=headers)
