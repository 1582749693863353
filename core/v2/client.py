"""Scoring clients that call any KServe V2 server (``[client] protocol = "v2"``).

The same public methods as :class:`~scoregate.core.client.ScoringClient` and its asyncio twin, and
the same machinery around each call (deadlines, gRPC retries, circuit breaker, fallback model,
decision observer, the readiness probe: V2's ServerReady): channels cannot tell them apart. What
the scoregate core does around a prediction is done here against the models' metadata
(``codec.py``). Single requests are not coalesced: each is one ``ModelInfer``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from datetime import datetime

import numpy as np

from scoregate.core._generated import grpc_predict_v2_pb2 as v2
from scoregate.core._generated import grpc_predict_v2_pb2_grpc as v2_grpc
from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core.client import AsyncScoringClient, ScoringClient, _ClientBase
from scoregate.core.client_channels import Channels, retire_aio, retire_blocking
from scoregate.core.connection import open_aio_channel, open_channel
from scoregate.core.contract import BatchResult, CallerRef, ColumnBatch, ModelDescription, ModelMetadata, ScoreRequest, ScoreResult
from scoregate.core.convert import result_from_batch
from scoregate.core.encoder import encode_features
from scoregate.core.errors import CoreUnavailable, InvalidInput
from scoregate.core.hooks import ClientHooks
from scoregate.core.settings import ClientSettings
from scoregate.core.v2 import codec
from scoregate.core.validation import check_columns, validate_matrix

_Prepared = tuple[ModelMetadata, np.ndarray, dict, np.ndarray | None, v2.ModelInferRequest | None]


class _V2Base:
    """What both V2 clients share: the catalog and the request/answer halves of a call."""

    catalog: codec.MetadataCatalog

    def _single(self, request: ScoreRequest) -> tuple[ModelMetadata, v2.ModelInferRequest, np.ndarray | None]:
        meta = self.catalog.get(request.model, request.version)
        row, violations = encode_features(meta.feature_schema, request.features)
        if violations:
            raise InvalidInput(violations)
        bands = codec.band_indexes(meta, request.reason_bands) if request.reason_count else None
        return meta, codec.infer_request(meta, request.version, row, request.reason_count > 0, request.request_id), bands

    def _prepare(self, batch: ColumnBatch, model: str, version: str | None, reason_count: int,
                 reason_bands: tuple[str, ...], batch_id: str) -> _Prepared:
        meta = self.catalog.get(model, version)
        problems = check_columns(meta.feature_schema, batch.feature_names)
        if problems:
            raise InvalidInput(problems)
        bands = codec.band_indexes(meta, reason_bands) if reason_count else None
        rejects = validate_matrix(meta.feature_schema, batch.matrix)
        good = batch.matrix if not rejects else np.delete(batch.matrix, list(rejects), axis=0)
        message = codec.infer_request(meta, version, good, reason_count > 0, batch_id) if good.shape[0] else None
        return meta, batch.matrix, rejects, bands, message

    def _list(self) -> list[pb.ModelVersionInfo]:
        return [pb.ModelVersionInfo(model=m, version=v, is_default=d, state="loaded") for m, v, d in self.catalog.versions()]


class V2ScoringClient(_V2Base, ScoringClient):
    """Blocking V2 client; safe to share between threads."""

    def __init__(self, settings: ClientSettings | None = None, hooks: ClientHooks | None = None) -> None:
        _ClientBase.__init__(self, settings, hooks)
        self.catalog = codec.MetadataCatalog(self.settings)
        self.connections = Channels(self.settings, open_channel, retire_blocking, stub=v2_grpc.GRPCInferenceServiceStub)
        self.coalescer = None

    def _score_alone(self, request: ScoreRequest) -> ScoreResult:
        started = time.perf_counter_ns()
        meta, message, bands = self._single(request)
        response = self._call(self._stub.ModelInfer, message, self._timeout(request.deadline), request.request_id)
        micros = (time.perf_counter_ns() - started) // 1000
        return result_from_batch(codec.batch_result(meta, response, 1, request.reason_count, bands, {}, micros), 0, request.request_id)

    def describe(self, model: str, version: str | None = None, timeout: float | None = None) -> ModelDescription:
        return self.catalog.describe(model, version)

    def list_models(self, timeout: float | None = None) -> list[pb.ModelVersionInfo]:
        return self._list()

    def score_batch(
        self, batch: ColumnBatch, model: str, version: str | None = None, *, reason_count: int = 0,
        batch_id: str = "", caller: CallerRef | None = None, deadline: datetime | None = None, timeout: float | None = None,
        reason_bands: tuple[str, ...] = (),
    ) -> BatchResult:
        started = time.perf_counter()
        try:
            if self._pinned_to_fallback(version):
                raise CoreUnavailable("pinned to the fallback model")
            meta, matrix, rejects, bands, message = self._prepare(batch, model, version, reason_count, reason_bands, batch_id)
            response = self._call(self._stub.ModelInfer, message, self._timeout(deadline, timeout), batch_id) if message else None
            micros = int((time.perf_counter() - started) * 1e6)
            result = codec.batch_result(meta, response, matrix.shape[0], reason_count, bands, rejects, micros)
        except CoreUnavailable as error:
            result = self._fallback(model, version, error).score_batch(batch, reason_count, reason_bands)
        return self._observed_batch(batch, result, caller, started)

    def score_stream(
        self, batches: Iterable[ColumnBatch], model: str, version: str | None = None, *, reason_count: int = 0,
        caller: CallerRef | None = None, timeout: float | None = None, reason_bands: tuple[str, ...] = (),
    ) -> Iterator[BatchResult]:
        """One ModelInfer per batch, in order (V2 has no stream)."""
        for i, batch in enumerate(batches):
            yield self.score_batch(batch, model, version, reason_count=reason_count, batch_id=str(i), caller=caller,
                                   timeout=timeout, reason_bands=reason_bands)


class AsyncV2ScoringClient(_V2Base, AsyncScoringClient):
    """grpc.aio V2 client; create it inside the event loop that uses it."""

    def __init__(self, settings: ClientSettings | None = None, hooks: ClientHooks | None = None) -> None:
        _ClientBase.__init__(self, settings, hooks)
        self.catalog = codec.MetadataCatalog(self.settings)
        self.connections = Channels(self.settings, open_aio_channel, retire_aio, stub=v2_grpc.GRPCInferenceServiceStub)
        self.coalescer = None

    async def _score_alone(self, request: ScoreRequest) -> ScoreResult:
        started = time.perf_counter_ns()
        meta, message, bands = self._single(request)
        response = await self._call(self._stub.ModelInfer, message, self._timeout(request.deadline), request.request_id)
        micros = (time.perf_counter_ns() - started) // 1000
        return result_from_batch(codec.batch_result(meta, response, 1, request.reason_count, bands, {}, micros), 0, request.request_id)

    async def describe(self, model: str, version: str | None = None, timeout: float | None = None) -> ModelDescription:
        return self.catalog.describe(model, version)

    async def list_models(self, timeout: float | None = None) -> list[pb.ModelVersionInfo]:
        return self._list()

    async def score_batch(
        self, batch: ColumnBatch, model: str, version: str | None = None, *, reason_count: int = 0,
        batch_id: str = "", caller: CallerRef | None = None, deadline: datetime | None = None, timeout: float | None = None,
        reason_bands: tuple[str, ...] = (),
    ) -> BatchResult:
        started = time.perf_counter()
        try:
            if self._pinned_to_fallback(version):
                raise CoreUnavailable("pinned to the fallback model")
            meta, matrix, rejects, bands, message = self._prepare(batch, model, version, reason_count, reason_bands, batch_id)
            response = await self._call(self._stub.ModelInfer, message, self._timeout(deadline, timeout), batch_id) if message else None
            micros = int((time.perf_counter() - started) * 1e6)
            result = codec.batch_result(meta, response, matrix.shape[0], reason_count, bands, rejects, micros)
        except CoreUnavailable as error:
            result = self._fallback(model, version, error).score_batch(batch, reason_count, reason_bands)
        return self._observed_batch(batch, result, caller, started)

    async def score_stream(
        self, batches: AsyncIterable[ColumnBatch] | Iterable[ColumnBatch], model: str, version: str | None = None, *,
        reason_count: int = 0, caller: CallerRef | None = None, timeout: float | None = None,
        reason_bands: tuple[str, ...] = (),
    ) -> AsyncIterator[BatchResult]:
        i = 0
        if isinstance(batches, AsyncIterable):
            async for batch in batches:
                yield await self.score_batch(batch, model, version, reason_count=reason_count, batch_id=str(i), caller=caller,
                                             timeout=timeout, reason_bands=reason_bands)
                i += 1
        else:
            for batch in batches:
                yield await self.score_batch(batch, model, version, reason_count=reason_count, batch_id=str(i), caller=caller,
                                             timeout=timeout, reason_bands=reason_bands)
                i += 1
