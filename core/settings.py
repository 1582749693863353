"""Settings of the scoring core and of the scoring client, from arguments or the environment.

Core: ``SCOREGATE_CORE_*``; client: ``SCOREGATE_CLIENT_*`` (e.g. ``SCOREGATE_CORE_MODELS_DIR``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_MAX_BATCH_SIZE = 64
DEFAULT_MAX_BATCH_WAIT_MS = 0.0
DEFAULT_POLL_INTERVAL_S = 2.0
DEFAULT_MAX_MESSAGE_MB = 128
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_METRICS_PORT = 9102
"""The core's Prometheus port in the containers, the k8s manifests and ``scoregate drift``."""
DEFAULT_BREAKER_RESET_S = 1.0
DEFAULT_RECONNECT_BACKOFF_MAX_S = 1.0
DEFAULT_CONNECT_TIMEOUT_S = 2.0
DEFAULT_PROBE_INTERVAL_S = 0.5
DEFAULT_PROBE_TIMEOUT_S = 1.0


class SecretFile:
    """A secret kept in a file (a mounted Kubernetes Secret, a Vault agent's output).

    Read at start, and again when the file changes (looked at most every ``check_every_s``), so a
    rotated secret is used without a restart. Surrounding whitespace (the usual trailing newline)
    is not part of the secret. A file that disappears keeps the last value read.
    """

    def __init__(self, path: Path | str, check_every_s: float = 1.0) -> None:
        self.path = Path(path)
        self._check_every_s = check_every_s
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._value = ""
        self.read()  # at start: a missing or unreadable file is the caller's configuration error

    def read(self) -> str:
        now = time.monotonic()
        if self._stamp is not None and now - self._checked < self._check_every_s:
            return self._value
        with self._lock:
            self._checked = now
            try:
                st = os.stat(self.path)
            except OSError:
                if self._stamp is None:
                    raise
                return self._value
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                self._value = self.path.read_text().strip()
                self._stamp = stamp
            return self._value


def env_secret(name: str, environ: Mapping[str, str] = os.environ) -> str:
    """The secret in variable ``name``, or in the file that ``name``_FILE names (read now); "" if neither is set.

    Both set is a configuration error: which one wins would be a guess."""
    value, file = environ.get(name), environ.get(f"{name}_FILE")
    if value is not None and file is not None:
        raise ValueError(f"{name} and {name}_FILE are both set; keep one")
    if file is not None:
        try:
            return Path(file).read_text().strip()
        except OSError as error:
            raise ValueError(f"{name}_FILE: {error.strerror or error}: {file}") from None
    return value or ""


class CoreSettings(BaseSettings):
    """How ``scoregate core serve`` runs."""

    model_config = SettingsConfigDict(env_prefix="SCOREGATE_CORE_", extra="forbid")

    address: str = DEFAULT_ADDRESS
    """host:port to listen on; port 0 picks a free one (create_server returns it)."""
    models_dir: Path
    """Directory of NAME/VERSION/ model artifacts."""
    aliases: dict[str, str] = {}
    """Pinned default version per model name. The ``production`` alias of the model's
    ``aliases.json`` (``scoregate models promote``) wins over it; without either, the highest version."""
    workers: int = Field(default=1, ge=1)
    """Threads scoring at the same time (each runs XGBoost with ``xgb_threads``)."""
    xgb_threads: int = Field(default=1, ge=1)
    """OpenMP threads per XGBoost call; 1 was far steadier than 2 on a 2-core machine."""
    lone_batch_threads: int = Field(default=1, ge=1)
    """OpenMP threads for a batch of 512 rows or more from a lone caller (no other call open), when
    more than ``xgb_threads``. Worth 2 on a machine whose other cores are otherwise idle; on a
    shared, loaded 2-core machine two threads took 1.1-9.9 ms for 1,000 rows against 1.9 ms for
    one (docs/BENCHMARKS.md), so the default stays 1."""
    max_batch_size: int = Field(default=DEFAULT_MAX_BATCH_SIZE, ge=1)
    """Most single-row requests scored together in one micro-batch."""
    max_batch_wait_ms: float = Field(default=DEFAULT_MAX_BATCH_WAIT_MS, ge=0)
    """How long a micro-batch of two or more rows waits for more; 0 batches only what is already
    queued. A lone row never waits. asyncio rounds waits under 1 ms up to about 1 ms."""
    poll_interval_s: float = Field(default=DEFAULT_POLL_INTERVAL_S, gt=0)
    """How often the models directory is scanned for new versions."""
    max_message_mb: int = Field(default=DEFAULT_MAX_MESSAGE_MB, ge=1)
    """Largest gRPC message accepted or sent (a 1,000,000-row batch needs room)."""
    tls_cert_file: Path | None = None
    """PEM certificate chain; with tls_key_file, the server speaks TLS only. The certificate, key
    and client CA files are read again when they change (rotation without a restart, core/tls.py)."""
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None
    """PEM certificates of the CAs that sign callers' certificates: set, every connection must
    present a certificate they signed (mutual TLS). Needs tls_cert_file and tls_key_file."""
    access_file: Path | None = None
    """TOML list of the callers allowed (certificate subjects, hashes of bearer tokens) and the
    models each may use (core/auth.py); read again when it changes. None: anyone who connects
    (and, with tls_client_ca_file, presents a certificate signed by it) may call."""
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    """Port of the Prometheus /metrics endpoint (same host as ``address``); None: no endpoint, 0: a free port."""
    v2_http_port: int | None = Field(default=None, ge=0, le=65535)
    """Port of KServe V2 over HTTP/REST (``/v2/...``, same host as ``address``; core/v2/rest.py);
    None: none (V2 over gRPC is always on the gRPC port), 0: a free port. Plain HTTP without access
    checks: refused beside TLS or an access file."""
    reuse_port: bool = False
    """Let several core processes listen on one port (SO_REUSEPORT; the kernel spreads connections).
    Off by default so that a second server on a taken port fails instead of sharing it unseen."""
    grace_s: float = Field(default=5.0, ge=0)
    """On stop, how long in-flight calls may take to finish."""
    monitor_inputs: bool = True
    """Drift and data-quality monitoring of what is scored (core/monitoring.py), off the hot path."""
    drift_window_rows: int = Field(default=10_000, ge=100)
    """Rows per model version and channel over which each feature's drift (PSI) is measured."""
    drift_threshold: float = Field(default=0.2, gt=0)
    """PSI above which a feature's drift is logged as a warning (once per crossing)."""

    @model_validator(mode="after")
    def _tls_files_go_together(self) -> CoreSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("tls_cert_file and tls_key_file go together")
        if self.tls_client_ca_file is not None and self.tls_cert_file is None:
            raise ValueError("tls_client_ca_file (mutual TLS) needs tls_cert_file and tls_key_file")
        if self.v2_http_port is not None and (self.tls_cert_file is not None or self.access_file is not None):
            raise ValueError("v2_http_port (plain HTTP, no access checks) cannot serve beside TLS or an access file: "
                             "use V2 over gRPC on the core's port")
        return self


class ClientSettings(BaseSettings):
    """How the gateway reaches the core."""

    model_config = SettingsConfigDict(env_prefix="SCOREGATE_CLIENT_", extra="forbid")

    target: str = DEFAULT_ADDRESS
    """gRPC target of the core (host:port, or dns:///name:port for several cores)."""
    load_balancing: Literal["pick_first", "round_robin"] = "pick_first"
    """``round_robin`` spreads calls over every address the target resolves to (a headless
    Service in Kubernetes, ``ipv4:h1:p1,h2:p2``); ``pick_first`` uses one at a time."""
    timeout_s: float = Field(default=DEFAULT_TIMEOUT_S, gt=0)
    """Deadline of a call when the request carries none."""
    retry_attempts: int = Field(default=4, ge=1, le=5)
    """Attempts on UNAVAILABLE, within the call's deadline; 1 = no retry (gRPC caps it at 5)."""
    retry_initial_backoff_s: float = Field(default=0.05, gt=0)
    retry_max_backoff_s: float = Field(default=1.0, gt=0)
    breaker_failures: int = Field(default=5, ge=1)
    """Consecutive unavailable calls that open the circuit breaker."""
    breaker_reset_s: float = Field(default=DEFAULT_BREAKER_RESET_S, gt=0)
    """How long the breaker stays open before letting one trial call through; sooner when the
    core's health check answers again (``core/probe.py``)."""
    reconnect_backoff_max_s: float = Field(default=DEFAULT_RECONNECT_BACKOFF_MAX_S, gt=0)
    """Longest wait between two attempts to reconnect to the core (gRPC's own default is 120 s):
    how long after the core listens again the first call can still fail."""
    connect_timeout_s: float = Field(default=DEFAULT_CONNECT_TIMEOUT_S, gt=0)
    """Time one connection attempt is given (gRPC's ``min_reconnect_backoff``, 20 s by default)."""
    probe_interval_s: float = Field(default=DEFAULT_PROBE_INTERVAL_S, gt=0)
    """How often the gateway asks the core's health service whether it serves (readiness)."""
    probe_timeout_s: float = Field(default=DEFAULT_PROBE_TIMEOUT_S, gt=0)
    """Deadline of one health check; a core that does not answer within it counts as unreachable."""
    connections: int = Field(default=1, ge=1, le=64)
    """Connections to the core, used in turn. More than one lets a single gateway process spread
    its calls over several core processes behind one port (``core serve --processes``)."""
    tls_ca_file: Path | None = None
    """PEM root certificates; set to speak TLS to the core."""
    tls_cert_file: Path | None = None
    """PEM certificate chain the client presents to a core that asks for one (mutual TLS); with
    tls_key_file and tls_ca_file. The CA, certificate and key files are looked at every second: when
    they change (and fit together) the client opens new connections with them (rotation without a restart)."""
    tls_key_file: Path | None = None
    token: SecretStr | None = None
    """Bearer token sent with every call (``authorization`` metadata), for a core with an access
    file; ``SCOREGATE_CLIENT_TOKEN``. Prefer token_file."""
    token_file: Path | None = None
    """File holding the bearer token (a mounted secret); read at start and again when it changes."""
    max_message_mb: int = Field(default=DEFAULT_MAX_MESSAGE_MB, ge=1)
    coalesce: bool = True
    """Single requests in flight at the same time share core calls (``core/coalescing.py``): while
    ``coalesce_max_in_flight`` calls are outstanding, new requests wait and go together in the next
    one, as a columnar batch. A lone caller never waits. False: one core call per request."""
    coalesce_max_in_flight: int = Field(default=1, ge=1, le=64)
    """Core calls one client keeps outstanding before requests start to wait for the next one. 1
    measured best under 16 SOAP clients on 2 cores (docs/BENCHMARKS.md): larger, fewer calls."""
    coalesce_max_rows: int = Field(default=256, ge=2, le=10_000)
    """Most requests in one coalesced call."""
    protocol: Literal["scoregate", "v2"] = "scoregate"
    """What ``target`` speaks: ``scoregate`` (a scoregate core's ``scoregate.v1``) or ``v2``: any
    server of the Open Inference Protocol (KServe V2: MLServer, Triton, KServe, a scoregate core).
    With ``v2`` the gateway validates and encodes requests itself against the model's metadata
    (``models_dir`` or ``metadata``), decides by its bands and gives reason codes only when the
    server returns contributions (``core/v2/client.py``); single requests are not coalesced."""
    models_dir: Path | None = None
    """protocol v2: a models directory (``NAME/VERSION/metadata.json``) the models' metadata is read from."""
    metadata: Path | None = None
    """protocol v2: one ``metadata.json`` (or a folder of them, in ``NAME/VERSION/`` folders)."""

    @model_validator(mode="after")
    def _credentials_fit(self) -> ClientSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("tls_cert_file and tls_key_file go together")
        if self.tls_cert_file is not None and self.tls_ca_file is None:
            raise ValueError("a client certificate (tls_cert_file) needs tls_ca_file: it is only sent over TLS")
        if self.token is not None and self.token_file is not None:
            raise ValueError("give token or token_file, not both")
        if self.protocol == "v2" and self.models_dir is None and self.metadata is None:
            raise ValueError("protocol v2 needs the models' metadata: set models_dir or metadata")
        for name in ("tls_ca_file", "tls_cert_file", "tls_key_file", "token_file"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise ValueError(f"{name} {path} is not a file")
        return self

    def bearer_token(self) -> SecretFile | str | None:
        """The token to send: from token_file (read again when it changes), or token."""
        if self.token_file is not None:
            return SecretFile(self.token_file)
        return self.token.get_secret_value() if self.token is not None else None
