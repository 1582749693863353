"""The transport ceiling: the ``scoregate.v1.Scoring`` service over grpc.aio, without a model.

    python bench/noop_server.py [--address 127.0.0.1:0]

Prints ``noop server listening on port N`` when ready; stops on SIGTERM or SIGINT. Score answers a
fixed ScoreResponse; ScoreBatch and ScoreStream answer a fixed BatchResponse with as many rows
(and reason slots) as asked; DescribeModel answers the demo model's real description (read from
its metadata.json, no booster), so the unchanged ScoringClient works against it. Same message
size limits as the core.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import grpc
import numpy as np

from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR
from scoregate.core import convert
from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core._generated import scoring_pb2_grpc as pb_grpc
from scoregate.core.contract import ModelDescription, ModelMetadata
from scoregate.core.settings import DEFAULT_MAX_MESSAGE_MB

META = ModelMetadata.model_validate_json((DEMO_MODELS_DIR / DEMO_MODEL / "1" / "metadata.json").read_bytes())


class NoopScoring(pb_grpc.ScoringServicer):
    def __init__(self) -> None:
        self.description = convert.to_proto_description(
            ModelDescription(name=META.name, version=META.version, feature_schema=META.feature_schema,
                             bands=META.bands, contributions=META.contributions, is_default=True)
        )
        self.single = pb.ScoreResponse(result=pb.ScoreResult(
            request_id="bench", model=META.name, version=META.version, probability=0.0625, decision="APPROVE",
            core_micros=1,
        ))
        self._batches: dict[tuple[int, int], pb.BatchResponse] = {}

    def _batch(self, request: pb.BatchRequest) -> pb.BatchResponse:
        key = (request.rows, min(request.reason_count, 32))
        if key not in self._batches:
            rows, k = key
            self._batches[key] = pb.BatchResponse(
                model=META.name, version=META.version, rows=rows, reason_count=k,
                probabilities=np.full(rows, 0.0625).tobytes(), decisions=np.zeros(rows, np.uint8).tobytes(),
                reason_features=np.zeros((rows, k), np.int32).tobytes(),
                reason_contributions=np.zeros((rows, k)).tobytes(), core_micros=1,
            )
        return self._batches[key]

    async def Score(self, request, context):  # noqa: ANN001, ANN201
        return self.single

    async def ScoreBatch(self, request, context):  # noqa: ANN001, ANN201
        return self._batch(request)

    async def ScoreStream(self, request_iterator, context):  # noqa: ANN001, ANN201
        async for request in request_iterator:
            yield self._batch(request)

    async def DescribeModel(self, request, context):  # noqa: ANN001, ANN201
        return self.description

    async def ListModels(self, request, context):  # noqa: ANN001, ANN201
        return pb.ListModelsResponse()


async def serve(address: str) -> None:
    limit = DEFAULT_MAX_MESSAGE_MB * 1024 * 1024
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", limit),
                                      ("grpc.max_send_message_length", limit)])
    pb_grpc.add_ScoringServicer_to_server(NoopScoring(), server)
    port = server.add_insecure_port(address)
    if not port:
        raise SystemExit(f"cannot listen on {address}")
    await server.start()
    print(f"noop server listening on port {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(1.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--address", default="127.0.0.1:0")
    asyncio.run(serve(p.parse_args().address))


if __name__ == "__main__":
    main()
