"""A client's channels to the core, opened again when its TLS files change: rotation without a restart.

gRPC's client credentials are fixed when a channel is made (Python has no dynamic client
credentials as it has ``dynamic_ssl_server_credentials`` for servers), so a rotated client
certificate is taken by opening new channels. :class:`ClientTlsFiles` looks at the CA,
certificate and key files at most every ``check_every_s``; when they changed and load together,
:class:`Channels` opens the new channels, hands out their stubs from the next call on, and closes
the old ones after a grace period, so that calls already running on them can finish.

A half-written rotation (a new certificate beside the old key) is not taken: the files are checked
with the standard library's ``ssl`` first, and the channels stay as they are until the files fit,
with one log line saying why.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from scoregate.core._generated import scoring_pb2_grpc as pb_grpc
from scoregate.core.settings import ClientSettings
from scoregate.core.tls import file_stamp

log = logging.getLogger(__name__)

RETIRE_GRACE_S = 60.0
"""How long the channels of a previous certificate stay open for calls already on them (gRPC's
blocking channels cancel their calls when closed)."""

ChannelT = TypeVar("ChannelT")


class ClientTlsFiles:
    """The client's TLS files; :meth:`changed` is true once for each rotation that loads."""

    def __init__(self, settings: ClientSettings, check_every_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ca_file, self.cert_file, self.key_file = settings.tls_ca_file, settings.tls_cert_file, settings.tls_key_file
        self._paths = tuple(p for p in (self.ca_file, self.cert_file, self.key_file) if p is not None)
        self._check_every_s = check_every_s
        self._clock = clock
        self._checked = clock()
        self._stamps = self._current()
        self._refused: tuple | None = None  # stamps of a rotation already reported as unusable
        self._checking = threading.Lock()

    def _current(self) -> tuple:
        return tuple(file_stamp(p) for p in self._paths)

    def changed(self) -> bool:
        if not self._paths:
            return False
        now = self._clock()
        if now - self._checked < self._check_every_s or not self._checking.acquire(blocking=False):
            return False  # looked at a moment ago, or another thread is looking now
        try:
            self._checked = now
            return self._changed()
        finally:
            self._checking.release()

    def _changed(self) -> bool:
        stamps = self._current()
        if stamps == self._stamps or stamps == self._refused:
            return False
        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.load_verify_locations(self.ca_file)
            if self.cert_file is not None and self.key_file is not None:
                context.load_cert_chain(self.cert_file, self.key_file)
        except (OSError, ssl.SSLError, ValueError) as error:
            self._refused = stamps
            log.warning("the client's TLS files changed but cannot be used (%s); keeping the current connections", error)
            return False
        self._stamps = stamps
        return True


class Channels(Generic[ChannelT]):
    """``settings.connections`` channels used in turn; opened again when the TLS files change.

    ``open_channel`` makes one channel, ``retire`` closes one after :data:`RETIRE_GRACE_S`
    (a timer for blocking channels, a task for grpc.aio ones: call :meth:`stub` in their loop)."""

    def __init__(self, settings: ClientSettings, open_channel: Callable[[ClientSettings], ChannelT],
                 retire: Callable[[ChannelT], None], files: ClientTlsFiles | None = None,
                 stub: Callable = pb_grpc.ScoringStub) -> None:
        self.settings = settings
        self._stub_type = stub  # scoregate.v1's, or the V2 client's GRPCInferenceServiceStub
        self._open = open_channel
        self._retire = retire
        self.files = files if files is not None else ClientTlsFiles(settings)
        self._lock = threading.Lock()
        self.rotations = 0
        self.retired: list[ChannelT] = []
        """Channels of earlier certificates, closed by their grace timer or with the client."""
        self.current: list[ChannelT] = []
        self._stubs: itertools.cycle = itertools.cycle(())
        self._open_all()

    def _open_all(self) -> None:
        self.current = [self._open(self.settings) for _ in range(self.settings.connections)]
        self._stubs = itertools.cycle([self._stub_type(c) for c in self.current])

    def stub(self):  # noqa: ANN201 - a ScoringStub, or the stub type given
        """The next connection's stub, in turn; the channels are opened again first when the
        TLS files changed."""
        if self.files.changed():
            with self._lock:
                old = self.current
                self._open_all()
                self.rotations += 1
                self.retired += old
            log.info("client TLS files changed: %d new connection(s) to %s", len(self.current), self.settings.target)
            for channel in old:
                self._retire(channel)
        return next(self._stubs)

    def all(self) -> list[ChannelT]:
        """Every channel still to close when the client closes."""
        return [*self.current, *self.retired]


def retire_blocking(channel) -> None:  # noqa: ANN001 (a grpc.Channel)
    timer = threading.Timer(RETIRE_GRACE_S, channel.close)
    timer.daemon = True
    timer.start()


_closing: set[asyncio.Task] = set()  # the loop keeps only weak references to tasks


def retire_aio(channel) -> None:  # noqa: ANN001 (a grpc.aio.Channel)
    task = asyncio.get_running_loop().create_task(channel.close(grace=RETIRE_GRACE_S))
    _closing.add(task)
    task.add_done_callback(_closing.discard)
