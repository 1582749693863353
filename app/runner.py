"""Running things until a signal: the embedded core process and the gateway's event loop.

``scoregate up`` = a core process (``scoregate core serve`` on a free port) + the gateway in this
process; SIGINT or SIGTERM stops the channels first (in-flight work finishes within the grace
period), then the core.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from scoregate.app.gateway import Gateway

log = logging.getLogger(__name__)
LISTENING = "scoregate core listening on port "


class CoreProcess:
    """``scoregate core serve`` as a child process, with the port it reports."""

    def __init__(self, address: str, models_dir: Path | None, metrics_port: int | None = None) -> None:
        argv = [sys.executable, "-m", "scoregate.app.cli", "--log-level", "warning", "core", "serve", "--address", address]
        if models_dir is not None:
            argv += ["--models-dir", str(models_dir)]
        if metrics_port is not None:
            argv += ["--metrics-port", str(metrics_port)]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        self.port = self._await_port(timeout=60)

    def _await_port(self, timeout: float) -> int:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = found[0] if found else ""
        if not line.startswith(LISTENING):
            self.stop()
            raise RuntimeError(f"the scoring core did not start (exit code {self.process.poll()})")
        return int(line[len(LISTENING):])

    def stop(self, grace: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace + 5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_gateway(gateway: Gateway, grace: float, on_started: Callable[[Gateway], None] | None = None) -> None:
    """Start every channel, wait for SIGINT/SIGTERM, stop them within ``grace`` seconds."""

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await gateway.start()
        if on_started:
            on_started(gateway)
        await stop.wait()
        log.info("stopping: finishing in-flight work (%.0f s grace)", grace)
        await gateway.stop(grace)

    asyncio.run(run())
