"""KServe V2 over HTTP/REST (``/v2/...``) on a port of its own, beside the gRPC endpoint.

A bare ASGI app (uvicorn, as the SOAP channel runs): each JSON request becomes the gRPC
endpoint's ``ModelInferRequest`` and goes through the same ``InferenceService`` code, so both
sides validate, score and answer alike. Errors are ``{"error": "..."}`` with 400 (bad input, every
field reason in the text), 404 (unknown model) or 500. The HTTP side has no access checks and no
TLS: ``CoreSettings`` refuses it beside an access file or TLS.

- ``GET /v2``, ``/v2/health/live``, ``/v2/health/ready``
- ``GET /v2/models/{name}[/versions/{v}]`` (metadata), ``.../ready``
- ``POST /v2/models/{name}[/versions/{v}]/infer``: ``{"id", "parameters", "inputs": [{"name",
  "shape", "datatype", "data"}], "outputs": [{"name"}]}``; ``data`` flat or nested, row-major,
  ``null`` for a missing value (JSON has no NaN).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator

import numpy as np
import uvicorn

from scoregate.core._generated import grpc_predict_v2_pb2 as v2
from scoregate.core.errors import InvalidInput, ScoreError, UnknownModel
from scoregate.core.ports import bind_tcp
from scoregate.core.v2 import tensors
from scoregate.core.v2.service import InferenceService, invalid_message

log = logging.getLogger(__name__)

_MODEL = re.compile(r"^/v2/models/(?P<name>[^/]+)(?:/versions/(?P<version>[^/]+))?(?P<action>/ready|/infer)?$")
_STATUS = {"INVALID_INPUT": 400, "UNKNOWN_MODEL": 404}


class _NoDeadline:
    """The gRPC context's one method the inference path asks: HTTP calls carry no deadline."""

    @staticmethod
    def time_remaining() -> None:
        return None


def _parameters(values: dict) -> dict:
    out = {}
    for key, value in (values or {}).items():
        if isinstance(value, bool):
            out[key] = v2.InferParameter(bool_param=value)
        elif isinstance(value, int):
            out[key] = v2.InferParameter(int64_param=value)
        else:
            out[key] = v2.InferParameter(string_param=str(value))
    return out


def infer_request(name: str, version: str, body: dict) -> v2.ModelInferRequest:
    """A REST infer body as the gRPC request (typed contents)."""
    request = v2.ModelInferRequest(model_name=name, model_version=version, id=str(body.get("id", "")),
                                   parameters=_parameters(body.get("parameters")))
    try:
        for spec in body["inputs"]:
            tensor = request.inputs.add(name=spec["name"], datatype=spec["datatype"], shape=spec["shape"])
            field = tensors.DATATYPES.get(spec["datatype"], (None, "fp64_contents"))[1]
            getattr(tensor.contents, field).extend(np.asarray(spec["data"], dtype=np.float64).ravel().tolist()
                                                   if field.startswith("fp") else np.asarray(spec["data"]).ravel().tolist())
        for output in body.get("outputs", []):
            request.outputs.add(name=output["name"])
    except (KeyError, TypeError, ValueError) as error:
        raise tensors.malformed("inputs", f"not a V2 infer request: {error}") from None
    return request


def _values(datatype: str, raw: bytes) -> list:
    if datatype == "BYTES":
        out, at = [], 0
        while at < len(raw):
            size = int.from_bytes(raw[at:at + 4], "little")
            out.append(raw[at + 4:at + 4 + size].decode())
            at += 4 + size
        return out
    return np.frombuffer(raw, dtype=tensors.DATATYPES[datatype][0] if datatype in tensors.DATATYPES else "<i4").tolist()


def infer_response(response: v2.ModelInferResponse) -> dict:
    return {
        "model_name": response.model_name, "model_version": response.model_version, "id": response.id,
        "outputs": [{"name": o.name, "datatype": o.datatype, "shape": list(o.shape), "data": _values(o.datatype, raw)}
                    for o, raw in zip(response.outputs, response.raw_output_contents)],
    }


def _plain(parameters) -> dict:  # noqa: ANN001 - a protobuf map
    return {k: getattr(p, p.WhichOneof("parameter_choice")) for k, p in parameters.items() if p.WhichOneof("parameter_choice")}


def metadata_json(meta: v2.ModelMetadataResponse) -> dict:
    def tensor(t) -> dict:  # noqa: ANN001
        return {"name": t.name, "datatype": t.datatype, "shape": list(t.shape), "parameters": _plain(t.parameters)}

    return {"name": meta.name, "versions": list(meta.versions), "platform": meta.platform,
            "inputs": [tensor(t) for t in meta.inputs], "outputs": [tensor(t) for t in meta.outputs],
            "parameters": _plain(meta.parameters)}


class RestApp:
    """The ASGI app; ``service`` is the gRPC endpoint's servicer, shared."""

    def __init__(self, service: InferenceService) -> None:
        self.service = service

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, answer = await self._answer(scope["method"], scope["path"], body)
        data = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    async def _answer(self, method: str, path: str, body: bytes) -> tuple[int, dict]:
        service, registry = self.service, self.service.registry
        try:
            if path in ("/v2", "/v2/"):
                meta = service._server_metadata
                return 200, {"name": meta.name, "version": meta.version, "extensions": list(meta.extensions)}
            if path == "/v2/health/live":
                return 200, {"live": True}
            if path == "/v2/health/ready":
                ready = any(s.state == "loaded" for s in registry.states())
                return (200 if ready else 503), {"ready": ready}
            match = _MODEL.match(path)
            if match is None:
                return 404, {"error": f"no such path: {path}"}
            name, version, action = match["name"], match["version"] or "", match["action"]
            if action == "/ready":
                try:
                    registry.get(name, version or None)
                except UnknownModel:
                    return 404, {"name": name, "ready": False}
                return 200, {"name": name, "ready": True}
            if action is None and method == "GET":
                return 200, metadata_json(service.metadata(name, version))
            if action == "/infer" and method == "POST":
                try:
                    parsed = json.loads(body)
                except ValueError as error:
                    raise tensors.malformed("body", f"not JSON: {error}") from None
                request = infer_request(name, version, parsed if isinstance(parsed, dict) else {})
                return 200, infer_response(await service._infer(request, _NoDeadline()))
            return 405, {"error": f"{method} {path} is not a V2 call"}
        except ScoreError as error:
            service.scoring.metrics.errors.labels(error.kind.value).inc()
            message = invalid_message(error) if isinstance(error, InvalidInput) else error.message
            return _STATUS.get(error.kind.name, 500), {"error": message}
        except Exception:
            log.exception("unexpected error in %s %s", method, path)
            return 500, {"error": "internal error in the scoring core"}


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the core decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class RestServer:
    def __init__(self, server: _EmbeddedServer, task: asyncio.Task) -> None:
        self._server, self._task = server, task

    async def stop(self) -> None:
        self._server.should_exit = True
        await self._task


async def serve_rest(service: InferenceService, host: str, port: int) -> tuple[RestServer, int]:
    """Listen on ``host:port`` (0: a free port) in the running loop; returns the server and its port."""
    sock = bind_tcp(host, port, "the core's V2 HTTP endpoint", "v2_http_port (SCOREGATE_CORE_V2_HTTP_PORT)")
    config = uvicorn.Config(RestApp(service), lifespan="off", log_config=None, access_log=False, server_header=False)
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="v2-http")
    while not server.started:
        if task.done():
            await task
            raise RuntimeError("the V2 HTTP server stopped during start")
        await asyncio.sleep(0.01)
    return RestServer(server, task), sock.getsockname()[1]
