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
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scoregate.adapters.channel import ChannelHealth
from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.metrics import ChannelMetrics, Outcome
from scoregate.adapters.registry import ChannelContext, ChannelSpec, ModelLookup
from scoregate.core.client import ScoringClient
from scoregate.core.contract import CallerRef, ScoreRequest
from scoregate.core.errors import ErrorKind, InvalidInput, ScoreError, UnknownModel


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


class LinesChannel:
    """Serves one TCP port; each line read is answered by one line, in order, per connection."""

    name = "lines"

    def __init__(self, config: LinesConfig, client: ScoringClient, metrics: ChannelMetrics) -> None:
        self.config = config
        self.client = client
        self.metrics = metrics
        self.port = config.port
        self._server: asyncio.Server | None = None
        self._pool = ThreadPoolExecutor(config.workers, thread_name_prefix="lines")
        self._released = asyncio.Event()
        self._turns: set[asyncio.Task] = set()
        """Requests being answered: scored, then their answer written."""
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.config.host, self.config.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self, grace: float) -> None:
        if self._server is None:
            return
        self._server.close()  # no new connections
        if self._turns:
            await asyncio.wait(set(self._turns), timeout=grace)
        self._released.set()  # what is still at the core is answered "server_error": try again
        if self._turns:
            await asyncio.wait(set(self._turns), timeout=5)
        # A connection accepted as the listener closed reaches _serve a few loop turns later; it
        # must be closed here too, or its caller waits on a socket nobody serves any more.
        await asyncio.sleep(0.05)
        for writer in list(self._writers):  # idle connections: nothing was asked on them
            writer.close()
        if self._handlers:
            await asyncio.wait(set(self._handlers), timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._server = None

    def health(self) -> ChannelHealth:
        if self._server is None:
            return ChannelHealth(False, "not started")
        return ChannelHealth(True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        self._handlers.add(handler := asyncio.current_task())
        try:
            while not self._released.is_set() and (line := await reader.readline()):
                turn = asyncio.ensure_future(self._respond(line, writer))
                self._turns.add(turn)
                try:
                    await turn
                finally:
                    self._turns.discard(turn)
        except (ConnectionError, ValueError):  # the caller left, or sent a line beyond the reader's limit
            pass
        finally:
            self._writers.discard(writer)
            self._handlers.discard(handler)
            writer.close()

    async def _respond(self, line: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(json.dumps(await self._answer(line)).encode() + b"\n")
        await writer.drain()

    async def _answer(self, line: bytes) -> dict[str, Any]:
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
        scoring = asyncio.get_running_loop().run_in_executor(self._pool, self.client.score, request)
        released = asyncio.ensure_future(self._released.wait())
        try:
            await asyncio.wait({scoring, released}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            released.cancel()
        if not scoring.done():
            scoring.cancel()
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


def describe(channel: LinesChannel, config_file: Path) -> list[str]:
    return [f"tcp://{channel.config.host}:{channel.port}  one JSON request per line"]


CHANNEL = ChannelSpec(name="lines", config=LinesConfig, build=build, describe=describe, check=check)
