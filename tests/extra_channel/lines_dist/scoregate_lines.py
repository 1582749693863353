"""A line-per-request TCP channel: one JSON request per line in, one JSON answer per line out.

Registered through the ``scoregate.channels`` entry point group, with nothing of scoregate
changed: it uses the public registry (``ChannelSpec``, ``ChannelContext``), the ``Channel``
lifecycle, the shared metrics and the scoring client, as a channel of another distribution would.

Request: ``{"ref": "A-1", "features": {...}}`` (``model`` optional: the configured one).
Answers: ``{"ref", "status": "scored", "model", "version", "probability", "decision"}``;
``{"ref", "status": "invalid", "violations": [{"field", "code", "message"}]}`` for the caller's
fault; ``{"ref", "status": "server_error", "kind"}`` for a core outage, or when the channel
stops before the request is scored (the caller tries again).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import socketserver
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scoregate.adapters.channel import ChannelHealth
from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.metrics import ChannelMetrics, Outcome
from scoregate.adapters.registry import Banner, ChannelContext, ChannelSpec, ModelLookup
from scoregate.core.client import ScoringClient
from scoregate.core.contract import CallerRef, ScoreRequest
from scoregate.core.errors import ErrorKind, InvalidInput, ScoreError, UnknownModel

MAX_LINE_BYTES = 64 * 1024


class LinesConfig(BaseModel):
    """The channel's own file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    """Address to listen on."""
    port: int = Field(default=0, ge=0, le=65535)
    """TCP port; 0 picks a free one."""
    model: str = "credit-risk"
    """Model of requests that name none."""
    workers: int = Field(default=8, ge=1)
    """Requests scored at once."""

    @classmethod
    def load(cls, file: Path | str, **overrides: Any) -> LinesConfig:
        return cls.model_validate({**read_config_file(Path(file)), **overrides})


def _error_answer(ref: str, error: ScoreError) -> dict[str, Any]:
    if isinstance(error, InvalidInput):
        violations = [{"field": v.field, "code": v.code.value, "message": v.message} for v in error.violations]
        return {"ref": ref, "status": "invalid", "violations": violations}
    return {"ref": ref, "status": "server_error", "kind": error.kind.value}


class _Server(socketserver.ThreadingTCPServer):
    """A thread per connection, started by the accepting thread itself: once ``shutdown()``
    returns, every accepted connection has its thread, and ``live`` counts it until it ends."""

    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False  # the channel waits for its connections itself, within its grace

    def __init__(self, address: tuple[str, int], handler: type) -> None:
        super().__init__(address, handler)
        self.live = 0
        self.changed = threading.Condition()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.changed:
            self.live += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        with self.changed:
            self.live -= 1
            self.changed.notify_all()


class LinesChannel:
    """Serves one TCP port; each line read is answered by one line, in order, per connection.

    Blocking sockets on threads (``socketserver``): a connection is either taken by a thread or
    refused, never left accepted and unserved when the channel stops."""

    name = "lines"

    def __init__(self, config: LinesConfig, client: ScoringClient, metrics: ChannelMetrics) -> None:
        self.config = config
        self.client = client
        self.metrics = metrics
        self.port = config.port
        self._server: _Server | None = None
        self._pool = ThreadPoolExecutor(config.workers, thread_name_prefix="lines-score")
        self._lock = threading.Condition()
        self._released = False
        """Set when the grace is over: what is still at the core is answered "stopping"."""
        self._waiting: set[threading.Event] = set()
        """One event per request at the core, set when it is scored (or released)."""
        self._connections: set[socket.socket] = set()

    async def start(self) -> None:
        channel = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                channel._serve(self.connection, self.rfile, self.wfile)

        self._server = _Server((self.config.host, self.config.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name="lines-accept", daemon=True).start()

    async def stop(self, grace: float) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await asyncio.to_thread(self._stop, server, grace)

    def _stop(self, server: _Server, grace: float) -> None:
        server.shutdown()  # the accepting thread is gone: every accepted connection has its thread
        server.socket.close()  # new callers are refused
        with self._lock:
            self._lock.wait_for(lambda: not self._waiting, timeout=grace)
            self._released = True
            for event in self._waiting:
                event.set()
            for sock in self._connections:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RD)  # a reader waiting for a next line sees the end
        with server.changed:
            server.changed.wait_for(lambda: server.live == 0, timeout=10)
        server.server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def health(self) -> ChannelHealth:
        if self._server is None:
            return ChannelHealth(False, "not started" if not self._released else "stopped")
        return ChannelHealth(True)

    def _serve(self, sock: socket.socket, rfile: Any, wfile: Any) -> None:
        with self._lock:
            if self._released:
                return  # accepted as the channel stopped: closed unread, the caller tries again
            self._connections.add(sock)
        try:
            while line := rfile.readline(MAX_LINE_BYTES):
                wfile.write(json.dumps(self._answer(line)).encode() + b"\n")
                wfile.flush()
                if self._released:
                    break
        except OSError:  # the caller left
            pass
        finally:
            with self._lock:
                self._connections.discard(sock)

    def _answer(self, line: bytes) -> dict[str, Any]:
        started = self.metrics.started()
        try:
            body = json.loads(line)
            ref = str(body.get("ref", ""))
            request = ScoreRequest(
                request_id=uuid.uuid4().hex, model=body.get("model", self.config.model), features=body["features"],
                caller=CallerRef(reference=ref, channel=self.name),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            self.metrics.finished(started, Outcome.ERROR, ErrorKind.INVALID_INPUT)
            return {"ref": "", "status": "invalid", "violations": [{"field": "", "code": "MALFORMED", "message": str(error)}]}
        done = threading.Event()
        with self._lock:
            if self._released:
                self.metrics.abandoned()
                return {"ref": ref, "status": "server_error", "kind": "stopping"}
            self._waiting.add(done)
        scoring = self._pool.submit(self.client.score, request)
        scoring.add_done_callback(lambda _: done.set())
        done.wait()
        with self._lock:
            self._waiting.discard(done)
            self._lock.notify_all()
        if not scoring.done() or scoring.cancelled():  # released: the grace is over
            self.metrics.abandoned()
            return {"ref": ref, "status": "server_error", "kind": "stopping"}
        try:
            result = scoring.result()
        except ScoreError as error:
            self.metrics.finished(started, Outcome.ERROR, error)
            return _error_answer(ref, error)
        self.metrics.finished(started, Outcome.SCORED)
        return {"ref": ref, "status": "scored", "model": result.model, "version": result.version,
                "probability": result.probability, "decision": result.decision}


def build(config: LinesConfig, context: ChannelContext) -> LinesChannel:
    return LinesChannel(config, context.scoring_client(), context.metrics)


def check(config: LinesConfig, models: ModelLookup) -> list[str]:
    """The configured model is one the core serves (known only when a core answers)."""
    try:
        models(config.model)
    except UnknownModel as error:
        return [f"model: {error.message}"]
    return []


def describe(channel: LinesChannel, config_file: Path, banner: Banner) -> list[str]:
    return [f"tcp://{channel.config.host}:{channel.port}  one JSON request per line"]


CHANNEL = ChannelSpec(name="lines", config=LinesConfig, build=build, describe=describe, check=check)
