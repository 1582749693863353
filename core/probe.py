"""Whether the scoring core serves, asked of the core itself: its ``grpc.health.v1`` service.

One :class:`CoreProbe` per gateway process checks the core every ``probe_interval_s`` on its own
thread and channel, so readiness follows the core with no traffic at all: it turns false while
the core is down and true again at most about ``probe_interval_s + reconnect_backoff_max_s``
after the core serves (before the first check completes, ``state()`` waits for it: a gateway
started beside a dead core is never "ready" for a moment). Readers get the last result without
blocking; scoring clients watch it so that their circuit breaker tries the core as soon as it is
back instead of waiting out ``breaker_reset_s`` (``CircuitBreaker.try_now``).

An outage is logged once at WARNING when it has lasted longer than a call's whole retry budget
(``timeout_s``), with how long it has lasted, and its end once at INFO, with its duration; the
calls retried in between write nothing (one line per retry would bury it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from scoregate.core._generated import grpc_predict_v2_pb2 as v2
from scoregate.core._generated import grpc_predict_v2_pb2_grpc as v2_grpc
from scoregate.core.client_channels import ClientTlsFiles
from scoregate.core.connection import SERVICE_NAME, open_channel
from scoregate.core.settings import ClientSettings

log = logging.getLogger(__name__)

_SERVING = health_pb2.HealthCheckResponse.SERVING


@dataclass(frozen=True)
class CoreHealth:
    """What a probe found: whether the core serves and, when not, why."""

    ready: bool
    detail: str = ""
    """Not ready: what is wrong (unreachable with gRPC's reason, not serving). Ready: an optional
    note, such as answering by the fallback model."""


def _reason(error: grpc.RpcError) -> str:
    details = (error.details() or "").strip()
    # gRPC's text for a refused connection is long and repeats the address; keep its last clause.
    return details.rsplit(": ", 1)[-1] if details else error.code().name


class CoreProbe:
    """Checks the core's health service in the background; ``state()`` is the last answer."""

    def __init__(self, settings: ClientSettings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.target = settings.target
        self._clock = clock
        self._channel: grpc.Channel | None = None
        self._files = ClientTlsFiles(settings)
        """A rotated client certificate: the probe opens a new channel, as the clients do."""
        self._state: CoreHealth | None = None
        self._checked = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._watchers: list[Callable[[bool], None]] = []
        self._thread: threading.Thread | None = None
        self._down_since: float | None = None
        self._warned = False

    def start(self) -> CoreProbe:
        """Start checking (idempotent; ``state()`` and ``watch()`` start it too)."""
        with self._lock:
            if self._thread is None and not self._stopped.is_set():
                self._channel = open_channel(self.settings)
                self._thread = threading.Thread(target=self._run, name="core-probe", daemon=True)
                self._thread.start()
        return self

    def state(self, wait_s: float | None = None) -> CoreHealth:
        """The last result; the first call waits for the first check (at most ``wait_s``, by default
        the probe's own timeout)."""
        self.start()
        if not self._checked.wait(self.settings.probe_timeout_s + 0.5 if wait_s is None else wait_s):
            return CoreHealth(False, f"scoring core at {self.target} not checked yet")
        assert self._state is not None
        return self._state

    def watch(self, callback: Callable[[bool], None]) -> None:
        """Call ``callback(serving)`` from the probe's thread whenever the answer changes."""
        with self._lock:
            self._watchers.append(callback)
        self.start()

    def unwatch(self, callback: Callable[[bool], None]) -> None:
        with self._lock:
            if callback in self._watchers:
                self._watchers.remove(callback)

    def close(self) -> None:
        """Stop checking; does not wait (a check in flight is cancelled with the channel)."""
        self._stopped.set()
        with self._lock:
            if self._channel is not None:
                self._channel.close()

    def _reopen(self) -> None:
        with self._lock:
            if self._stopped.is_set():
                return
            old, self._channel = self._channel, open_channel(self.settings)
        if old is not None:
            old.close()

    def check(self) -> CoreHealth:
        """One check, now (the background thread's step)."""
        assert self._channel is not None
        try:
            if self.settings.protocol == "v2":  # a V2 server answers for itself: ServerReady
                ready = v2_grpc.GRPCInferenceServiceStub(self._channel).ServerReady(
                    v2.ServerReadyRequest(), timeout=self.settings.probe_timeout_s).ready
            else:
                stub = health_pb2_grpc.HealthStub(self._channel)
                reply = stub.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=self.settings.probe_timeout_s)
                ready = reply.status == _SERVING
        except grpc.RpcError as error:
            return CoreHealth(False, f"scoring core unreachable at {self.target}: {_reason(error)}")
        if not ready:
            return CoreHealth(False, f"scoring core at {self.target} not serving (no model loaded)")
        return CoreHealth(True)

    def _run(self) -> None:
        while not self._stopped.is_set():
            started = self._clock()
            if self._files.changed():
                self._reopen()
            try:
                state = self.check()
            except ValueError:  # the channel was closed under us: stopping
                return
            if self._stopped.is_set():
                return
            self._record(state)
            self._stopped.wait(max(0.0, self.settings.probe_interval_s - (self._clock() - started)))

    def _record(self, state: CoreHealth) -> None:
        previous, self._state = self._state, state
        self._checked.set()
        self._log_outage(state)
        if previous is None or previous.ready != state.ready:
            with self._lock:
                watchers = list(self._watchers)
            for callback in watchers:
                try:
                    callback(state.ready)
                except Exception:  # a watcher's bug must not stop the probe
                    log.exception("core probe watcher failed")

    def _log_outage(self, state: CoreHealth) -> None:
        now = self._clock()
        if not state.ready:
            if self._down_since is None:
                self._down_since = now
            elapsed = now - self._down_since
            if not self._warned and elapsed >= self.settings.timeout_s:
                self._warned = True
                log.warning("%s for %.1f s; channels keep work for later or answer by fallback", state.detail, elapsed)
            return
        if self._down_since is not None:
            duration = now - self._down_since
            level = logging.INFO if self._warned else logging.DEBUG
            log.log(level, "scoring core at %s serving again after an outage of %.1f s", self.target, duration)
        self._down_since, self._warned = None, False
