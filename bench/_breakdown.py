"""Where the CPU goes in one single-row Score call, stage by stage, measured in process.

The stages are the ones ``ScoringClient.score`` and ``ScoringService.Score`` run, called directly
(no gRPC), so their sum is the Python/XGBoost work per request. One extra line times the
MicroBatcher round trip through its scoring thread (SimpleQueue, thread, call_soon_threadsafe,
Scorer.score) on an event loop in this process: minus the Scorer.score line, it is the cost of the
hop that concurrent callers pay (a lone caller is scored on the loop, ``score_alone``). The rest
of the end-to-end latency is gRPC itself (see the noop server's figures).
"""

from __future__ import annotations

import asyncio
import time

import numpy as np

from _measure import load_demo
from _timing import timed_calls
from _workload import single_request

from scoregate.core import convert
from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core.batching import MicroBatcher
from scoregate.core.scoring import Scorer
from scoregate.core.encoder import encode_features


def _batcher_round_trip(scorer: Scorer, row: np.ndarray, count: int) -> list[int]:
    """ns per ``await MicroBatcher.score`` through the scoring thread (wait 0, one worker, as the core runs)."""

    async def run() -> list[int]:
        batcher = MicroBatcher(64, 0.0, 1)
        batcher.start()
        out = []
        try:
            for _ in range(count):
                t0 = time.perf_counter_ns()
                await batcher.score(scorer, row, 0)
                out.append(time.perf_counter_ns() - t0)
        finally:
            await batcher.stop()
        return out

    return asyncio.run(run())


def _metrics_stage(probabilities: np.ndarray):  # noqa: ANN202
    """CoreMetrics.scored for one micro-batch (runs on the event loop), if the core has metrics."""
    try:
        from scoregate.core.metrics import CoreMetrics
    except ImportError:
        return None
    metrics = CoreMetrics()
    return lambda: metrics.scored("credit-risk", "1", "single", probabilities, 0, 0.0003)


def single_row_stages(quick: bool) -> dict[str, float]:
    """Median microseconds per stage of the single-row path."""
    scorer = Scorer(load_demo())
    schema = scorer.model.metadata.feature_schema
    request = single_request()
    message = convert.to_proto_request(request)
    wire = message.SerializeToString()
    features = {k: convert.from_proto_value(v) for k, v in message.features.items()}
    row, _ = encode_features(schema, features)
    batch = scorer.score(row, 0)
    result = convert.result_from_batch(batch, 0, "r")
    response = pb.ScoreResponse(result=convert.to_proto_result(result))
    reply = response.SerializeToString()
    booster = scorer.model.runtime.booster

    stages = {
        "client: ScoreRequest -> protobuf": lambda: convert.to_proto_request(request),
        "client: serialize request": message.SerializeToString,
        "core: parse request": lambda: pb.ScoreRequest.FromString(wire),
        "core: protobuf values -> dict": lambda: convert.from_proto_features(message.features),
        "core: encode_features (validate)": lambda: encode_features(schema, features),
        "core: Scorer.score(1 row)": lambda: scorer.score(row, 0),
        "  (XGBoost inplace_predict(1 row), for comparison)": lambda: booster.inplace_predict(row, missing=np.nan, validate_features=False),
        "core: result_from_batch": lambda: convert.result_from_batch(batch, 0, "r"),
        "core: result -> protobuf + serialize": lambda: pb.ScoreResponse(result=convert.to_proto_result(result)).SerializeToString(),
        "client: parse + from_proto_result": lambda: convert.from_proto_result(pb.ScoreResponse.FromString(reply).result),
    }
    if metrics := _metrics_stage(batch.probabilities):
        stages["core: CoreMetrics.scored (per micro-batch)"] = metrics
    # Rounds over all stages, median of the round medians: a noisy burst hits one round, not one stage.
    rounds, count, limit = (2, 300, 0.3) if quick else (5, 400, 0.4)
    per_round: dict[str, list[float]] = {name: [] for name in [*stages, "hop"]}
    for _ in range(rounds):
        for name, fn in stages.items():
            per_round[name].append(float(np.median(timed_calls(fn, count, limit, warmup=20))) / 1e3)
        per_round["hop"].append(float(np.median(_batcher_round_trip(scorer, row, count))) / 1e3)
    out = {name: float(np.median(values)) for name, values in per_round.items() if name != "hop"}
    out["sum (excluding the indented lines)"] = sum(v for k, v in out.items() if not k.startswith("  "))
    out["core: MicroBatcher thread round trip, 1 row"] = float(np.median(per_round["hop"]))
    out["  of which queue + thread hop"] = out["core: MicroBatcher thread round trip, 1 row"] - out["core: Scorer.score(1 row)"]
    return out
