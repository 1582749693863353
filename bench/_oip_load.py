"""The load of bench/oip_bench.py, run with the python of the ``mlserver`` side environment
(tritonclient and XGBoost beside each other; scoregate's own environment cannot hold tritonclient).

Reads its plan as JSON on stdin and prints the measurements as JSON. Servers are called in turn,
figure by figure, round by round, so a noisy second of the shared machine lands on all of them:

- ``triton``: tritonclient.grpc (sync for the sequential and batch figures, its asyncio client for
  the concurrent one), one ``[rows, F]`` FP64 tensor as raw contents;
- ``raw``: a bare grpc channel sending request bytes made once (``scoregate.v1`` requests made by
  the parent, V2 ones made here from tritonclient's own message classes), for the V2-against-v1
  comparison without either client's per-call cost.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import grpc
import numpy as np
import tritonclient.grpc as triton
import tritonclient.grpc.aio as triton_aio
import xgboost as xgb
from tritonclient.grpc import service_pb2

V2_INFER = "/inference.GRPCInferenceService/ModelInfer"


def _v2_bytes(model: str, rows: np.ndarray) -> bytes:
    request = service_pb2.ModelInferRequest(model_name=model)
    request.inputs.add(name="input-0", datatype="FP64", shape=rows.shape)
    request.raw_input_contents.append(np.ascontiguousarray(rows, dtype="<f8").tobytes())
    return request.SerializeToString()


class Server:
    def __init__(self, spec: dict, model: str, one: np.ndarray, block: np.ndarray) -> None:
        self.name, self.kind, self.target = spec["name"], spec["kind"], spec["target"]
        self.model = model
        self.one = one
        if self.kind == "triton":
            self.client = triton.InferenceServerClient(self.target)
            self.inputs = {}
            for label, rows in (("one", one), ("block", block)):
                tensor = triton.InferInput("input-0", list(rows.shape), "FP64")
                tensor.set_data_from_numpy(np.ascontiguousarray(rows))
                self.inputs[label] = [tensor]
        else:
            self.channel = grpc.insecure_channel(self.target, options=[("grpc.max_receive_message_length", 64 << 20)])
            self.method = spec.get("method", V2_INFER)
            # bytes in, bytes out; scoregate.v1 scores one row with Score, a batch with ScoreBatch
            self.calls = {"one": self.channel.unary_unary(self.method),
                          "block": self.channel.unary_unary(spec.get("batch_method", self.method))}
            if "single" in spec:
                self.payload = {"one": open(spec["single"], "rb").read(), "block": open(spec["batch"], "rb").read()}
            else:
                self.payload = {"one": _v2_bytes(model, one), "block": _v2_bytes(model, block)}

    def once(self, label: str) -> None:
        if self.kind == "triton":
            self.client.infer(self.model, self.inputs[label])
        else:
            self.calls[label](self.payload[label], timeout=30)

    async def concurrent(self, tasks: int, seconds: float) -> float:
        """Requests per second of ``tasks`` single-row callers for ``seconds``."""
        done = 0
        if self.kind == "triton":
            client = triton_aio.InferenceServerClient(self.target)
            tensor = triton_aio.InferInput("input-0", list(self.one.shape), "FP64")
            tensor.set_data_from_numpy(self.one)

            async def one() -> None:
                await client.infer(self.model, [tensor])
        else:
            channel = grpc.aio.insecure_channel(self.target)
            call = channel.unary_unary(self.method)
            payload = self.payload["one"]

            async def one() -> None:
                await call(payload, timeout=30)

        stop = time.perf_counter() + seconds

        async def caller() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                await one()
                done += 1

        for _ in range(4):  # warm the connection
            await one()
        started = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(tasks)))
        elapsed = time.perf_counter() - started
        await (client.close() if self.kind == "triton" else channel.close())
        return done / elapsed


def baseline(booster: xgb.Booster, one: np.ndarray, block: np.ndarray, calls: int, batches: int) -> dict:
    predict = lambda m: booster.inplace_predict(m, missing=np.nan, validate_features=False)  # noqa: E731
    for _ in range(50):
        predict(one)
    samples = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        predict(one)
        samples.append(time.perf_counter_ns() - started)
    started = time.perf_counter()
    for _ in range(batches):
        predict(block)
    return {"single_us": float(np.median(samples)) / 1000, "rows_per_s": batches * len(block) / (time.perf_counter() - started)}


def main() -> None:
    plan = json.load(sys.stdin)
    rows = np.load(plan["rows"])
    one, block = rows[:1].copy(), rows[: plan["batch_rows"]].copy()
    booster = xgb.Booster(model_file=plan["booster"])
    booster.set_param({"nthread": 1})
    servers = [Server(spec, plan["model"], one, block) for spec in plan["servers"]]
    for server in servers:  # warm up
        for _ in range(20):
            server.once("one")
        server.once("block")
    out = {s.name: {"latency_ns": [], "req_s": [], "rows_s": []} for s in servers}
    bases = []
    for _ in range(plan["rounds"]):
        bases.append(baseline(booster, one, block, plan["seq_calls"], plan["batches"]))
        for server in servers:
            for _ in range(plan["seq_calls"]):
                started = time.perf_counter_ns()
                server.once("one")
                out[server.name]["latency_ns"].append(time.perf_counter_ns() - started)
        for server in servers:
            out[server.name]["req_s"].append(asyncio.run(server.concurrent(plan["tasks"], plan["seconds"])))
        for server in servers:
            started = time.perf_counter()
            for _ in range(plan["batches"]):
                server.once("block")
            out[server.name]["rows_s"].append(plan["batches"] * len(block) / (time.perf_counter() - started))
    json.dump({"servers": out, "baseline": bases}, sys.stdout)


if __name__ == "__main__":
    main()
