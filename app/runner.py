"""Running things until a signal: the embedded core process and the gateway's event loop.

``scoregate up`` = a core process (``scoregate core serve`` on a free port) + the gateway in this
process; SIGINT or SIGTERM stops the channels first (in-flight work finishes within the grace
period), then the core.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from scoregate.app import logs
from scoregate.app.gateway import Gateway
from scoregate.core import heap
from scoregate.core.settings import CoreSettings

log = logging.getLogger(__name__)
LISTENING = "scoregate core listening on port "
METRICS_LINE = "scoregate core metrics on port "


class CoreDidNotStart(RuntimeError):
    """The core child process exited before listening; it wrote its own reason to stderr."""


class CoreProcess:
    """``scoregate core serve`` as a child process, with the port it reports."""

    def __init__(
        self, address: str, models_dir: Path | None, metrics_port: int | None = None, *,
        env: dict[str, str] | None = None, settings: CoreSettings | None = None, log_level: str = "warning",
    ) -> None:
        argv = [
            sys.executable, "-m", "scoregate.app.cli", "--log-level", log_level, "--log-format", logs.effective_format,
            "core", "serve", "--address", address,
        ]
        if models_dir is not None:
            argv += ["--models-dir", str(models_dir)]
        if metrics_port is not None:
            argv += ["--metrics-port", str(metrics_port)]
        if settings is not None:
            argv += ["--workers", str(settings.workers), "--max-batch-wait-ms", str(settings.max_batch_wait_ms)]
            if settings.tls_cert_file and settings.tls_key_file:
                argv += ["--tls-cert", str(settings.tls_cert_file), "--tls-key", str(settings.tls_key_file)]
            if settings.tls_client_ca_file:
                argv += ["--tls-client-ca", str(settings.tls_client_ca_file)]
            if settings.access_file:
                argv += ["--access-file", str(settings.access_file)]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
        self.port = self._await_port(LISTENING, timeout=60)
        self.metrics_port = None if metrics_port is None else self._await_port(METRICS_LINE, timeout=10)
        """Where the core's /metrics answers (the port it chose when asked for 0)."""

    def _await_port(self, prefix: str, timeout: float) -> int:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = found[0] if found else ""
        if not line.startswith(prefix):
            self.stop()
            raise CoreDidNotStart(f"the scoring core did not start (exit code {self.process.poll()}; its reason is above)")
        return int(line[len(prefix):])

    def stop(self, grace: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace + 5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve_core_processes(settings: CoreSettings, processes: int, log_level: str = "info") -> int:
    """Run ``processes`` cores on one port (SO_REUSEPORT) until SIGINT/SIGTERM; returns an exit code.

    XGBoost's per-call Python work and gRPC's per-request work hold one GIL per process, so a core
    scales with processes, not threads. The parent keeps the port reserved with a bound (not
    listening) socket while the children listen on it.
    """
    host, _, port = settings.address.rpartition(":")
    reserve = socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET)
    reserve.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    reserve.bind((host.strip("[]") or "0.0.0.0", int(port)))
    port = reserve.getsockname()[1]
    children = []
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        for i in range(processes):
            env = {**os.environ, "SCOREGATE_CORE_REUSE_PORT": "1"}
            metrics = None if settings.metrics_port is None else (settings.metrics_port + i if settings.metrics_port else 0)
            child = CoreProcess(f"{host}:{port}", settings.models_dir, metrics, env=env, settings=settings, log_level=log_level)
            children.append(child)
        print(f"{LISTENING}{port}", flush=True)
        log.info("%d core processes on port %d: pids %s", processes, port, [c.process.pid for c in children])
        while not stopping.wait(0.5):
            if any(c.process.poll() is not None for c in children):
                log.error("a core process exited; stopping the others")
                return 1
        return 0
    finally:
        for child in children:
            child.stop(settings.grace_s)
        reserve.close()


def run_gateway(gateway: Gateway, grace: float, on_started: Callable[[Gateway], None] | None = None) -> None:
    """Start every channel, wait for SIGINT/SIGTERM, stop them within ``grace`` seconds."""

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await gateway.start()
        heap.settle()  # everything is loaded: contracts, plans, clients (core/heap.py)
        if on_started:
            on_started(gateway)
        await stop.wait()
        log.info("stopping: finishing in-flight work (%.0f s grace)", grace)
        await gateway.stop(grace)

    asyncio.run(run())
