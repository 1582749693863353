"""SoapChannelConfig: one legacy WSDL served on one HTTP path, and how each operation maps.

Read from a TOML or JSON file (``SoapChannelConfig.load``); relative paths in the file are
relative to the file itself, so a contract folder (WSDL, XSDs, mapping) can be moved as a whole.
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, field_validator, model_validator

from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.mapping import ErrorField, RequestMapping, ResponseMapping
from scoregate.core.errors import ErrorKind, ViolationCode
from scoregate.core.settings import SecretFile

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_REQUEST_TIMEOUT_S = 5.0
DEFAULT_HEALTH_PATH = "/healthz"
DEFAULT_READY_PATH = "/readyz"
DEFAULT_METRICS_PATH = "/metrics"
DEFAULT_GRACE_S = 5.0
DEFAULT_MAX_SKEW_S = 300.0
DEFAULT_NONCE_CACHE_SIZE = 100_000


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LimitsConfig(_Strict):
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=512)
    """Largest request body accepted; a larger one gets a Client/Sender fault before it is parsed."""
    request_timeout_s: float = Field(default=DEFAULT_REQUEST_TIMEOUT_S, gt=0)
    """Time from the request's arrival to its answer; it is also the deadline sent to the core.
    When it passes, the caller gets a Server/Receiver fault."""


class Credential(_Strict):
    """One caller allowed in: a user name and where its password comes from."""

    username: str
    password: SecretStr | None = None
    """The password itself: for tests and demos; in production use ``password_env``."""
    password_env: str | None = None
    """Name of the environment variable holding the password."""
    password_file: Path | None = None
    """File holding the password (a mounted secret; relative to the channel file): read at start
    and again when it changes."""
    _file: SecretFile | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_source(self) -> Credential:
        if sum(x is not None for x in (self.password, self.password_env, self.password_file)) != 1:
            raise ValueError(f"{self.username}: give exactly one of password, password_env or password_file")
        if self.password_file is not None and not self.password_file.is_file():
            raise ValueError(f"{self.username}: password_file {self.password_file} is not a file")
        return self

    def secret(self, environ: Mapping[str, str]) -> str:
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file is not None:
            if self._file is None:
                try:
                    self._file = SecretFile(self.password_file)
                except OSError as error:
                    raise ValueError(f"password_file of {self.username!r}: {error.strerror or error}: {self.password_file}") from None
            return self._file.read()
        assert self.password_env is not None
        if self.password_env not in environ:
            raise ValueError(f"environment variable {self.password_env} (password of {self.username!r}) is not set")
        return environ[self.password_env]


class ClientCertificate(_Strict):
    """A client certificate subject allowed on a mutual-TLS endpoint, and the caller it stands for."""

    subject: str
    """Attributes the certificate's subject must have, RFC 4514 (``CN=los-gateway,O=Bank``)."""
    caller: str
    """The caller's name in log lines (``caller``) and the audit."""


class SecurityConfig(_Strict):
    """WS-Security UsernameToken required on every request of the endpoint."""

    credentials: tuple[Credential, ...] = Field(min_length=1)
    allow_password_text: bool = True
    """PasswordText sends the password itself: turn it off to require PasswordDigest
    (and serve HTTPS whenever PasswordText is allowed)."""
    max_skew_s: float = Field(default=DEFAULT_MAX_SKEW_S, gt=0)
    """How far ``wsu:Created`` may be from this server's clock, either way; nonces are kept twice as long."""
    nonce_cache_size: int = Field(default=DEFAULT_NONCE_CACHE_SIZE, ge=100)
    """Most nonces remembered at once (per process; not used with ``nonce_store``)."""
    nonce_store: Path | None = None
    """A SQLite file shared by the worker processes of this host, so that a nonce is accepted
    once across all of them (``uvicorn --workers N``); None: each process keeps its own."""


class ToleranceConfig(_Strict):
    """Deviations from the SOAP HTTP binding accepted from callers known to make them."""

    content_type: bool = False
    """Accept a request whatever its Content-Type (e.g. SOAP 1.2 sent as ``text/xml``); otherwise a
    SOAP 1.1 request must say ``text/xml`` and a 1.2 one ``application/soap+xml``, or it gets HTTP
    415 and a Client/Sender fault."""
    soap_action: bool = False
    """Dispatch by the Body's element alone, whatever the SOAPAction header (or the 1.2 ``action``
    parameter) says; otherwise an action other than the operation's declared ``soapAction`` is
    refused with a Client/Sender fault. An empty or missing action is always accepted."""


class ViolationDetail(_Strict):
    """Where field violations go inside a fault element: one repeated structure per violation."""

    target: str
    """Path of the repeated element inside the fault element, e.g. ``ValidationErrors/ValidationError``."""
    field: str | None = None
    """Child (path) that receives the caller's field path; None leaves it out."""
    code: str | None = None
    """Child that receives the violation code (after ``codes``)."""
    message: str | None = None
    """Child that receives the human-readable message."""
    codes: dict[ViolationCode, str] | None = None
    """Canonical violation code -> legacy error code (default: the canonical code)."""
    limit: int = Field(default=50, ge=1)
    """Most violations reported in one fault."""


class FaultMapping(_Strict):
    """Which canonical errors use a WSDL-declared fault of the operation, and what its detail holds."""

    kinds: tuple[ErrorKind, ...]
    """The canonical error kinds answered with this fault (each kind at most once per operation)."""
    fault: str | None = None
    """Name of the ``wsdl:fault`` of the operation whose element is the fault ``detail``; None: no detail."""
    detail: tuple[ErrorField, ...] = ()
    """Values inside the fault element (paths relative to it), as in ``ResponseMapping.error``."""
    violations: ViolationDetail | None = None
    """Field violations of an invalid request, one repeated element each."""


class OperationConfig(_Strict):
    """How one WSDL operation (by name; the same in every binding) maps to the canonical contract."""

    request: RequestMapping
    """Paths are relative to the input wrapper (body) element: ``Application/Applicant/DateOfBirth``.
    A repeated element is addressed by a 1-based index (``Addresses/Address[2]/YearsAtAddress``);
    without an index, the first occurrence is meant, as XPath's string value is."""
    response: ResponseMapping
    """Paths are relative to the output wrapper element; ``[n]`` and ``{n}`` index repeated elements.
    Fault details are configured in ``faults`` (``response.error`` must stay empty here)."""
    faults: tuple[FaultMapping, ...] = ()
    """Errors not listed get a fault without detail: Client/Sender for invalid input,
    Server/Receiver for the rest."""
    types: dict[str, str] = {}
    """Output element path -> the derived XSD type it is written as, with ``xsi:type`` (the type's
    name, or ``{namespace}name``): required for an element of an abstract type (JAX-WS
    polymorphism), and it makes that type's own elements targets."""

    @model_validator(mode="after")
    def _check(self) -> OperationConfig:
        if self.response.error:
            raise ValueError("SOAP fault details belong in 'faults', not in 'response.error'")
        kinds = [k for f in self.faults for k in f.kinds]
        if len(set(kinds)) != len(kinds):
            raise ValueError("an error kind is mapped to more than one fault")
        return self


class SoapChannelConfig(_Strict):
    """One legacy SOAP endpoint: the WSDL it honours, where it listens, and how it maps."""

    wsdl: Path
    """The legacy WSDL file, served byte for byte on ``GET <path>?wsdl``."""
    path: str
    """HTTP path the legacy clients post to (the path of the WSDL's ``soap:address``)."""
    public_url: str | None = None
    """If set, ``soap:address/@location`` in the served WSDL is rewritten to it; nothing else is."""
    documents: dict[str, Path] = {}
    """Local copies of documents the contract refers to other than by a relative path: by the name
    in a ``?xsd=NAME`` reference (WCF style), or by an absolute URL
    (``"http://schemas.example.org/common/v1/common.xsd" = "common/common.xsd"``; its own relative
    references resolve beside the copy). Plain relative ``schemaLocation`` files need no entry."""
    host: str = DEFAULT_HOST
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    """0 picks a free port; ``SoapChannel.port`` tells which after start."""
    tls_cert_file: Path | None = None
    """PEM certificate chain; with ``tls_key_file`` the endpoint speaks HTTPS only."""
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None
    """PEM certificates of the CAs that sign callers' certificates: set, the TLS handshake requires
    a client certificate they signed (mutual TLS; needs tls_cert_file)."""
    client_certificates: tuple[ClientCertificate, ...] = ()
    """Allowed client certificate subjects and the caller each is; empty: every certificate the CA
    signed, named by its subject. A subject on no entry gets a Client/Sender fault."""
    health_path: str = DEFAULT_HEALTH_PATH
    """Liveness: 200 while the process serves HTTP."""
    ready_path: str = DEFAULT_READY_PATH
    """Readiness: 200 when the channel is started, not stopping, and the core was last reachable."""
    metrics_path: str = DEFAULT_METRICS_PATH
    """Prometheus text of all worker processes, served only under ``uvicorn --factory --workers N``
    with ``PROMETHEUS_MULTIPROC_DIR`` set (server.create_app); the gateway serves its own on the health port."""
    grace_s: float = Field(default=DEFAULT_GRACE_S, ge=0)
    """Default time for in-flight requests to finish on stop."""
    limits: LimitsConfig = LimitsConfig()
    tolerate: ToleranceConfig = ToleranceConfig()
    security: SecurityConfig | None = None
    """None: no WS-Security check (and a ``wsse:Security`` header marked mustUnderstand is a fault)."""
    namespaces: dict[str, str] = {}
    """Prefix -> namespace URI. Where one parent has two children of the same name in different
    namespaces, each is named in paths by its namespace's prefix here (``m:Amount``)."""
    operations: dict[str, OperationConfig]
    """WSDL operation name -> its mapping."""
    unmapped_operations: Literal["refuse", "fault"] = "refuse"
    """WSDL operations without a mapping: ``refuse`` to start (a forgotten operation is more often a
    slip than a choice), or start and answer their calls with a Client/Sender fault (``fault``:
    a large contract of which one operation is scored)."""

    @field_validator("path", "health_path", "ready_path", "metrics_path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"an HTTP path starts with '/': {value!r}")
        return value

    @model_validator(mode="after")
    def _check(self) -> SoapChannelConfig:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("tls_cert_file and tls_key_file go together")
        if self.tls_client_ca_file is not None and self.tls_cert_file is None:
            raise ValueError("tls_client_ca_file (client certificates) needs tls_cert_file and tls_key_file")
        if self.client_certificates and self.tls_client_ca_file is None:
            raise ValueError("client_certificates need tls_client_ca_file")
        if len({self.path, self.health_path, self.ready_path, self.metrics_path}) != 4:
            raise ValueError("path, health_path, ready_path and metrics_path must differ")
        return self

    @classmethod
    def load(cls, file: Path | str, **overrides: Any) -> SoapChannelConfig:
        """Read a ``.toml`` or ``.json`` file; ``overrides`` replace top-level keys (host, port, ...)."""
        file = Path(file)
        data = {**read_config_file(file), **overrides}
        base = file.resolve().parent
        for key in ("wsdl", "tls_cert_file", "tls_key_file", "tls_client_ca_file"):
            if data.get(key):
                data[key] = base / data[key]
        data["documents"] = {name: base / p for name, p in data.get("documents", {}).items()}
        security = data.get("security")
        if isinstance(security, dict) and security.get("nonce_store"):
            security = data["security"] = dict(security)
            security["nonce_store"] = base / security["nonce_store"]
        if isinstance(security, dict) and isinstance(security.get("credentials"), list):
            security = data["security"] = dict(security)
            security["credentials"] = [
                {**c, "password_file": base / c["password_file"]} if isinstance(c, dict) and c.get("password_file") else c
                for c in security["credentials"]
            ]
        return cls.model_validate(data)
