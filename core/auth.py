"""Who calls the core, and which models each caller may use.

A caller proves who it is in one of two ways, checked by :class:`AccessInterceptor` before a
handler runs:

- **a client certificate** (mutual TLS, ``tls_client_ca_file``): the handshake has already
  proved that the CA signed it; the access file's ``[[subject]]`` entries say which subjects may
  call. An entry names some attributes of the subject (``"CN=gateway-a"``, ``"CN=gw,O=Bank"``);
  a certificate matches when its subject has every one of them.
- **a bearer token** in the ``authorization`` call metadata (``Bearer <token>``): the file keeps
  its SHA-256, never the token; or, with a ``[jwt]`` section, a JWT signed by an identity
  provider whose public key the file names (``core/jwt_tokens.py``): its ``sub`` is the caller,
  a claim lists its models, and its label in metrics is the section's ``name``. Tokens are random (``scoregate core token`` makes 32 bytes), so a
  plain hash cannot be reversed; a slow password hash (argon2) would only cost each call time.
  The core checks tokens on plain connections too, but a token sent in the clear can be replayed
  by whoever sees it: serve TLS wherever tokens are used.

Each entry may list the models it may use; DescribeModel, Score, ScoreBatch, ScoreStream and the V2
endpoint's ModelInfer, ModelMetadata and ModelReady for
another model are refused with PERMISSION_DENIED, and ListModels shows only those. A call with
no credential the file accepts is refused with UNAUTHENTICATED. The health service stays open
(probes carry no credential; with mutual TLS they still need a certificate to connect).

The access file is read again when it changes (:meth:`AccessPolicy.reload_if_changed`, on the
core's model poll): a subject or token taken out is refused from the next call on, on connections
already open too. A file that no longer reads keeps the previous list in force and is logged.

The caller's name travels into the core's log lines (``caller``), and the
``scoregate_core_calls`` counter by caller name (bounded by the access file) and outcome.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc

from scoregate.core import status
from scoregate.core.accessfile import (  # noqa: F401 - subject_attributes: the adapters' way to match subjects
    AccessFile,
    AccessFileError,
    SubjectEntry,
    TokenEntry,
    read_access_file,
    subject_attributes,
)
from scoregate.core.errors import AccessDenied, ScoreError, Unauthenticated
from scoregate.core.jwt_tokens import JwtVerifier
from scoregate.core.logcontext import caller_context
from scoregate.core.tls import file_stamp

log = logging.getLogger(__name__)

AUTHORIZATION_HEADER = "authorization"
_BEARER = "bearer "
_OPEN_PREFIX = "/grpc.health.v1.Health/"
_LIST_MODELS = "/scoregate.v1.Scoring/ListModels"
_REFUSAL_LOG_EVERY_S = 60.0
_MATCH_CACHE = 1024
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Caller:
    """Who a call comes from, as the core authenticated it."""

    subject: str
    """The certificate's full subject, or the token's name."""
    label: str
    """A bounded name for metrics: the access file entry's name, ``certificate`` or ``anonymous``."""
    how: str
    """``certificate``, ``token``, ``jwt`` or ``anonymous``."""
    models: frozenset[str] | None = None
    """Models it may use; None: every model."""

    def may_use(self, model: str) -> bool:
        return self.models is None or model in self.models


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccessPolicy:
    """The callers allowed now: from the access file (reloaded on change), or anyone if there is none."""

    def __init__(self, access_file: Path | None, client_certificates: bool) -> None:
        self.path = access_file
        self.client_certificates = client_certificates
        self._stamp = (-1, -1)
        self._subjects: list[tuple[frozenset[tuple[str, str]], SubjectEntry]] = []
        self._tokens: dict[str, TokenEntry] = {}
        self._jwt: JwtVerifier | None = None
        self._key_file: Path | None = None
        self._matches: dict[str, Caller | None] = {}
        if access_file is not None:
            self._load(read_access_file(access_file), ())
            self._stamp = self._stamps()

    @property
    def enforced(self) -> bool:
        return self.path is not None

    def _load(self, access: AccessFile, stamp: tuple) -> None:
        self._subjects = [(subject_attributes(e.name), e) for e in access.subject]
        self._tokens = {e.sha256.lower(): e for e in access.token}
        self._jwt = access.verifier
        self._key_file = access.jwt.public_key_file if access.jwt is not None else None
        self._matches = {}
        self._stamp = stamp

    def _stamps(self) -> tuple:
        """The access file's, and the JWT public key's: a rotated key is a change too."""
        assert self.path is not None
        return (file_stamp(self.path), file_stamp(self._key_file) if self._key_file is not None else None)

    def reload_if_changed(self) -> bool:
        """Read the access file again if it (or the JWT key) changed; True when new entries took effect."""
        if self.path is None:
            return False
        stamp = self._stamps()
        if stamp == self._stamp:
            return False
        try:
            access = read_access_file(self.path)
        except AccessFileError as error:
            self._stamp = stamp  # report a broken file once, not on every poll
            log.error("access file not reloaded, the previous callers stay allowed: %s", error)
            return False
        self._load(access, stamp)
        self._stamp = self._stamps()
        log.info("access file reloaded: %d subjects, %d tokens%s", len(self._subjects), len(self._tokens),
                 ", JWT" if self._jwt is not None else "")
        return True

    def identify(
        self, auth_context: Callable[[], Mapping[str, Sequence[bytes]]], metadata: Callable[[], Sequence[tuple[str, str | bytes]]],
    ) -> Caller:
        """The caller of a call, or raise Unauthenticated / AccessDenied. Each source is read only
        when configured (gRPC builds them per call: 4-7 us each)."""
        token = None
        for key, value in (metadata() or ()) if self._tokens or self._jwt is not None else ():
            if key == AUTHORIZATION_HEADER and isinstance(value, str) and value[:7].lower() == _BEARER:
                token = value[7:].strip()
                break
        subject_values = auth_context().get("x509_subject") if self.client_certificates else None
        subject = subject_values[0].decode("utf-8", "replace") if subject_values else ""
        if not self.enforced:
            return Caller(subject, "certificate", "certificate") if subject else Caller(ANONYMOUS, ANONYMOUS, ANONYMOUS)
        if token is not None:
            entry = self._tokens.get(hash_token(token))
            if entry is not None:
                return Caller(entry.name, entry.name, "token", frozenset(entry.models) if entry.models is not None else None)
            if self._jwt is not None and self._jwt.looks_like_jwt(token):
                verified = self._jwt.verify(token)  # raises Unauthenticated saying why
                return Caller(verified.subject, self._jwt.label, "jwt", verified.models)
            raise Unauthenticated("the bearer token is not accepted")
        if subject:
            caller = self._match(subject)
            if caller is None:
                raise AccessDenied(f"certificate subject {subject!r} is not allowed")
            return caller
        raise Unauthenticated("a client certificate or a bearer token is required")

    def _match(self, subject: str) -> Caller | None:
        if subject in self._matches:
            return self._matches[subject]
        try:
            attributes = subject_attributes(subject)
        except ValueError:
            attributes = frozenset()
        caller = None
        for wanted, entry in self._subjects:
            if wanted <= attributes:
                caller = Caller(subject, entry.name, "certificate", frozenset(entry.models) if entry.models is not None else None)
                break
        if len(self._matches) >= _MATCH_CACHE:
            self._matches.clear()
        self._matches[subject] = caller
        return caller


# The V2 protocol's requests name their model in fields of their own.
_V2_MODEL_FIELDS = {"inference.ModelInferRequest": "model_name", "inference.ModelReadyRequest": "name",
                    "inference.ModelMetadataRequest": "name"}


def model_named(request: object) -> str | None:
    """The model a request is for (``scoregate.v1`` or KServe V2); None for server-wide calls."""
    model = getattr(request, "model", None)
    if model is not None:
        return model
    field = _V2_MODEL_FIELDS.get(type(request).DESCRIPTOR.full_name) if hasattr(type(request), "DESCRIPTOR") else None
    return getattr(request, field) if field else None


class AccessInterceptor(grpc.aio.ServerInterceptor):
    """Authenticates every call but health checks, and checks the model it names."""

    def __init__(self, policy: AccessPolicy, count: Callable[[str, str], None]) -> None:
        self.policy = policy
        self._count = count  # (caller label, outcome) -> metrics
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}
        self._refusals_logged: dict[tuple[str, str], float] = {}
        self._seen: set[str] = set()

    async def intercept_service(self, continuation, handler_call_details):  # noqa: ANN001, ANN201 - grpc's signature
        method = handler_call_details.method
        if method.startswith(_OPEN_PREFIX):
            return await continuation(handler_call_details)
        wrapped = self._wrapped.get(method)
        if wrapped is None:
            handler = await continuation(handler_call_details)
            if handler is None:
                return None
            wrapped = self._wrapped.setdefault(method, self._wrap(method, handler))
        return wrapped

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        authorize = self._authorize
        if handler.unary_unary is not None:
            inner = handler.unary_unary
            list_models = method == _LIST_MODELS

            async def unary(request, context):  # noqa: ANN001, ANN202
                caller = await authorize(method, context, None if list_models else model_named(request))
                with caller_context(caller.subject):
                    response = await inner(request, context)
                if list_models and caller.models is not None:
                    keep = [m for m in response.models if m.model in caller.models]
                    del response.models[:]
                    response.models.extend(keep)
                return response

            return grpc.unary_unary_rpc_method_handler(unary, handler.request_deserializer, handler.response_serializer)
        if handler.stream_stream is not None:
            inner_stream = handler.stream_stream

            async def stream(request_iterator, context):  # noqa: ANN001, ANN202
                caller = await authorize(method, context, None)

                async def checked() -> AsyncIterator:
                    async for request in request_iterator:
                        model = model_named(request)
                        if model is not None and not caller.may_use(model):
                            await self._refuse(method, context, caller.label, caller.subject, self._not_allowed(caller, model))
                        yield request

                with caller_context(caller.subject):
                    async for response in inner_stream(checked(), context):
                        yield response

            return grpc.stream_stream_rpc_method_handler(stream, handler.request_deserializer, handler.response_serializer)
        # unary-stream and stream-unary: the core has none but reflection's stream-stream; refuse rather than pass unchecked
        raise TypeError(f"no access check for the call shape of {method}")

    @staticmethod
    def _not_allowed(caller: Caller, model: str) -> AccessDenied:
        return AccessDenied(f"caller {caller.label!r} may not use model {model!r}")

    async def _authorize(self, method: str, context: grpc.aio.ServicerContext, model: str | None) -> Caller:
        try:
            caller = self.policy.identify(context.auth_context, context.invocation_metadata)
        except AccessDenied as error:
            subject = (context.auth_context().get("x509_subject") or [b""])[0].decode("utf-8", "replace")
            await self._refuse(method, context, ANONYMOUS, subject, error)
        if model is not None and not caller.may_use(model):
            await self._refuse(method, context, caller.label, caller.subject, self._not_allowed(caller, model))
        self._count(caller.label, "allowed")
        if caller.subject not in self._seen:  # one line per caller, not per call
            if len(self._seen) >= _MATCH_CACHE:
                self._seen.clear()
            self._seen.add(caller.subject)
            with caller_context(caller.subject):
                log.info("caller %r (%s) authenticated by %s from %s", caller.subject, caller.label, caller.how, context.peer())
        return caller

    async def _refuse(self, method: str, context: grpc.aio.ServicerContext, label: str, subject: str, error: ScoreError) -> None:
        outcome = "unauthenticated" if isinstance(error, Unauthenticated) else "denied"
        self._count(label, outcome)
        key = (subject, error.message)
        now = time.monotonic()
        # A misconfigured gateway calls thousands of times a second: one line per reason a minute.
        if now - self._refusals_logged.get(key, -_REFUSAL_LOG_EVERY_S) >= _REFUSAL_LOG_EVERY_S:
            if len(self._refusals_logged) >= _MATCH_CACHE:
                self._refusals_logged.clear()
            self._refusals_logged[key] = now
            with caller_context(subject or ANONYMOUS):
                log.warning("%s refused for %s: %s", method.rpartition("/")[2], context.peer(), error.message)
        await context.abort_with_status(status.to_status(error))
