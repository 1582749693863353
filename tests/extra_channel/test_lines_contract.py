"""The shared channel contract (tests/contract/) run against the channel of another distribution,
built through the registry as the gateway builds it."""

from __future__ import annotations

import itertools
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from contract_support import INVALID, NOT_ACCEPTED, SCORED, SERVER_ERROR, Answer, ChannelContract, free_port

from scoregate.adapters.channel import Channel
from scoregate.adapters.registry import ChannelContext, channel_spec
from scoregate.app.demo import DEMO_APPLICANT
from scoregate.core.settings import ClientSettings

pytestmark = pytest.mark.usefixtures("lines_installed")


def _answer(reply: dict[str, Any]) -> Answer:
    if reply["status"] == "scored":
        return Answer(SCORED, f"{reply['model']}:{reply['version']}")
    if reply["status"] == "invalid":
        return Answer(INVALID, "; ".join(f"{v['field']} {v['code']}" for v in reply["violations"]))
    if reply["status"] == "server_error":
        return Answer(SERVER_ERROR, reply["kind"])
    return Answer(f"status {reply['status']}", json.dumps(reply))


class TestLinesContract(ChannelContract):
    OUTAGE_ANSWER = SERVER_ERROR
    BAD_FIELD = "age"
    # Refused on connect while no instance listens; a request still at the core when a short grace
    # ends is answered server_error (try again).
    STOPPED_KINDS = frozenset({NOT_ACCEPTED, SERVER_ERROR})

    def open_transport(self) -> None:
        self.port = free_port()  # a fixed port: a fresh instance serves the same address
        self.config_file = self.tmp_path / "lines.toml"
        self.config_file.write_text(f"port = {self.port}\n")
        self._contexts: list[ChannelContext] = []
        self._numbers = itertools.count(1)
        self._answers: list[tuple[str, Answer]] = []
        self._pool = ThreadPoolExecutor(max_workers=self.CONCURRENT + 8, thread_name_prefix="lines-caller")

    def close_transport(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for context in self._contexts:
            context.close()

    def make_channel(self, settings: ClientSettings) -> Channel:
        spec = channel_spec("lines")
        context = ChannelContext(spec.name, settings)
        self._contexts.append(context)
        return spec.build(spec.load(self.config_file), context)

    def send(self, count: int, bad: frozenset[int] = frozenset()) -> list[str]:
        refs = [f"L{next(self._numbers):07d}" for _ in range(count)]
        for i, ref in enumerate(refs):
            self._pool.submit(self._call, ref, {**DEMO_APPLICANT, "age": 12 if i in bad else 41})
        return refs

    def _call(self, ref: str, features: dict[str, Any]) -> None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
                sock.sendall(json.dumps({"ref": ref, "features": features}).encode() + b"\n")
                line = sock.makefile("rb").readline()
            # Closed before answering: the request was never read (the listener was closing).
            answer = _answer(json.loads(line)) if line else Answer(NOT_ACCEPTED, "closed unanswered")
        except ConnectionError as error:
            answer = Answer(NOT_ACCEPTED, type(error).__name__)
        except Exception as error:  # anything else is a finding, shown by the assertion that sees it
            answer = Answer(f"error {type(error).__name__}", str(error))
        self._answers.append((ref, answer))

    def answers(self) -> list[tuple[str, Answer]]:
        return list(self._answers)
