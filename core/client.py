"""The scoring client every adapter uses: canonical objects in and out, gRPC inside.

``ScoringClient`` (blocking) and ``AsyncScoringClient`` (grpc.aio) share everything but the call
itself (``_ClientBase``): request building, deadlines, error classification and the breaker.

- Retries on UNAVAILABLE (and a server-side CANCELLED) only, by gRPC's own retry policy in the channel's service config
  (with backoff, within the call's deadline); channels never see gRPC codes.
- Every failure comes out as a canonical :class:`~scoregate.core.errors.ScoreError`.
- The request id travels as ``x-request-id`` call metadata, a bearer token (``token_file``) as
  ``authorization``; with ``tls_cert_file`` the client presents its certificate (mutual TLS).
- ``ClientHooks``: a fallback model answers when the core is unavailable, and an observer sees
  every decision (audit, drift) after it is made. Both run in the caller's thread or event loop,
  so an observer must only hand the decision on, never write it out itself.
- Concurrent ``score`` calls share core calls (``core/coalescing.py``) unless ``coalesce`` is off.
- Its TLS files (CA, certificate, key) are looked at every second: when they change, the client
  opens new connections (``core/client_channels.py``), so a rotated certificate needs no restart.
- ``readiness()``: the core's health as the gateway's probe (``core/probe.py``) last saw it; the
  same probe lets the breaker try the core as soon as it serves again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import grpc

from scoregate.core import convert, status
from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core._generated import scoring_pb2_grpc as pb_grpc
from scoregate.core.auth import AUTHORIZATION_HEADER
from scoregate.core.breaker import CircuitBreaker
from scoregate.core.client_channels import Channels, retire_aio, retire_blocking
from scoregate.core.coalescing import AsyncCoalescer
from scoregate.core.coalescing_threads import Coalescer
from scoregate.core.connection import open_aio_channel, open_channel
from scoregate.core.contract import BatchResult, CallerRef, ColumnBatch, ModelDescription, ScoreRequest, ScoreResult
from scoregate.core.errors import CoreUnavailable, DeadlineExpired, ScoreError
from scoregate.core.hooks import ClientHooks
from scoregate.core.logcontext import REQUEST_ID_HEADER, current_request_id
from scoregate.core.probe import CoreHealth, CoreProbe
from scoregate.core.settings import ClientSettings

if TYPE_CHECKING:
    from scoregate.core.fallback import FallbackScorer


class _ClientBase:
    """The protocol-free half of both clients."""

    def __init__(self, settings: ClientSettings | None = None, hooks: ClientHooks | None = None) -> None:
        self.settings = settings or ClientSettings()
        self.hooks = hooks or ClientHooks()
        self.breaker = CircuitBreaker(self.settings.breaker_failures, self.settings.breaker_reset_s)
        self._descriptions: dict[tuple[str, str], ModelDescription] = {}
        self._token = self.settings.bearer_token()
        self._probe: CoreProbe | None = self.hooks.probe
        self._own_probe = False
        self._probe_lock = threading.Lock()
        if self._probe is not None:
            self._probe.watch(self._core_serving)

    def _core_serving(self, serving: bool) -> None:
        if serving:
            self.breaker.try_now()

    def readiness(self) -> CoreHealth:
        """Whether calls can be answered: the core serves, or the fallback answers for it (ready,
        with a note saying so). Never blocks longer than the probe's first check."""
        with self._probe_lock:
            if self._probe is None:  # a client used alone (the CLI, a test): its own probe
                self._probe, self._own_probe = CoreProbe(self.settings), True
                self._probe.watch(self._core_serving)
        state = self._probe.state()
        fallback = self.hooks.fallback
        if state.ready or fallback is None:
            return state
        return CoreHealth(True, f"{state.detail}; answering by the fallback model {fallback.model} {fallback.version}")

    def _close_probe(self) -> None:
        if self._probe is not None:
            self._probe.unwatch(self._core_serving)
            if self._own_probe:
                self._probe.close()

    def _fallback(self, model: str, version: str | None, error: CoreUnavailable) -> FallbackScorer:
        """The fallback for this call, or re-raise the outage."""
        fallback = self.hooks.fallback
        if fallback is None or not fallback.serves(model, version):
            raise error
        return fallback

    def _pinned_to_fallback(self, version: str | None) -> bool:
        # A version learnt from the fallback's describe() while the core was down: the core has no such version.
        return self.hooks.fallback is not None and bool(version) and version == self.hooks.fallback.version

    def _observed_result(self, request: ScoreRequest, result: ScoreResult, started: float) -> ScoreResult:
        if self.hooks.observer is not None:
            self.hooks.observer.on_result(request, result, time.perf_counter() - started)
        return result

    def _observed_batch(self, batch: ColumnBatch, result: BatchResult, caller: CallerRef | None, started: float) -> BatchResult:
        if self.hooks.observer is not None:
            self.hooks.observer.on_batch(batch, result, caller, time.perf_counter() - started)
        return result

    def _timeout(self, deadline: datetime | None, timeout: float | None = None) -> float:
        if deadline is None:
            return timeout or self.settings.timeout_s
        remaining = (deadline - datetime.now(UTC)).total_seconds()
        if remaining <= 0:
            raise DeadlineExpired()
        return remaining

    def _begin(self) -> None:
        self.breaker.before_call()

    def _failed(self, error: grpc.RpcError) -> ScoreError:
        canonical = status.from_rpc_error(error)
        if isinstance(canonical, CoreUnavailable):
            self.breaker.record_failure()
        else:
            self.breaker.record_success()  # the core answered: it is up
        return canonical

    @property
    def _stub(self) -> pb_grpc.ScoringStub:
        """The next connection's stub, in turn (on new connections once the TLS files changed)."""
        return self.connections.stub()

    @property
    def channels(self) -> list:
        """The connections calls go to now."""
        return self.connections.current

    def _metadata(self, request_id: str) -> tuple[tuple[str, str], ...]:
        # A call without its own id (describe, a batch) carries the id of the request being served.
        request_id = request_id or current_request_id()
        metadata = ((REQUEST_ID_HEADER, request_id),) if request_id else ()
        if self._token is not None:
            token = self._token if isinstance(self._token, str) else self._token.read()
            metadata += ((AUTHORIZATION_HEADER, f"Bearer {token}"),)
        return metadata

    def _batch_request(
        self, batch: ColumnBatch, model: str, version: str | None, reason_count: int, batch_id: str, caller: CallerRef | None,
        reason_bands: tuple[str, ...] = (),
    ) -> pb.BatchRequest:
        return convert.to_proto_batch(batch, model, version, reason_count, batch_id, caller, reason_bands)

    def _cached(self, model: str, version: str) -> ModelDescription | None:
        return self._descriptions.get((model, version))

    def _remember(self, description: ModelDescription) -> ModelDescription:
        # Versions are immutable, so a description never goes stale.
        self._descriptions[(description.name, description.version)] = description
        return description


class ScoringClient(_ClientBase):
    """Blocking client; one long-lived channel, safe to share between threads."""

    def __init__(self, settings: ClientSettings | None = None, hooks: ClientHooks | None = None) -> None:
        super().__init__(settings, hooks)
        self.connections = Channels(self.settings, open_channel, retire_blocking)
        s = self.settings
        self.coalescer = Coalescer(self, s.coalesce_max_in_flight, s.coalesce_max_rows) if s.coalesce else None

    def _call(self, method, message, timeout: float, request_id: str = ""):  # noqa: ANN001, ANN202
        self._begin()
        try:
            response = method(message, timeout=timeout, metadata=self._metadata(request_id))
        except grpc.RpcError as error:
            raise self._failed(error) from None
        self.breaker.record_success()
        return response

    def _score_alone(self, request: ScoreRequest) -> ScoreResult:
        timeout = self._timeout(request.deadline)
        response = self._call(self._stub.Score, convert.to_proto_request(request), timeout, request.request_id)
        return convert.from_proto_result(response.result)

    def score(self, request: ScoreRequest) -> ScoreResult:
        started = time.perf_counter()
        self._timeout(request.deadline)
        try:
            if self._pinned_to_fallback(request.version):
                raise CoreUnavailable("pinned to the fallback model")
            if self.coalescer is not None:
                result = self.coalescer.score(request, self._score_alone)
            else:
                result = self._score_alone(request)
        except CoreUnavailable as error:
            result = self._fallback(request.model, request.version, error).score(request)
        return self._observed_result(request, result, started)

    def describe(self, model: str, version: str | None = None, timeout: float | None = None) -> ModelDescription:
        if version and (cached := self._cached(model, version)):
            return cached
        try:
            message = self._call(
                self._stub.DescribeModel, pb.DescribeModelRequest(model=model, version=version or ""), self._timeout(None, timeout)
            )
        except CoreUnavailable as error:
            return self._fallback(model, version, error).description
        return self._remember(convert.from_proto_description(message))

    def list_models(self, timeout: float | None = None) -> list[pb.ModelVersionInfo]:
        return list(self._call(self._stub.ListModels, pb.ListModelsRequest(), self._timeout(None, timeout)).models)

    def score_batch(
        self, batch: ColumnBatch, model: str, version: str | None = None, *, reason_count: int = 0,
        batch_id: str = "", caller: CallerRef | None = None, deadline: datetime | None = None, timeout: float | None = None,
        reason_bands: tuple[str, ...] = (),
    ) -> BatchResult:
        started = time.perf_counter()
        try:
            if self._pinned_to_fallback(version):
                raise CoreUnavailable("pinned to the fallback model")
            message = self._batch_request(batch, model, version, reason_count, batch_id, caller, reason_bands)
            response = self._call(self._stub.ScoreBatch, message, self._timeout(deadline, timeout), batch_id)
            result = convert.from_proto_batch_result(response, self.describe(response.model, response.version))
        except CoreUnavailable as error:
            result = self._fallback(model, version, error).score_batch(batch, reason_count, reason_bands)
        return self._observed_batch(batch, result, caller, started)

    def score_stream(
        self, batches: Iterable[ColumnBatch], model: str, version: str | None = None, *, reason_count: int = 0,
        caller: CallerRef | None = None, timeout: float | None = None, reason_bands: tuple[str, ...] = (),
    ) -> Iterator[BatchResult]:
        """Score batches over one stream; results come back in order. ``timeout`` covers the whole stream."""
        self._begin()
        messages = (
            self._batch_request(b, model, version, reason_count, str(i), caller, reason_bands) for i, b in enumerate(batches)
        )
        try:
            responses = self._stub.ScoreStream(messages, timeout=self._timeout(None, timeout), metadata=self._metadata(""))
            for response in responses:
                yield convert.from_proto_batch_result(response, self.describe(response.model, response.version))
        except grpc.RpcError as error:
            raise self._failed(error) from None
        self.breaker.record_success()

    def close(self) -> None:
        self._close_probe()
        for channel in self.connections.all():
            channel.close()

    def __enter__(self) -> ScoringClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncScoringClient(_ClientBase):
    """grpc.aio client; create it inside the event loop that uses it."""

    def __init__(self, settings: ClientSettings | None = None, hooks: ClientHooks | None = None) -> None:
        super().__init__(settings, hooks)
        self.connections = Channels(self.settings, open_aio_channel, retire_aio)
        s = self.settings
        self.coalescer = AsyncCoalescer(self, s.coalesce_max_in_flight, s.coalesce_max_rows) if s.coalesce else None

    async def _call(self, method, message, timeout: float, request_id: str = ""):  # noqa: ANN001, ANN202
        self._begin()
        try:
            response = await method(message, timeout=timeout, metadata=self._metadata(request_id))
        except grpc.RpcError as error:
            raise self._failed(error) from None
        self.breaker.record_success()
        return response

    async def _score_alone(self, request: ScoreRequest) -> ScoreResult:
        timeout = self._timeout(request.deadline)
        response = await self._call(self._stub.Score, convert.to_proto_request(request), timeout, request.request_id)
        return convert.from_proto_result(response.result)

    async def score(self, request: ScoreRequest) -> ScoreResult:
        started = time.perf_counter()
        self._timeout(request.deadline)
        try:
            if self._pinned_to_fallback(request.version):
                raise CoreUnavailable("pinned to the fallback model")
            if self.coalescer is not None:
                result = await self.coalescer.score(request, self._score_alone)
            else:
                result = await self._score_alone(request)
        except CoreUnavailable as error:
            # One small model, one row: scoring inline costs less than a thread hop.
            result = self._fallback(request.model, request.version, error).score(request)
        return self._observed_result(request, result, started)

    async def describe(self, model: str, version: str | None = None, timeout: float | None = None) -> ModelDescription:
        if version and (cached := self._cached(model, version)):
            return cached
        try:
            message = await self._call(
                self._stub.DescribeModel, pb.DescribeModelRequest(model=model, version=version or ""), self._timeout(None, timeout)
            )
        except CoreUnavailable as error:
            return self._fallback(model, version, error).description
        return self._remember(convert.from_proto_description(message))

    async def list_models(self, timeout: float | None = None) -> list[pb.ModelVersionInfo]:
        return list((await self._call(self._stub.ListModels, pb.ListModelsRequest(), self._timeout(None, timeout))).models)

    async def score_batch(
        self, batch: ColumnBatch, model: str, version: str | None = None, *, reason_count: int = 0,
        batch_id: str = "", caller: CallerRef | None = None, deadline: datetime | None = None, timeout: float | None = None,
        reason_bands: tuple[str, ...] = (),
    ) -> BatchResult:
        started = time.perf_counter()
        try:
            if self._pinned_to_fallback(version):
                raise CoreUnavailable("pinned to the fallback model")
            message = self._batch_request(batch, model, version, reason_count, batch_id, caller, reason_bands)
            response = await self._call(self._stub.ScoreBatch, message, self._timeout(deadline, timeout), batch_id)
            result = convert.from_proto_batch_result(response, await self.describe(response.model, response.version))
        except CoreUnavailable as error:
            result = self._fallback(model, version, error).score_batch(batch, reason_count, reason_bands)
        return self._observed_batch(batch, result, caller, started)

    async def score_stream(
        self, batches: AsyncIterable[ColumnBatch] | Iterable[ColumnBatch], model: str, version: str | None = None, *,
        reason_count: int = 0, caller: CallerRef | None = None, timeout: float | None = None,
        reason_bands: tuple[str, ...] = (),
    ) -> AsyncIterator[BatchResult]:
        self._begin()

        async def messages() -> AsyncIterator[pb.BatchRequest]:
            i = 0
            if isinstance(batches, AsyncIterable):
                async for b in batches:
                    yield self._batch_request(b, model, version, reason_count, str(i), caller, reason_bands)
                    i += 1
            else:
                for b in batches:
                    yield self._batch_request(b, model, version, reason_count, str(i), caller, reason_bands)
                    i += 1

        try:
            responses = self._stub.ScoreStream(messages(), timeout=self._timeout(None, timeout), metadata=self._metadata(""))
            async for response in responses:
                yield convert.from_proto_batch_result(response, await self.describe(response.model, response.version))
        except grpc.RpcError as error:
            raise self._failed(error) from None
        self.breaker.record_success()

    async def close(self) -> None:
        self._close_probe()
        for channel in self.connections.all():
            await channel.close()

    async def __aenter__(self) -> AsyncScoringClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def scoring_client(settings: ClientSettings | None = None, hooks: ClientHooks | None = None) -> ScoringClient:
    """The blocking client for ``settings.protocol``: a scoregate core's, or a V2 server's."""
    settings = settings or ClientSettings()
    if settings.protocol == "v2":
        from scoregate.core.v2.client import V2ScoringClient  # imports this module: here, not at the top

        return V2ScoringClient(settings, hooks)
    return ScoringClient(settings, hooks)


def async_scoring_client(settings: ClientSettings | None = None, hooks: ClientHooks | None = None) -> AsyncScoringClient:
    """The asyncio client for ``settings.protocol`` (create it inside the loop that uses it)."""
    settings = settings or ClientSettings()
    if settings.protocol == "v2":
        from scoregate.core.v2.client import AsyncV2ScoringClient

        return AsyncV2ScoringClient(settings, hooks)
    return AsyncScoringClient(settings, hooks)
