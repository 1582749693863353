"""The HTTP side: a bare ASGI app (no web framework) serving one legacy SOAP endpoint.

Routes, all on the configured paths:

- ``POST <path>``: a SOAP 1.1 or 1.2 request -> codec -> mapping -> scoring client -> codec;
  every failure is a SOAP fault (faults.py), never an HTML page or a stack trace.
- ``GET <path>?wsdl``: the legacy WSDL byte for byte (only ``soap:address/@location`` rewritten
  when ``public_url`` is set); ``GET <path>?xsd=NAME`` and ``GET <relative path>``: imported schemas;
  ``GET <path>?singleWsdl``: the whole contract flattened into one document (WCF style, single.py).
- ``GET <health_path>`` (liveness) and ``GET <ready_path>`` (readiness: the scoring client's probe of the core).
- ``GET <metrics_path>``: Prometheus text, only when given a registry to export (several workers).

Each POST to ``<path>`` is one request in ``metrics`` (adapters/metrics.py): scored, or an error of
the canonical kind its fault answers; envelope, security and size faults also count an event.

Parsing and serializing are synchronous CPU work of a few hundred microseconds: they run inline on
the event loop, which is cheaper than a thread hop at that size (research: soap-feasibility §5).
More throughput comes from more processes (server.create_app), not threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urljoin, urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from scoregate.adapters.codecs.base import format_class
from scoregate.adapters.mapping import rename_violations
from scoregate.adapters.metrics import ChannelMetrics, Outcome
from scoregate.adapters.soap import faults
from scoregate.adapters.soap.codec import Envelope, SoapCodec
from scoregate.adapters.soap.config import SoapChannelConfig
from scoregate.adapters.soap.contract import ServiceContract
from scoregate.adapters.soap.faults import FaultCode, SoapFault, SoapResponse
from scoregate.adapters.soap.clientcert import CertificateCallers
from scoregate.adapters.soap.security import SECURITY_HEADER, UsernameTokenPolicy
from scoregate.core.client import REQUEST_ID_HEADER, AsyncScoringClient
from scoregate.core.errors import CoreUnavailable, DeadlineExpired, ErrorKind, InvalidInput, ScoreError
from scoregate.core.logcontext import caller_context, current_caller, request_context

log = logging.getLogger(__name__)

_TEXT = "text/plain; charset=utf-8"
_XML = "text/xml; charset=utf-8"
# Envelope faults that are protocol errors worth their own event beside the request's count.
_FAULT_EVENTS = {FaultCode.VERSION_MISMATCH: "version_mismatch", FaultCode.MUST_UNDERSTAND: "must_understand"}


class SoapApp:
    """ASGI application for one :class:`SoapChannelConfig`; create it inside the loop that serves it."""

    def __init__(
        self,
        config: SoapChannelConfig,
        client: AsyncScoringClient,
        contract: ServiceContract | None = None,
        security: UsernameTokenPolicy | None = None,
        metrics: ChannelMetrics | None = None,
        exported: CollectorRegistry | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.metrics = metrics if metrics is not None else ChannelMetrics("soap")
        """Every POST to ``config.path`` is counted once, from its first byte to its answer being out."""
        self.exported = exported
        """Served on ``config.metrics_path`` when set; None in the gateway, whose health port serves them."""
        self.contract = contract or ServiceContract.of(config)
        if security is None and config.security is not None:
            security = UsernameTokenPolicy(config.security)
        self.security = security
        understood = frozenset({SECURITY_HEADER}) if self.security else frozenset()
        self.certificates = (
            CertificateCallers([(c.subject, c.caller) for c in config.client_certificates])
            if config.tls_client_ca_file is not None else None
        )
        self.codec: SoapCodec = format_class("soap")(self.contract, config.limits.max_body_bytes, understood, config.tolerate.soap_action)
        self.accepting = True
        """False once the channel stops: readiness turns 503 so a load balancer drains us."""
        # Each imported document at the URL path a client resolves its reference to (RFC 3986:
        # "../xsd/a.xsd" from "/svc/Loan.asmx?wsdl" is "/xsd/a.xsd", outside the endpoint's folder).
        self._documents = {_resolved(config.path, route): route for route in self.contract.served if not route.startswith("?")}

    async def __call__(self, scope: dict, receive, send) -> None:  # noqa: ANN001 (ASGI callables)
        if scope["type"] == "lifespan":  # only when run by `uvicorn --factory` (several workers)
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if method == "POST" and path == self.config.path:
            await self._serve_post(scope, receive, send)
            return
        if method in ("GET", "HEAD"):
            status, body, content_type = await self._get(path, scope.get("query_string", b"").decode("latin-1"), method)
            extra = []
        elif method == "POST":
            fault = faults.render(self.codec.version_hint(_header(scope, b"content-type")), FaultCode.CLIENT,
                                  f"no SOAP endpoint at {path}")
            status, body, content_type, extra = 404, fault.body, fault.content_type, []
        else:
            status, body, content_type, extra = 405, b"method not allowed\n", _TEXT, [(b"allow", b"GET, POST")]
        await _respond(send, status, body, content_type, extra, head=method == "HEAD")

    # ------------------------------------------------------------------ GET
    async def _get(self, path: str, query: str, method: str = "GET") -> tuple[int, bytes, str]:
        if path == self.config.health_path:
            return 200, b"ok\n", _TEXT
        if path == self.config.ready_path:
            ready, detail = await self.readiness()
            return (200, b"ready\n", _TEXT) if ready else (503, f"not ready: {detail}\n".encode(), _TEXT)
        if path == self.config.metrics_path and self.exported is not None:
            return 200, generate_latest(self.exported), CONTENT_TYPE_LATEST
        if path == self.config.path:
            params = {k.lower(): v for k, v in parse_qs(query, keep_blank_values=True).items()}
            if params.get("wsdl", [""])[0] and (doc := self.contract.served_document(f"?wsdl={params['wsdl'][0]}")):
                return 200, doc, _XML  # WCF's imported WSDL (?wsdl=wsdl0)
            if "wsdl" in params:
                if method == "GET":  # HEAD sends no body
                    self.metrics.event("wsdl_served")
                return 200, self.contract.wsdl_bytes, _XML
            if "singlewsdl" in params:
                if self.contract.single_wsdl is None:
                    return 404, f"no ?singleWsdl: {self.contract.no_single_wsdl or 'it cannot be flattened'}\n".encode(), _TEXT
                if method == "GET":
                    self.metrics.event("wsdl_served")
                return 200, self.contract.single_wsdl, _XML
            if "xsd" in params and (doc := self.contract.served_document(f"?xsd={params['xsd'][0]}")):
                return 200, doc, _XML
            return 404, b"not found; the service description is at ?wsdl\n", _TEXT
        if (route := self._documents.get(path)) and (doc := self.contract.served_document(route)):
            return 200, doc, _XML
        return 404, b"not found\n", _TEXT

    async def readiness(self) -> tuple[bool, str]:
        if not self.accepting:
            return False, "stopping"
        # The client's probe of the core's health service; its first check may take a moment.
        state = await asyncio.to_thread(self.client.readiness)
        return state.ready, state.detail

    # ------------------------------------------------------------------ POST
    async def _serve_post(self, scope: dict, receive, send) -> None:  # noqa: ANN001
        """One SOAP request, counted exactly once: scored, or an error of one kind (see test_metrics.py)."""
        started = self.metrics.started()
        outcome, kind = Outcome.ERROR, ErrorKind.CORE_FAILURE  # unless the answer says otherwise
        try:
            try:
                response, kind, extra = await self._post(scope, receive)
            except asyncio.CancelledError:
                # The stop grace ran out with this call still at the core: the caller gets a Server
                # fault, not the server's plain-text 500 (tests/contract: stop with a short grace).
                error = CoreUnavailable("the service is stopping; retry later")
                kind = error.kind
                fault = faults.for_error(self.codec.version_hint(_header(scope, b"content-type")), error)
                with contextlib.suppress(Exception):
                    await _respond(send, fault.status, fault.body, fault.content_type, [(b"connection", b"close")])
                raise
            outcome = Outcome.SCORED if kind is None else Outcome.ERROR
            if not self.accepting and (b"connection", b"close") not in extra:
                # Stopping: the caller should not send its next request on a connection about to close.
                extra = [*extra, (b"connection", b"close")]
            await _respond(send, response.status, response.body, response.content_type, extra)
        finally:
            self.metrics.finished(started, outcome, kind)

    async def _post(self, scope: dict, receive) -> tuple[SoapResponse, ErrorKind | None, list]:  # noqa: ANN001
        """The answer, the error kind it reports (None when scored), and extra response headers."""
        content_type = _header(scope, b"content-type")
        soapaction = _header(scope, b"soapaction") or None
        # The caller's own id when it sends one (bounded: it goes into logs and gRPC metadata).
        request_id = _header(scope, REQUEST_ID_HEADER.encode())[:64] or uuid.uuid4().hex
        caller = self.certificates.caller(scope) if self.certificates is not None else ""
        with request_context(request_id, channel="soap"), caller_context(caller or ""):  # every log line of this request
            if caller is None:
                self.metrics.event("auth_failed")
                fault = SoapFault(FaultCode.CLIENT, "the client certificate is not allowed on this endpoint")
                log.info("client certificate refused: %s", scope.get("extensions", {}).get("tls", {}).get("client_cert_name"))
                return faults.from_envelope_fault(self.codec.version_hint(content_type), fault), ErrorKind.INVALID_INPUT, []
            return await self._post_in_context(scope, receive, content_type, soapaction, request_id)

    async def _post_in_context(
        self, scope: dict, receive, content_type: str, soapaction: str | None, request_id: str  # noqa: ANN001
    ) -> tuple[SoapResponse, ErrorKind | None, list]:
        started = time.monotonic()
        deadline = datetime.now(UTC) + timedelta(seconds=self.config.limits.request_timeout_s)
        extra: list = []
        try:
            # A client that sends its body slowly is bounded by the same timeout as the rest.
            async with asyncio.timeout(self.config.limits.request_timeout_s):
                body = await self._read_body(scope, receive)
        except TimeoutError:
            error = DeadlineExpired("body not received in time")
            response, kind = faults.for_error(self.codec.version_hint(content_type), error), error.kind
        else:
            if body is None:
                extra.append((b"connection", b"close"))  # the rest of an oversized body is never read
                self.metrics.event("too_large")
                fault = SoapFault(FaultCode.CLIENT, f"request larger than {self.config.limits.max_body_bytes} bytes")
                response = faults.from_envelope_fault(self.codec.version_hint(content_type), fault)
                kind = ErrorKind.INVALID_INPUT
            else:
                response, kind = await self._answer(body, content_type, soapaction, request_id, deadline)
        log.debug("soap request %s: %d in %.1f ms", request_id, response.status, (time.monotonic() - started) * 1000)
        return response, kind, [(b"x-request-id", request_id.encode()), *extra]

    async def _read_body(self, scope: dict, receive) -> bytes | None:  # noqa: ANN001
        """The request body, or None as soon as it is known to exceed the limit."""
        limit = self.config.limits.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _answer(
        self, body: bytes, content_type: str, soapaction: str | None, request_id: str, deadline: datetime
    ) -> tuple[SoapResponse, ErrorKind | None]:
        # Envelope and security faults are the caller's: counted as invalid input, plus an event.
        try:
            envelope = self.codec.open(body, content_type, soapaction)
        except SoapFault as fault:
            if event := _FAULT_EVENTS.get(fault.code):
                self.metrics.event(event)
            return faults.from_envelope_fault(self.codec.version_hint(content_type), fault), ErrorKind.INVALID_INPUT
        if not self.config.tolerate.content_type and (fault := self.codec.content_type_fault(envelope.version, content_type)):
            self.metrics.event("wrong_content_type")
            return faults.from_envelope_fault(envelope.version, fault), ErrorKind.INVALID_INPUT
        username = ""
        if self.security is not None:
            try:
                username = self.security.check(envelope.header)
            except SoapFault as fault:
                self.metrics.event("auth_failed")
                return faults.from_envelope_fault(envelope.version, fault), ErrorKind.INVALID_INPUT
        # Who asked, for the log lines and the audit: a client certificate's caller name wins over the user name.
        with caller_context(current_caller() or username):
            return await self._score(envelope, request_id, deadline)

    async def _score(self, envelope: Envelope, request_id: str, deadline: datetime) -> tuple[SoapResponse, ErrorKind | None]:
        mapping = self.config.operations.get(envelope.operation.name)
        if mapping is None:  # unmapped_operations = "fault"
            fault = SoapFault(FaultCode.CLIENT, f"operation {envelope.operation.name} is not served by this endpoint")
            return faults.from_envelope_fault(envelope.version, fault), ErrorKind.INVALID_INPUT
        reference = ""
        try:
            values = self.codec.read(envelope)
            request = mapping.request.decode(values, request_id=request_id, channel="soap", deadline=deadline)
            reference = request.caller.reference
            try:
                # The core gets the same deadline; this bound also covers a core that never answers.
                async with asyncio.timeout((deadline - datetime.now(UTC)).total_seconds()):
                    result = await self.client.score(request)
            except TimeoutError:
                raise DeadlineExpired() from None
            except InvalidInput as error:
                raise rename_violations(error, mapping.request) from None  # the caller's names, not the model's
            if result.fallback:  # counted by the gateway's decision recorder (fallback_scored)
                log.warning("soap request %s (%s): the scoring core is unavailable; answered by the fallback model %s:%s",
                            request_id, envelope.operation.name, result.model, result.version)
            out = mapping.response.encode_result(result, reference=reference, inputs=values)
            return SoapResponse(200, self.codec.encode(envelope, out), envelope.version.content_type), None
        except ScoreError as error:
            if not isinstance(error, InvalidInput):
                log.warning("soap request %s (%s): %s", request_id, envelope.operation.name, error.message)
            failure = error
        except Exception:  # a mapping that does not fit the WSDL, a bug: logged, answered as a Server fault
            log.exception("soap request %s (%s) failed", request_id, envelope.operation.name)
            failure = ScoreError("internal error")
        replies = self.codec.reply_headers(envelope, fault=True)
        response = faults.for_error(envelope.version, failure, envelope.operation, mapping.faults, reference, replies)
        return response, failure.kind


async def _respond(send, status: int, body: bytes, content_type: str, extra: list, head: bool = False) -> None:  # noqa: ANN001
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


def _resolved(path: str, reference: str) -> str:
    """The URL path a client resolves ``reference`` to against ``path`` (RFC 3986; urljoin needs an
    authority to drop the ".." that climb above "/")."""
    return urlsplit(urljoin(f"http://host{path}", reference)).path


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""
