"""The gRPC servicer: protobuf in, convert -> validate -> score -> convert, protobuf out.

Canonical errors are turned into gRPC statuses here and only here (``status.to_status``); an
unexpected exception is logged with its trace and answered as INTERNAL without its text.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor

import grpc

from scoregate.core import convert, status
from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core._generated import scoring_pb2_grpc as pb_grpc
from scoregate.core.batching import MicroBatcher
from scoregate.core.contract import BatchResult, ModelDescription
from scoregate.core.errors import CoreFailure, DeadlineExpired, FieldViolation, InvalidInput, ScoreError, ViolationCode
from scoregate.core.logcontext import REQUEST_ID_HEADER, request_context
from scoregate.core.metrics import CoreMetrics
from scoregate.core.monitoring import InputMonitor
from scoregate.core.registry import ModelRegistry
from scoregate.core.scoring import Scorer
from scoregate.core.encoder import encode_features
from scoregate.core.validation import check_columns, validate_matrix

log = logging.getLogger(__name__)
access_log = logging.getLogger("scoregate.core.access")

# Lone callers: see ScoringService._lone_caller.
_LONE_AFTER_S = 0.05
_PROBE_EVERY = 8
# The largest batch a lone caller has scored on the event loop (2,000 rows: 5-8 ms of XGBoost on
# a small 2-core machine, while a call that arrives meanwhile waits); larger ones, stream batches,
# batches with reason codes and single rows with exact reasons go to a scoring thread.
_LONE_BATCH_ROWS = 2_000
# A lone caller's batch of at least _WIDE_FROM_ROWS rows may be predicted with more OpenMP threads
# (CoreSettings.lone_batch_threads): nothing else is being scored here. Smaller batches stay on one
# thread (two threads on small batches were unsteady, and the gain is under the thread start-up).
_WIDE_FROM_ROWS = 512


def _check_deadline(context: grpc.aio.ServicerContext) -> None:
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        raise DeadlineExpired()


def _request_id(context: grpc.aio.ServicerContext) -> str:
    """The gateway's request id (``x-request-id`` metadata); read only when a line is logged."""
    for key, value in context.invocation_metadata() or ():
        if key == REQUEST_ID_HEADER:
            return value
    return ""


def _caller(request: object) -> tuple[str, str]:
    """(reference, channel) of a request that names its caller; empty for the others."""
    caller = getattr(request, "caller", None)
    return (caller.reference, caller.channel) if caller is not None else ("", "")


def _answers_errors(handler: Callable[..., Awaitable]) -> Callable[..., Awaitable]:
    """Abort the call with the canonical error's status; hide unexpected errors' text.

    Log lines of a call carry the gateway's request id. Refused input is logged at DEBUG (a
    caller's mistake, answered to the caller), other canonical errors at WARNING, and every
    answered call at DEBUG on ``scoregate.core.access``.
    """

    @functools.wraps(handler)
    async def wrapper(self, request, context):  # noqa: ANN001
        try:
            response = await handler(self, request, context)
        except ScoreError as error:
            self.metrics.errors.labels(error.kind.value).inc()
            level = logging.DEBUG if isinstance(error, InvalidInput) else logging.WARNING
            if log.isEnabledFor(level):
                with request_context(_request_id(context), *_caller(request)):
                    log.log(level, "%s %s refused: %s", handler.__name__, getattr(request, "model", ""), error.message)
            await context.abort_with_status(status.to_status(error))
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception:
            with request_context(_request_id(context)):
                log.exception("unexpected error in %s", handler.__name__)
            self.metrics.errors.labels(CoreFailure.kind.value).inc()
            await context.abort_with_status(status.to_status(CoreFailure("internal error in the scoring core")))
        else:
            if access_log.isEnabledFor(logging.DEBUG):
                with request_context(_request_id(context), *_caller(request)):
                    access_log.debug("%s %s %s", handler.__name__, getattr(request, "model", ""), getattr(request, "version", ""))
            return response

    return wrapper


class ScoringService(pb_grpc.ScoringServicer):
    def __init__(
        self, registry: ModelRegistry, batcher: MicroBatcher, executor: Executor, metrics: CoreMetrics,
        monitor: InputMonitor | None = None, lone_batch_threads: int = 1,
    ) -> None:
        self.registry = registry
        self.lone_batch_threads = lone_batch_threads
        self.metrics = metrics
        self.monitor = monitor
        self.batcher = batcher
        self.executor = executor
        self._scores_open = 0  # Score and ScoreBatch RPCs in their handler or sending their answer
        self._overlapped_at = -_LONE_AFTER_S  # when two of them were last seen open at once
        self._lone_calls = 0
        self.batches_on_loop = 0  # lone callers' ScoreBatch calls scored on the event loop

    def _score_opened(self, context: grpc.aio.ServicerContext) -> None:
        self._scores_open += 1
        context.add_done_callback(self._score_closed)

    def _score_closed(self, _: grpc.aio.ServicerContext) -> None:
        self._scores_open -= 1

    def _lone_caller(self) -> bool:
        """Whether this Score or ScoreBatch call (already counted open) is a lone caller's.

        A lone caller is scored on the event loop, without the hand-off to a scoring thread (about
        0.1 ms of a 1.1 ms single-row call, 0.2 ms of a 1,000-row batch): nothing could join its
        micro-batch, and no other call waits while the loop scores. One open call is not proof
        enough: under load the loop runs handlers one at a time while more calls wait inside gRPC,
        and scoring them all on the loop would stop the overlap that batching and the second core
        need. So a call counts as lone only when no two calls were open at once for
        ``_LONE_AFTER_S``, and every ``_PROBE_EVERY``-th such call takes the thread path anyway:
        while it waits, waiting calls show up as open.
        """
        now = time.monotonic()
        if self._scores_open > 1:
            self._overlapped_at = now
            return False
        self._lone_calls += 1
        return now - self._overlapped_at > _LONE_AFTER_S and self._lone_calls % _PROBE_EVERY != 0

    @_answers_errors
    async def Score(self, request: pb.ScoreRequest, context: grpc.aio.ServicerContext) -> pb.ScoreResponse:
        self._score_opened(context)
        # Resolve the version once: the request finishes on it even if a newer one loads meanwhile.
        scorer = self.registry.get(request.model, request.version or None)
        meta = scorer.model.metadata
        row, violations = encode_features(meta.feature_schema, convert.from_proto_features(request.features))
        if violations:
            if self.monitor is not None:
                self.monitor.submit(meta, None, request.caller.channel, violations)
            raise InvalidInput(violations)
        _check_deadline(context)
        reason_count = min(request.reason_count, 32)
        bands = scorer.reason_bands(tuple(request.reason_bands)) if reason_count else None
        if self._lone_caller() and self._may_score_on_loop(scorer, 1, reason_count):
            batch, index = self.batcher.score_alone(scorer, row, reason_count, bands), 0
        else:
            batch, index = await self.batcher.score(scorer, row, reason_count, bands)
        if self.monitor is not None:
            self.monitor.submit(meta, row, request.caller.channel)
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
        bands = scorer.reason_bands(tuple(request.reason_bands)) if request.reason_count else None
        _check_deadline(context)
        lone = path == "batch" and self._lone_caller()
        threads = self.lone_batch_threads if lone and batch.rows >= _WIDE_FROM_ROWS else 0
        if lone and self._may_score_on_loop(scorer, batch.rows, request.reason_count):
            self.batches_on_loop += 1
            result = self._validate_and_score(scorer, batch.matrix, request.reason_count, bands, threads)
        else:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(
                self.executor, self._validate_and_score, scorer, batch.matrix, request.reason_count, bands, threads)
        self.metrics.scored(result.model, result.version, path, result.probabilities, len(result.rejects), result.core_micros / 1e6)
        if self.monitor is not None:
            self.monitor.submit(scorer.model.metadata, batch.matrix, request.caller.channel, result.rejects)
        return convert.to_proto_batch_result(result, request.batch_id)

    @staticmethod
    def _may_score_on_loop(scorer: Scorer, rows: int, reason_count: int) -> bool:
        """Quick enough to score on the event loop for a lone caller.

        Exact reasons take milliseconds per row, approximate ones 10-20 us: fine for one row, not for
        a batch, where the hop saved (about 0.2 ms) is small beside them."""
        if rows == 1:
            return reason_count == 0 or scorer.model.metadata.contributions == "approx"
        return rows <= _LONE_BATCH_ROWS and reason_count == 0

    @staticmethod
    def _validate_and_score(scorer: Scorer, matrix, reason_count: int, bands=None, threads: int = 0) -> BatchResult:  # noqa: ANN001
        rejects = validate_matrix(scorer.model.metadata.feature_schema, matrix)
        return scorer.score(matrix, min(reason_count, 32), rejects, bands, threads)

    @_answers_errors
    async def ScoreBatch(self, request: pb.BatchRequest, context: grpc.aio.ServicerContext) -> pb.BatchResponse:
        self._score_opened(context)
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
                description=meta.description,
                metrics=meta.metrics,
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
