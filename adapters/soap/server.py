"""SoapChannel: the SOAP app under uvicorn, with the gateway's lifecycle (start / stop(grace) / health).

uvicorn is embedded in the caller's event loop rather than run as a program: the gateway owns the
loop, the signals and the scoring client, and may run other channels beside this one. For more
throughput run several processes (``scoregate.adapters.soap.server:create_app`` is the factory for
``uvicorn --factory --workers N``; the parsing is CPU-bound, so threads would not help).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import ssl
from collections.abc import Iterator

import uvicorn
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from scoregate.adapters.channel import ChannelHealth, core_health
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.soap.app import SoapApp
from scoregate.adapters.soap.clientcert import ClientCertProtocol
from scoregate.adapters.soap.config import SoapChannelConfig
from scoregate.adapters.soap.contract import ServiceContract
from scoregate.adapters.soap.preflight import check_mapping
from scoregate.adapters.soap.security import NonceCache, UsernameTokenPolicy
from scoregate.adapters.state.redis_client import RedisStore
from scoregate.adapters.state.redis_nonces import RedisNonces
from scoregate.core.client import AsyncScoringClient, async_scoring_client
from scoregate.core.hooks import ClientHooks
from scoregate.core.ports import bind_tcp
from scoregate.core.settings import ClientSettings

log = logging.getLogger(__name__)

#: Environment variable naming the config file for ``create_app`` (multi-worker uvicorn).
CONFIG_ENV = "SCOREGATE_SOAP_CONFIG"
#: prometheus_client's own variable: where worker processes keep their metrics.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the process that embeds it decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    return bind_tcp(host, port, "the SOAP channel", "port in the SOAP channel's file, or set = { port = N }")


class SoapChannel:
    """One legacy SOAP endpoint. The WSDL and mapping are loaded and checked in the constructor,
    so a bad contract fails before anything listens."""

    name = "soap"

    def __init__(
        self,
        config: SoapChannelConfig,
        *,
        client: AsyncScoringClient | None = None,
        client_settings: ClientSettings | None = None,
        client_hooks: ClientHooks | None = None,
        metrics: ChannelMetrics | None = None,
        redis: RedisStore | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics if metrics is not None else ChannelMetrics("soap")
        self.contract = ServiceContract.of(config)
        check_mapping(config, self.contract)
        self.nonces: RedisNonces | None = None
        """The nonce cache the replicas share (``[state] redis``), else None."""
        # Built here so that a password variable missing from the environment fails before start.
        self.security = UsernameTokenPolicy(config.security, shared=self._shared_nonces(redis)) if config.security else None
        self._client = client
        self._client_settings = client_settings
        self._client_hooks = client_hooks
        self.app: SoapApp | None = None
        self.port = config.port
        """The bound port (the configured one, or the free one picked for port 0) once started."""
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task | None = None

    def _shared_nonces(self, redis: RedisStore | None):  # noqa: ANN202
        if redis is None or self.config.security is None:
            return None

        def share(local: NonceCache) -> RedisNonces:
            ttl_s = 2 * self.config.security.max_skew_s  # as long as the local cache keeps them
            self.nonces = RedisNonces(redis, ttl_s, local, lambda: self.metrics.event("nonce_cache_fallbacks"))
            return self.nonces

        return share

    @property
    def url(self) -> str:
        scheme = "https" if self.config.tls_cert_file else "http"
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        return f"{scheme}://{host}:{self.port}{self.config.path}"

    async def start(self) -> None:
        """Bind, serve, and return once connections are accepted."""
        # The async client must be created in the loop that uses it, so not in __init__.
        client = self._client or async_scoring_client(self._client_settings, self._client_hooks)
        self.app = SoapApp(self.config, client, self.contract, self.security, self.metrics)
        sock = _bind(self.config.host, self.config.port)
        self.port = sock.getsockname()[1]
        server_config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_config=None,  # the gateway configures logging
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=self.config.grace_s,
            ssl_certfile=self.config.tls_cert_file,
            ssl_keyfile=self.config.tls_key_file,
            **self._client_certificates(),
        )
        self._server = _EmbeddedServer(server_config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="soap-channel")
        while not self._server.started:
            if self._task.done():
                await self._task  # raises the reason it could not start
                raise RuntimeError("the SOAP server stopped during start")
            await asyncio.sleep(0.01)
        log.info("soap channel serving %s (%d operations)", self.url, len(self.contract.operations))

    def _client_certificates(self) -> dict:
        if self.config.tls_client_ca_file is None:
            return {}
        return {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_ca_certs": str(self.config.tls_client_ca_file), "http": ClientCertProtocol}

    async def stop(self, grace: float | None = None) -> None:
        """Stop accepting, let in-flight requests finish within ``grace`` seconds, then close."""
        if self._server is None or self._task is None:
            return
        assert self.app is not None
        self.app.accepting = False
        self._server.config.timeout_graceful_shutdown = self.config.grace_s if grace is None else grace
        self._server.should_exit = True
        try:
            await self._task
        finally:
            self._server = self._task = None
            if self._client is None:
                await self.app.client.close()

    def health(self) -> ChannelHealth:
        if self.app is None or self._server is None:
            return ChannelHealth(False, "not started")
        if not self.app.accepting:
            return ChannelHealth(False, "stopping")
        core = core_health(self.app.client)
        note = self.nonces.note() if self.nonces is not None else ""
        if not core.ready or not note:
            return core
        # Ready with a note: answers go on, nonces are checked by this process alone meanwhile.
        return ChannelHealth(True, "; ".join(n for n in (core.detail, note) if n))


def create_app() -> SoapApp:
    """App factory for ``uvicorn --factory --workers N``: config from ``$SCOREGATE_SOAP_CONFIG``,
    core from ``SCOREGATE_CLIENT_*``. Each worker process builds its own contract and client.

    Metrics: each worker counts into its own registry. With ``PROMETHEUS_MULTIPROC_DIR`` set (an
    empty directory, before the workers start) prometheus_client keeps them in files there, and
    whichever worker answers ``GET <metrics_path>`` adds up all of them (gauges per process). Without
    it nothing exports them: a scrape would see one worker at random."""
    config = SoapChannelConfig.load(os.environ[CONFIG_ENV])
    contract = ServiceContract.of(config)
    check_mapping(config, contract)
    exported = None
    if os.environ.get(MULTIPROC_ENV):
        exported = CollectorRegistry()
        MultiProcessCollector(exported)
    client = async_scoring_client(ClientSettings())  # SCOREGATE_CLIENT_* from the parent, protocol included
    return SoapApp(config, client, contract, metrics=ChannelMetrics("soap"), exported=exported)
