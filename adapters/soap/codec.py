"""Envelope bytes <-> {path: value}, driven by the WSDL; no HTTP here.

Decoding is two steps so that every error is answered in the right form:
:meth:`SoapCodec.open` finds the SOAP version and the operation (or raises :class:`SoapFault`,
answered without an operation's detail); :meth:`SoapCodec.read` checks the body against the XSD
and parses it with zeep (or raises ``InvalidInput`` naming the caller's element paths, answered
with the operation's declared fault).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from lxml import etree
from zeep import exceptions as zeep_errors
from zeep.helpers import serialize_object
from zeep.settings import Settings
from zeep.xsd.context import XmlParserContext

from scoregate.adapters.soap import plan, plan_io
from scoregate.adapters.soap.contract import SOAP11_ENV, SOAP12_ENV, Operation, ServiceContract, SoapVersion
from scoregate.adapters.soap.faults import FaultCode, SoapFault
from scoregate.adapters.soap.paths import fixed_point, nest
from scoregate.adapters.soap.values import flatten_body, serialize_args
from scoregate.adapters.xmlsafe import parse_untrusted
from scoregate.core.errors import FieldViolation, InvalidInput, ViolationCode

#: Header namespaces that count as understood although nothing here acts on them: WS-Addressing
#: (2004/03, 2004/08, 2005/08) and the Action header .NET Core's BasicHttpBinding sends with
#: mustUnderstand="1" (dotnet/wcf#4502). A naive check would fault every such client.
UNDERSTOOD_NAMESPACES = frozenset({
    "http://www.w3.org/2005/08/addressing",
    "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "http://schemas.xmlsoap.org/ws/2004/03/addressing",
    "http://schemas.microsoft.com/ws/2005/05/addressing/none",
})
# WS-Addressing versions whose MessageID gets a RelatesTo and an Action in the answer, and the
# action of a fault in each.
_WSA_FAULT_ACTIONS = {
    "http://www.w3.org/2005/08/addressing": "http://www.w3.org/2005/08/addressing/soap/fault",
    "http://schemas.xmlsoap.org/ws/2004/08/addressing": "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault",
}
# Headers for another node are not ours to understand (SOAP 1.1 actor, SOAP 1.2 role).
_OUR_ROLES = {None, "", "http://schemas.xmlsoap.org/soap/actor/next",
              "http://www.w3.org/2003/05/soap-envelope/role/next",
              "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"}
MAX_VIOLATIONS = 50
"""Most XSD violations reported for one request."""
_PARSE_SETTINGS = Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
_DECLARED_ENCODING = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=", re.S)
_MESSAGE_ELEMENT = re.compile(r"^Element '[^']*'(?:, attribute '(?P<attribute>[^']*)')?: ")
_CLARK = re.compile(r"\{[A-Za-z][^}\s']*\}")  # {uri}name, not an enumeration set {'Y', 'N'}
_EXPECTED = re.compile(r"Expected is(?: one of)? \( ([^ ,)]+)")
_CODES = {
    "SCHEMAV_CVC_ENUMERATION_VALID": ViolationCode.UNKNOWN_CATEGORY,
    "SCHEMAV_CVC_DATATYPE_VALID_1_2_1": ViolationCode.WRONG_TYPE,
    "SCHEMAV_CVC_PATTERN_VALID": ViolationCode.WRONG_TYPE,
    "SCHEMAV_CVC_MININCLUSIVE_VALID": ViolationCode.OUT_OF_RANGE,
    "SCHEMAV_CVC_MAXINCLUSIVE_VALID": ViolationCode.OUT_OF_RANGE,
    "SCHEMAV_CVC_MINEXCLUSIVE_VALID": ViolationCode.OUT_OF_RANGE,
    "SCHEMAV_CVC_MAXEXCLUSIVE_VALID": ViolationCode.OUT_OF_RANGE,
    "SCHEMAV_CVC_TOTALDIGITS_VALID": ViolationCode.OUT_OF_RANGE,
    "SCHEMAV_CVC_FRACTIONDIGITS_VALID": ViolationCode.OUT_OF_RANGE,
    "SCHEMAV_CVC_LENGTH_VALID": ViolationCode.OUT_OF_RANGE,
    "SCHEMAV_CVC_MINLENGTH_VALID": ViolationCode.OUT_OF_RANGE,
    "SCHEMAV_CVC_MAXLENGTH_VALID": ViolationCode.OUT_OF_RANGE,
}


@dataclass(frozen=True)
class Envelope:
    """An opened request: its version, its operation, and the parts still to read."""

    version: SoapVersion
    operation: Operation
    header: etree._Element | None
    body: etree._Element
    """The Body's single child: the wrapper element (document style) or operation element (rpc)."""
    addressing: tuple[str, str] | None = None
    """(WS-Addressing namespace, MessageID) when the request is addressed: the answer must say
    which request it relates to and carry its action, or WCF (wsHttpBinding) clients reject it."""


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """``application/soap+xml; charset=utf-8; action="urn:x"`` -> (media type, parameters)."""
    kind, *params = content_type.split(";")
    pairs = (p.split("=", 1) for p in params if "=" in p)
    return kind.strip().lower(), {k.strip().lower(): v.strip().strip('"') for k, v in pairs}


def element_path(element: etree._Element, top: etree._Element) -> str:
    """The mapping path of ``element`` below ``top``: local names, with [n] among same-named siblings."""
    parts = []
    while element is not None and element is not top:
        parent = element.getparent()
        name = etree.QName(element).localname
        same = [e for e in parent if e.tag == element.tag] if parent is not None else [element]
        parts.append(f"{name}[{same.index(element) + 1}]" if len(same) > 1 else name)
        element = parent
    return "/".join(reversed(parts))


class SoapCodec:
    """Reads requests and writes responses for one :class:`ServiceContract`: the message format
    ``soap`` in two steps (``EnvelopeFormat`` in ``adapters/codecs/base.py``, where it is registered)."""

    format_name: ClassVar[str] = "soap"

    def __init__(
        self, contract: ServiceContract, max_bytes: int, understood: frozenset[str] = frozenset(), any_action: bool = False
    ) -> None:
        self.contract = contract
        self.max_bytes = max_bytes
        self.any_action = any_action
        """Dispatch by the Body's element alone: a SOAP action that differs from the declared one is not refused."""
        self.understood = understood
        """Extra header elements (Clark names) that count as understood, e.g. a verified wsse:Security."""
        # The version used when a request's own cannot be known (not XML, not an Envelope).
        self.fallback = SoapVersion.SOAP11 if SoapVersion.SOAP11 in contract.versions else SoapVersion.SOAP12

    @staticmethod
    def content_type_fault(version: SoapVersion, content_type: str) -> SoapFault | None:
        """A 415 fault when the media type is not the one of the request's SOAP version (SOAP 1.1:
        ``text/xml``; 1.2: ``application/soap+xml``), else None."""
        kind = media_type(content_type)[0]
        expected = "text/xml" if version is SoapVersion.SOAP11 else "application/soap+xml"
        if kind == expected:
            return None
        fault = SoapFault(FaultCode.CLIENT, f"a SOAP {_number(version)} request is sent as {expected}, not {kind or 'no Content-Type'}",
                          status=415)
        fault.version = version
        return fault

    def version_hint(self, content_type: str) -> SoapVersion:
        soap12 = media_type(content_type)[0] == "application/soap+xml"
        wanted = SoapVersion.SOAP12 if soap12 else SoapVersion.SOAP11
        return wanted if wanted in self.contract.versions else self.fallback

    def open(self, data: bytes, content_type: str = "", soapaction: str | None = None) -> Envelope:
        kind, params = media_type(content_type)
        if kind.startswith("multipart/"):
            raise SoapFault(FaultCode.CLIENT, "MTOM and SOAP with attachments are not supported")
        charset = params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8") and not _DECLARED_ENCODING.match(data):
            # No XML declaration names the encoding, so the HTTP charset is the only word on it.
            try:
                data = data.decode(charset).encode("utf-8")
            except (LookupError, UnicodeDecodeError):
                raise SoapFault(FaultCode.CLIENT, f"body is not valid {charset}") from None
        try:
            root = parse_untrusted(data, self.max_bytes)
        except InvalidInput as exc:
            raise SoapFault(FaultCode.CLIENT, exc.violations[0].message) from None
        served = sorted(self.contract.versions, key=lambda v: v.value)
        if root.tag not in (f"{{{SOAP11_ENV}}}Envelope", f"{{{SOAP12_ENV}}}Envelope"):
            raise SoapFault(FaultCode.VERSION_MISMATCH, "not a SOAP 1.1 or 1.2 Envelope", upgrade=served)
        version = SoapVersion(etree.QName(root).namespace)
        if version not in self.contract.versions:
            # Answered in the caller's own version, so that it can read it (SOAP 1.2 Appendix A).
            fault = SoapFault(FaultCode.VERSION_MISMATCH, f"this endpoint does not speak SOAP {_number(version)}", upgrade=served)
            fault.version = version
            raise fault
        try:
            return self._open(version, root, params.get("action", ""), soapaction)
        except SoapFault as fault:
            fault.version = version
            raise

    def _open(self, version: SoapVersion, root: etree._Element, param_action: str, soapaction: str | None) -> Envelope:
        env = version.value
        header = root.find(f"{{{env}}}Header")
        body = root.find(f"{{{env}}}Body")
        if body is None:
            raise SoapFault(FaultCode.CLIENT, "the Envelope has no Body")
        children = [child for child in body if isinstance(child.tag, str)]
        if len(children) != 1:
            raise SoapFault(FaultCode.CLIENT, f"expected one element in the Body, found {len(children)}")
        action = (soapaction or "").strip().strip('"') or param_action
        operation = self.contract.dispatch(version, children[0].tag, action)
        if operation is None:
            raise SoapFault(FaultCode.CLIENT, f"no operation takes {children[0].tag}")
        if action and operation.soapaction and action != operation.soapaction and not self.any_action:
            # An empty or missing action is common and harmless; a different one means another operation.
            raise SoapFault(FaultCode.CLIENT, f"the SOAP action {action!r} is not that of operation {operation.name} "
                                              f"({operation.soapaction!r})")
        addressing = None
        if header is not None:
            self._check_must_understand(version, header, operation)
            addressing = next(
                ((ns, (h.text or "").strip()) for ns in _WSA_FAULT_ACTIONS if (h := header.find(f"{{{ns}}}MessageID")) is not None),
                None,
            )
        return Envelope(version, operation, header, children[0], addressing)

    def _check_must_understand(self, version: SoapVersion, header: etree._Element, operation: Operation) -> None:
        env = version.value
        role_attr = f"{{{env}}}actor" if version is SoapVersion.SOAP11 else f"{{{env}}}role"
        missed = [
            entry.tag
            for entry in header
            if isinstance(entry.tag, str)
            and entry.get(f"{{{env}}}mustUnderstand", "").strip() in ("1", "true")
            and entry.get(role_attr) in _OUR_ROLES
            and etree.QName(entry).namespace not in UNDERSTOOD_NAMESPACES
            and entry.tag not in operation.declared_headers
            and entry.tag not in self.understood
        ]
        if missed:
            raise SoapFault(FaultCode.MUST_UNDERSTAND, f"header not understood: {missed[0]}", not_understood=missed)

    def read(self, envelope: Envelope) -> dict[str, Any]:
        """The body as {path: value}; raises InvalidInput naming the caller's element paths."""
        operation, body = envelope.operation, envelope.body
        validator = self.contract.validator
        if operation.validated and not validator.validate(body):
            known = self.contract.element_names
            # Bounded: 5,000 unknown attributes must not become a 400 KB fault (test_soap_bad_input.py).
            raise InvalidInput([_violation(body, error, known) for error in list(validator.error_log)[:MAX_VIOLATIONS]])
        if operation.read_plan is not None:
            try:
                return plan_io.read_body(body, operation.read_plan)
            except plan.Unsupported:
                pass  # e.g. an xsi:type extension: zeep's generic parse below handles it
            except (ValueError, ArithmeticError) as exc:
                raise InvalidInput([FieldViolation(field="", code=ViolationCode.WRONG_TYPE, message=str(exc))]) from None
        try:
            value = operation.zeep.input.body.parse(body, self.contract.document.types, context=XmlParserContext(_PARSE_SETTINGS))
        except (zeep_errors.Error, ValueError, ArithmeticError) as exc:
            # Mostly where the XSD did not check first (rpc style): zeep's own complaint.
            raise InvalidInput([FieldViolation(field="", code=ViolationCode.MALFORMED, message=str(exc))]) from None
        return flatten_body(serialize_object(value, dict), operation.zeep.input.body, self.contract.facts.prefixes)

    def encode(self, envelope: Envelope, values: dict[str, Any]) -> bytes:
        """The operation's output message, for the request's SOAP version, filled from {path: value}."""
        nested = fixed_point(nest(values))
        node = envelope.operation.write_plan
        if node is not None:
            env = envelope.version.value
            root = etree.Element(f"{{{env}}}Envelope", nsmap={"soap": env})
            plan_io.write_body(etree.SubElement(root, f"{{{env}}}Body"), node, nested)
        else:
            output = envelope.operation.zeep.output
            args, kwargs = serialize_args(output.body, nested)
            root = output.serialize(*args, **kwargs).content
        if replies := self.reply_headers(envelope):
            header = root.find(f"{{{envelope.version.value}}}Header")
            if header is None:
                header = etree.Element(f"{{{envelope.version.value}}}Header")
                root.insert(0, header)
            header.extend(replies)
        return etree.tostring(root, xml_declaration=True, encoding="utf-8")

    @staticmethod
    def reply_headers(envelope: Envelope, fault: bool = False) -> list[etree._Element]:
        """WS-Addressing headers of the answer to an addressed request (none otherwise)."""
        if envelope.addressing is None:
            return []
        ns, message_id = envelope.addressing
        operation = envelope.operation
        action = etree.Element(f"{{{ns}}}Action", nsmap={"wsa": ns})
        action.set(f"{{{envelope.version.value}}}mustUnderstand", "1")
        action.text = _WSA_FAULT_ACTIONS[ns] if fault else operation.output_action or f"{operation.soapaction}Response"
        relates_to = etree.Element(f"{{{ns}}}RelatesTo", nsmap={"wsa": ns})
        relates_to.text = message_id
        return [action, relates_to]


def _number(version: SoapVersion) -> str:
    return "1.1" if version is SoapVersion.SOAP11 else "1.2"


def _violation(body: etree._Element, error: etree._LogEntry, known: frozenset[str]) -> FieldViolation:
    """A libxml2 validation error -> a violation naming the element path the caller sent."""
    field = ""
    # libxml2 reports paths from the validated subtree's root ("/*/*[3]/*[6]" or "/t:Wrapper/t:Loan").
    namespaces = {el.prefix: etree.QName(el).namespace for el in body.iter() if isinstance(el.tag, str) and el.prefix}
    path = error.path or ""
    rest = path[path.find("/", 1):] if path.count("/") > 1 else ""
    try:
        found = body.xpath("." + rest, namespaces=namespaces) if rest else [body]
    except etree.XPathError:
        found = []
    if found and isinstance(found[0], etree._Element):
        field = element_path(found[0], body)
    if (about := _MESSAGE_ELEMENT.match(error.message)) and about.group("attribute"):
        attribute = f"@{_CLARK.sub('', about.group('attribute'))}"
        field = f"{field}/{attribute}" if field else attribute
    message = _CLARK.sub("", _MESSAGE_ELEMENT.sub("", error.message)).strip()
    code = _CODES.get(error.type_name, ViolationCode.MALFORMED)
    expected = _EXPECTED.search(error.message)
    if expected and found and isinstance(found[0], etree._Element):
        missing = _CLARK.sub("", expected.group(1))
        if "Missing child element" in error.message:
            return FieldViolation(field=f"{field}/{missing}", code=ViolationCode.MISSING, message="is required")
        if "Expected is (" in error.message and etree.QName(found[0]).localname in known:
            # A known element where another was required: the required one is missing.
            parent = field.rpartition("/")[0]
            return FieldViolation(field=f"{parent}/{missing}".lstrip("/"), code=ViolationCode.MISSING, message="is required")
    return FieldViolation(field=field, code=code, message=message)
