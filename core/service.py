"""The gRPC servicer: protobuf in, convert -> validate -> score -> convert, protobuf out.

Canonical errors are turned into gRPC statuses here and only here (``status.to_status``); an
unexpected exception is logged with its trace and answered as INTERNAL without its text.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor

import grpc

from scoregate.core import convert, status
from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core._generated import scoring_pb2_grpc as pb_grpc
from scoregate.core.batching import MicroBatcher
from scoregate.core.contract import BatchResult, ModelDescription
from scoregate.core.errors import CoreFailure, DeadlineExpired, FieldViolation, InvalidInput, ScoreError, ViolationCode
from scoregate.core.metrics import CoreMetrics
from scoregate.core.registry import ModelRegistry
from scoregate.core.scoring import Scorer
from scoregate.core.validation import check_columns, encode_features, validate_matrix

log = logging.getLogger(__name__)


def _check_deadline(context: grpc.aio.ServicerContext) -> None:
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        raise DeadlineExpired()


def _answers_errors(handler: Callable[..., Awaitable]) -> Callable[..., Awaitable]:
    """Abort the call with the canonical error's status; hide unexpected errors' text."""

    @functools.wraps(handler)
    async def wrapper(self, request, context):  # noqa: ANN001
        try:
            return await handler(self, request, context)
        except ScoreError as error:
            self.metrics.errors.labels(error.kind.value).inc()
            await context.abort_with_status(status.to_status(error))
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            self.metrics.errors.labels(CoreFailure.kind.value).inc()
            await context.abort_with_status(status.to_status(CoreFailure("internal error in the scoring core")))

    return wrapper


class ScoringService(pb_grpc.ScoringServicer):
    def __init__(self, registry: ModelRegistry, batcher: MicroBatcher, executor: Executor, metrics: CoreMetrics) -> None:
        self.registry = registry
        self.metrics = metrics
        self.batcher = batcher
        self.executor = executor

    @_answers_errors
    async def Score(self, request: pb.ScoreRequest, context: grpc.aio.ServicerContext) -> pb.ScoreResponse:
        # Resolve the version once: the request finishes on it even if a newer one loads meanwhile.
        scorer = self.registry.get(request.model, request.version or None)
        features = {name: convert.from_proto_value(value) for name, value in request.features.items()}
        row, violations = encode_features(scorer.model.metadata.feature_schema, features)
        if violations:
            raise InvalidInput(violations)
        _check_deadline(context)
        batch, index = await self.batcher.score(scorer, row, min(request.reason_count, 32))
        return pb.ScoreResponse(result=convert.to_proto_result_row(batch, index, request.request_id))

    async def _score_batch(self, request: pb.BatchRequest, context: grpc.aio.ServicerContext, path: str) -> pb.BatchResponse:
        scorer: Scorer = self.registry.get(request.model, request.version or None)
        schema = scorer.model.metadata.feature_schema
        problems = check_columns(schema, tuple(request.feature_names))
        if problems:
            raise InvalidInput(problems)
        try:
            batch = convert.from_proto_batch(request)
        except ValueError as exc:
            raise InvalidInput([FieldViolation(field="matrix", code=ViolationCode.MALFORMED, message=str(exc))]) from exc
        _check_deadline(context)
        loop = asyncio.get_running_loop()
        result: BatchResult = await loop.run_in_executor(self.executor, self._validate_and_score, scorer, batch.matrix, request.reason_count)
        self.metrics.scored(result.model, result.version, path, result.probabilities, len(result.rejects), result.core_micros / 1e6)
        return convert.to_proto_batch_result(result, request.batch_id)

    @staticmethod
    def _validate_and_score(scorer: Scorer, matrix, reason_count: int) -> BatchResult:  # noqa: ANN001
        rejects = validate_matrix(scorer.model.metadata.feature_schema, matrix)
        return scorer.score(matrix, min(reason_count, 32), rejects)

    @_answers_errors
    async def ScoreBatch(self, request: pb.BatchRequest, context: grpc.aio.ServicerContext) -> pb.BatchResponse:
        return await self._score_batch(request, context, "batch")

    async def ScoreStream(
        self, request_iterator: AsyncIterator[pb.BatchRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.BatchResponse]:
        try:
            async for request in request_iterator:
                yield await self._score_batch(request, context, "stream")
        except ScoreError as error:
            self.metrics.errors.labels(error.kind.value).inc()
            await context.abort_with_status(status.to_status(error))
        except Exception:
            log.exception("unexpected error in ScoreStream")
            await context.abort_with_status(status.to_status(CoreFailure("internal error in the scoring core")))

    @_answers_errors
    async def DescribeModel(self, request: pb.DescribeModelRequest, context: grpc.aio.ServicerContext) -> pb.ModelDescription:
        meta = self.registry.get(request.model, request.version or None).model.metadata
        return convert.to_proto_description(
            ModelDescription(
                name=meta.name,
                version=meta.version,
                feature_schema=meta.feature_schema,
                bands=meta.bands,
                contributions=meta.contributions,
                is_default=self.registry.default_version(meta.name) == meta.version,
            )
        )

    @_answers_errors
    async def ListModels(self, request: pb.ListModelsRequest, context: grpc.aio.ServicerContext) -> pb.ListModelsResponse:
        return pb.ListModelsResponse(
            models=[
                pb.ModelVersionInfo(
                    model=s.model,
                    version=s.version,
                    is_default=s.state == "loaded" and self.registry.default_version(s.model) == s.version,
                    state=s.state,
                    error=s.error,
                )
                for s in self.registry.states()
            ]
        )
