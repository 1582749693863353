"""The scoring core's gRPC server: scoring service, KServe V2 inference, grpc.health.v1, reflection, hot reload.

``CoreServer`` owns the lifecycle: ``start()`` loads the models and listens (port 0 picks a free
port, exposed as ``.port``), ``stop(grace)`` lets in-flight calls finish before closing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection
from prometheus_client import start_http_server

from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core._generated import grpc_predict_v2_pb2_grpc as v2_grpc
from scoregate.core._generated import scoring_pb2_grpc as pb_grpc
from scoregate.core.auth import AccessInterceptor, AccessPolicy
from scoregate.core.batching import MicroBatcher
from scoregate.core.metrics import CoreMetrics
from scoregate.core.monitoring import InputMonitor
from scoregate.core.ports import PortInUse, cannot_listen, ensure_free, is_in_use
from scoregate.core.registry import ModelRegistry, VersionState
from scoregate.core.service import ScoringService
from scoregate.core.settings import CoreSettings
from scoregate.core.tls import ReloadingCertificates
from scoregate.core.v2.service import SERVICE_NAME as V2_SERVICE_NAME
from scoregate.core.v2.service import InferenceService

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Scoring"].full_name


class CoreServer:
    def __init__(self, settings: CoreSettings, registry: ModelRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or ModelRegistry(settings.models_dir, settings.aliases, settings.xgb_threads)
        self.executor = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="scoring")
        self.metrics = CoreMetrics()
        self.monitor = (
            InputMonitor(self.metrics.registry, settings.drift_window_rows, settings.drift_threshold)
            if settings.monitor_inputs else None
        )
        self.batcher = MicroBatcher(settings.max_batch_size, settings.max_batch_wait_ms / 1000, settings.workers, self.metrics)
        self.metrics_port: int | None = None
        self.v2_http_port: int | None = None
        self._rest = None  # the V2 HTTP server (core/v2/rest.py), when v2_http_port is set
        self._metrics_server = None
        self.service: ScoringService | None = None  # set by start()
        self.health = health_aio.HealthServicer()
        self.access = AccessPolicy(settings.access_file, client_certificates=settings.tls_client_ca_file is not None)
        self.certificates: ReloadingCertificates | None = None
        self.port: int | None = None
        self._server: grpc.aio.Server | None = None
        self._poller: asyncio.Task[None] | None = None

    async def start(self) -> int:
        """Load the models, listen, and return the bound port."""
        self._record(await asyncio.to_thread(self.registry.refresh))
        limit = self.settings.max_message_mb * 1024 * 1024
        # Without an access file or client certificates every caller is anonymous: no interceptor, no cost.
        checked = self.access.enforced or self.settings.tls_client_ca_file is not None
        server = grpc.aio.server(
            interceptors=[AccessInterceptor(self.access, self.metrics.call)] if checked else None,
            options=[
                ("grpc.max_receive_message_length", limit),
                ("grpc.max_send_message_length", limit),
                ("grpc.so_reuseport", int(self.settings.reuse_port)),
            ]
        )
        self.service = ScoringService(self.registry, self.batcher, self.executor, self.metrics, self.monitor,
                                      lone_batch_threads=self.settings.lone_batch_threads)
        pb_grpc.add_ScoringServicer_to_server(self.service, server)
        # The Open Inference Protocol (KServe V2) on the same port, through the same scoring path.
        self.inference = InferenceService(self.service)
        v2_grpc.add_GRPCInferenceServiceServicer_to_server(self.inference, server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, V2_SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
            server,
        )
        s = self.settings
        if not s.reuse_port:  # with reuse_port, sharing the port is the point
            ensure_free(s.address, "the scoring core", "--address or SCOREGATE_CORE_ADDRESS")
        try:
            if s.tls_cert_file and s.tls_key_file:
                self.certificates = ReloadingCertificates(s.tls_cert_file, s.tls_key_file, s.tls_client_ca_file)
                self.port = server.add_secure_port(s.address, self.certificates.credentials())
            else:
                self.port = server.add_insecure_port(s.address)
        except RuntimeError:  # grpcio's "Failed to bind", without the reason
            self.port = 0
        if not self.port:
            raise cannot_listen(s.address, "the scoring core")
        self.batcher.start()
        await server.start()
        self._server = server
        await self._update_health()
        self._poller = asyncio.create_task(self._poll(), name="model-poller")
        if s.v2_http_port is not None:
            await self._start_rest(s)
        if s.metrics_port is not None:
            host, _, _ = s.address.rpartition(":")
            try:
                self._metrics_server, _ = start_http_server(s.metrics_port, host.strip("[]") or "0.0.0.0", self.metrics.registry)
            except OSError as error:
                await self.stop(0)
                if is_in_use(error):
                    raise PortInUse(s.metrics_port, "the core's metrics", "--metrics-port") from None
                raise
            self.metrics_port = self._metrics_server.server_port
            log.info("core metrics on port %s", self.metrics_port)
        log.info("scoring core listening on port %s with models from %s", self.port, s.models_dir)
        return self.port

    async def _start_rest(self, s: CoreSettings) -> None:
        """KServe V2 over HTTP/REST (core/v2/rest.py) in this loop, on a port of its own."""
        from scoregate.core.v2.rest import serve_rest

        host = s.address.rpartition(":")[0].strip("[]") or "0.0.0.0"
        try:
            self._rest, self.v2_http_port = await serve_rest(self.inference, host, s.v2_http_port)
        except PortInUse:
            await self.stop(0)
            raise
        log.info("KServe V2 over HTTP on port %s", self.v2_http_port)

    async def _update_health(self) -> None:
        ready = any(state.state == "loaded" for state in self.registry.states())
        serving = health_pb2.HealthCheckResponse.SERVING if ready else health_pb2.HealthCheckResponse.NOT_SERVING
        await self.health.set("", serving)
        await self.health.set(SERVICE_NAME, serving)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.settings.poll_interval_s)
            self.access.reload_if_changed()
            try:
                if self._record(await asyncio.to_thread(self.registry.refresh)):
                    await self._update_health()
            except Exception:  # noqa: BLE001 - a scan failure must not stop future scans
                log.exception("model directory scan failed")

    def _record(self, changes: list[VersionState]) -> list[VersionState]:
        for change in changes:
            self.metrics.model_events.labels(change.model, change.version, change.state).inc()
        return changes

    async def stop(self, grace: float | None = None) -> None:
        """Stop taking calls, let in-flight ones finish within ``grace`` seconds, then close."""
        grace = self.settings.grace_s if grace is None else grace
        if self._poller:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        await self.health.enter_graceful_shutdown()
        if self._rest is not None:
            await self._rest.stop()
        if self._server:
            await self._server.stop(grace)
        await self.batcher.stop()
        self.executor.shutdown(wait=True)
        if self.monitor is not None:
            self.monitor.stop()
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()

    async def wait(self) -> None:
        assert self._server is not None
        await self._server.wait_for_termination()


async def create_server(settings: CoreSettings, registry: ModelRegistry | None = None) -> tuple[CoreServer, int]:
    """Start a core server; returns it with the port it listens on."""
    server = CoreServer(settings, registry)
    port = await server.start()
    return server, port
