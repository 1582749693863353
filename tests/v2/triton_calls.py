"""Calls to a V2 server with the standard client, tritonclient[grpc], in its own environment.

Run by the tests with the python of the ``tritonclient`` side environment (scripts/side_venvs.py:
tritonclient pins a protobuf older than scoregate's). Reads a JSON list of calls on stdin, makes
them against the target given as the only argument, and prints one JSON answer per call:

    {"op": "live" | "ready" | "server_metadata"}
    {"op": "model_ready" | "model_metadata", "model": NAME}
    {"op": "infer", "model": NAME, "inputs": [{"name", "datatype", "shape", "data", "binary"}],
     "parameters": {...}, "outputs": [NAME, ...]}

An infer answer is {"outputs": {name: nested list}, "version": ...} or {"error": {"status", "message"}}.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import tritonclient.grpc as triton
from tritonclient.utils import InferenceServerException

_DTYPES = {"FP64": np.float64, "FP32": np.float32, "INT64": np.int64, "INT32": np.int32, "INT8": np.int8}


def _infer(client: triton.InferenceServerClient, call: dict) -> dict:
    inputs = []
    for spec in call["inputs"]:
        tensor = triton.InferInput(spec["name"], spec["shape"], spec["datatype"])
        data = np.array(spec["data"], dtype=_DTYPES[spec["datatype"]]).reshape(spec["shape"])
        if spec.get("binary", True):
            tensor.set_data_from_numpy(data)  # raw_input_contents
        else:  # typed contents: tritonclient's gRPC client only sends raw, so its request message is filled here
            field = {"FP64": "fp64_contents", "FP32": "fp32_contents", "INT64": "int64_contents"}.get(spec["datatype"], "int_contents")
            getattr(tensor._get_tensor().contents, field).extend(data.ravel().tolist())
        inputs.append(tensor)
    outputs = [triton.InferRequestedOutput(name) for name in call.get("outputs", [])] or None
    try:
        result = client.infer(call["model"], inputs, outputs=outputs, parameters=call.get("parameters") or None)
    except InferenceServerException as error:
        return {"error": {"status": error.status(), "message": error.message()}}
    response = result.get_response()
    answer = {}
    for output in response.outputs:
        values = result.as_numpy(output.name)
        answer[output.name] = [v.decode() if isinstance(v, bytes) else v for v in values.ravel().tolist()]
        answer[output.name] = np.array(answer[output.name], dtype=object).reshape(values.shape).tolist()
    return {"outputs": answer, "version": response.model_version, "id": response.id}


def main() -> None:
    client = triton.InferenceServerClient(sys.argv[1])
    answers = []
    for call in json.load(sys.stdin):
        op = call["op"]
        if op == "live":
            answers.append(client.is_server_live())
        elif op == "ready":
            answers.append(client.is_server_ready())
        elif op == "model_ready":
            answers.append(client.is_model_ready(call["model"]))
        elif op == "server_metadata":
            answers.append(client.get_server_metadata(as_json=True))
        elif op == "model_metadata":
            try:
                answers.append(client.get_model_metadata(call["model"], as_json=True))
            except InferenceServerException as error:
                answers.append({"error": {"status": error.status(), "message": error.message()}})
        elif op == "infer":
            answers.append(_infer(client, call))
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
