"""Child processes: servers that announce their port, and one-shot load clients that print JSON.

Servers bind 127.0.0.1 port 0 and print the port they got; ``Servers`` remembers every one it
started and stops them all (SIGTERM, then SIGKILL) when its ``with`` block ends, error or not.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PORT_LINE = re.compile(rb"listening on port (\d+)")

# Children get SIGTERM if the benchmark dies without cleaning up (SIGKILL): setpriv sets the
# parent-death signal and execs the command. Not a preexec_fn: that makes subprocess fork and run
# Python in the child, and in a parent with gRPC channels open, gRPC's poller then restarts in
# the child and aborts on the descriptors subprocess closes before exec ("epoll_wait error: Bad
# file descriptor", exit -6; grpc/grpc#43055). Without setpriv, children just lack the signal.
_SETPRIV = shutil.which("setpriv") if sys.platform == "linux" else None
DIE_WITH_PARENT = [_SETPRIV, "--pdeathsig", "TERM"] if _SETPRIV else []


def scoregate_command() -> list[str]:
    """The ``scoregate`` console script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("scoregate")
    if script.exists():
        return [str(script)]
    found = shutil.which("scoregate")
    return [found] if found else [sys.executable, "-m", "scoregate.app.cli"]


class Servers:
    """Start servers as child processes; all are stopped on exit from the ``with`` block."""

    def __init__(self) -> None:
        self._logs = Path(tempfile.mkdtemp(prefix="scoregate-bench-"))
        self._procs: list[subprocess.Popen] = []

    def path(self, name: str) -> Path:
        """A file in this run's scratch directory (removed at exit)."""
        return self._logs / name

    def start(
        self, name: str, argv: list[str], timeout_s: float = 60.0, env: dict[str, str] | None = None,
    ) -> tuple[subprocess.Popen, int]:
        out = self._logs / f"{name}.out"
        with out.open("wb") as stdout, (self._logs / f"{name}.err").open("wb") as stderr:
            proc = subprocess.Popen([*DIE_WITH_PARENT, *argv], stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                    env=env)
        self._procs.append(proc)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if match := PORT_LINE.search(out.read_bytes()):
                return proc, int(match.group(1))
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        err = (self._logs / f"{name}.err").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{name} did not announce its port (exit code {proc.poll()}):\n{err}")

    def stop(self, proc: subprocess.Popen, timeout_s: float = 10.0) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self._procs:
            self.stop(proc)
        shutil.rmtree(self._logs, ignore_errors=True)


def run_load(target: str, mode: str, *args: object, timeout_s: float = 180.0) -> dict:
    """Run ``bench/_load.py TARGET MODE ARGS`` in its own process; its JSON result."""
    argv = [*DIE_WITH_PARENT, sys.executable, str(BENCH / "_load.py"), target, mode, *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, cwd=BENCH)
    if done.returncode != 0:
        raise RuntimeError(f"load client {mode} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
