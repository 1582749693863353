"""``inference.GRPCInferenceService`` (KServe V2) on the core's port, beside ``scoregate.v1``.

It scores through the same registry, micro-batcher, validation and runtime as ``Score`` and
``ScoreBatch`` (one-row requests join micro-batches; a lone caller is scored on the event loop),
so a V2 client gets the same probabilities. Errors follow V2's convention, a gRPC status with the
reason in its message: bad input is INVALID_ARGUMENT naming each field with the core's own code
and message (also as ``google.rpc.BadRequest`` details), an unknown model NOT_FOUND.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging

import grpc
import numpy as np

from scoregate.core import status
from scoregate.core._generated import grpc_predict_v2_pb2 as v2
from scoregate.core._generated import grpc_predict_v2_pb2_grpc as v2_grpc
from scoregate.core.contract import BatchResult
from scoregate.core.errors import CoreFailure, InvalidInput, ScoreError, UnknownModel
from scoregate.core.service import _LONE_BATCH_ROWS, _WIDE_FROM_ROWS, ScoringService, _check_deadline
from scoregate.core.v2 import tensors
from scoregate.core.v2.metadata import model_metadata
from scoregate.core.validation import validate_matrix

log = logging.getLogger(__name__)

SERVICE_NAME = v2.DESCRIPTOR.services_by_name["GRPCInferenceService"].full_name
_CHANNEL = "v2"


def _version() -> str:
    try:
        return importlib.metadata.version("scoregate")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def invalid_message(error: InvalidInput) -> str:
    """V2 clients read the status message: every field reason goes in it."""
    return "invalid input: " + "; ".join(f"{v.field}: {v.code.value}: {v.message}" for v in error.violations)


class InferenceService(v2_grpc.GRPCInferenceServiceServicer):
    def __init__(self, scoring: ScoringService) -> None:
        self.scoring = scoring
        self.registry = scoring.registry
        self._server_metadata = v2.ServerMetadataResponse(name="scoregate", version=_version(), extensions=[])

    async def _abort(self, context: grpc.aio.ServicerContext, error: ScoreError) -> None:
        self.scoring.metrics.errors.labels(error.kind.value).inc()
        message = invalid_message(error) if isinstance(error, InvalidInput) else error.message
        await context.abort_with_status(status.to_status(error, message))

    def metadata(self, name: str, version: str) -> v2.ModelMetadataResponse:
        """A model version's V2 metadata; raises UnknownModel."""
        scorer = self.registry.get(name, version or None)
        meta = scorer.model.metadata
        versions = [s.version for s in self.registry.states() if s.model == meta.name and s.state == "loaded"]
        return model_metadata(meta, versions, scorer.model.runtime.describe().runtime, self.registry.default_version(meta.name) or "")

    async def ServerLive(self, request: v2.ServerLiveRequest, context: grpc.aio.ServicerContext) -> v2.ServerLiveResponse:
        return v2.ServerLiveResponse(live=True)

    async def ServerReady(self, request: v2.ServerReadyRequest, context: grpc.aio.ServicerContext) -> v2.ServerReadyResponse:
        return v2.ServerReadyResponse(ready=any(s.state == "loaded" for s in self.registry.states()))

    async def ServerMetadata(self, request: v2.ServerMetadataRequest, context: grpc.aio.ServicerContext) -> v2.ServerMetadataResponse:
        return self._server_metadata

    async def ModelReady(self, request: v2.ModelReadyRequest, context: grpc.aio.ServicerContext) -> v2.ModelReadyResponse:
        try:
            self.registry.get(request.name, request.version or None)
        except UnknownModel:
            return v2.ModelReadyResponse(ready=False)
        return v2.ModelReadyResponse(ready=True)

    async def ModelMetadata(self, request: v2.ModelMetadataRequest, context: grpc.aio.ServicerContext) -> v2.ModelMetadataResponse:
        try:
            return self.metadata(request.name, request.version)
        except UnknownModel as error:
            await self._abort(context, error)

    async def ModelInfer(self, request: v2.ModelInferRequest, context: grpc.aio.ServicerContext) -> v2.ModelInferResponse:
        self.scoring._score_opened(context)
        try:
            return await self._infer(request, context)
        except ScoreError as error:
            await self._abort(context, error)
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception:
            log.exception("unexpected error in ModelInfer")
            await self._abort(context, CoreFailure("internal error in the scoring core"))

    async def _infer(self, request: v2.ModelInferRequest, context: grpc.aio.ServicerContext) -> v2.ModelInferResponse:
        scorer = self.registry.get(request.model_name, request.model_version or None)
        meta = scorer.model.metadata
        matrix = tensors.request_matrix(request.inputs, request.raw_input_contents, meta.feature_schema)
        reason_count, band_names, contributions = tensors.reason_request(request.parameters)
        bands = scorer.reason_bands(band_names) if reason_count else None
        rows = matrix.shape[0]
        rejects = validate_matrix(meta.feature_schema, matrix)
        if rejects:
            if self.scoring.monitor is not None:
                self.scoring.monitor.submit(meta, None, _CHANNEL, tensors.rows_violations(rejects, rows))
            raise InvalidInput(tensors.rows_violations(rejects, rows))
        _check_deadline(context)
        result = await self._score(scorer, matrix, reason_count, bands)
        if self.scoring.monitor is not None:
            self.scoring.monitor.submit(meta, matrix, _CHANNEL)
        full = scorer.model.runtime.contributions(matrix, meta.contributions == "exact") if contributions else None
        wanted = [o.name for o in request.outputs]
        response = v2.ModelInferResponse(model_name=result.model, model_version=result.version, id=request.id)
        for name, datatype, shape, raw in tensors.response_outputs(result, reason_count, full, wanted):
            response.outputs.add(name=name, datatype=datatype, shape=shape)
            response.raw_output_contents.append(raw)
        return response

    async def _score(self, scorer, matrix: np.ndarray, reason_count: int, bands) -> BatchResult:  # noqa: ANN001
        scoring = self.scoring
        rows = matrix.shape[0]
        lone = scoring._lone_caller()
        if rows == 1:  # joins the micro-batches of Score calls (or, alone, is scored on the loop)
            row = np.ascontiguousarray(matrix)
            if lone and scoring._may_score_on_loop(scorer, 1, reason_count):
                return scoring.batcher.score_alone(scorer, row, reason_count, bands)
            batch, index = await scoring.batcher.score(scorer, row, reason_count, bands)
            return _row(batch, index)
        matrix = np.ascontiguousarray(matrix)
        threads = scoring.lone_batch_threads if lone and rows >= _WIDE_FROM_ROWS else 0  # as ScoreBatch
        if lone and rows <= _LONE_BATCH_ROWS and scoring._may_score_on_loop(scorer, rows, reason_count):
            result = scorer.score(matrix, reason_count, None, bands, threads)
        else:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(scoring.executor, scorer.score, matrix, reason_count, None, bands, threads)
        scoring.metrics.scored(result.model, result.version, _CHANNEL, result.probabilities, 0, result.core_micros / 1e6)
        return result


def _row(batch: BatchResult, index: int) -> BatchResult:
    """Row ``index`` of a micro-batch as a one-row result."""
    if batch.rows == 1:
        return batch
    keep = slice(index, index + 1)
    return BatchResult(
        model=batch.model, version=batch.version, probabilities=batch.probabilities[keep], decisions=batch.decisions[keep],
        band_names=batch.band_names, reason_features=batch.reason_features[keep],
        reason_contributions=batch.reason_contributions[keep], feature_names=batch.feature_names,
        reason_codes=batch.reason_codes, core_micros=batch.core_micros,
    )
