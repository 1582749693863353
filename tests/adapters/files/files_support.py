"""Helpers of the file channel tests (imported by name, as amqp_support is)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from scoregate.adapters.codecs.fixedwidth import RecordCodec
from scoregate.adapters.files import FileChannel, FileJobConfig
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.client import ScoringClient

DEMO_JOB = DEFAULTS_DIR / "files" / "loans.toml"


def dirs(config: FileJobConfig) -> dict[str, Path]:
    return {k: config.path(getattr(config, k)) for k in ("inbox", "work", "outbox", "archive", "error")}


def drop(config: FileJobConfig, source: Path, name: str | None = None, *, done: bool = True) -> Path:
    """Move a finished file into the inbox (as a transfer would), then its done file."""
    inbox = dirs(config)["inbox"]
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / (name or source.name)
    os.replace(source, target)
    if done:
        (inbox / (target.name + ".done")).touch()
    return target


async def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the file channel")
        await asyncio.sleep(0.02)


def with_channel(config: FileJobConfig, client: ScoringClient, body, **kwargs):
    """Run ``await body(channel)`` with a started watcher, stopped afterwards."""
    async def main():
        channel = FileChannel(config, client, **kwargs)
        await channel.start()
        try:
            return await body(channel)
        finally:
            await channel.stop(5)
    return asyncio.run(main())


def read_response(codec: RecordCodec, path: Path) -> dict[str, dict[str, np.ndarray]]:
    batch = codec.decode(codec.split(path.read_bytes(), final=True))
    assert len(batch.errors) == 0, batch.explain()
    return {name: dict(part.columns) for name, part in batch.parts.items()}


CRASH_SCRIPT = """
import os, signal, sys
from pathlib import Path
from scoregate.adapters.files import FileJob, FileJobConfig
from scoregate.adapters.files.claim import claim
from scoregate.adapters.files.ledger import Ledger
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings

config = FileJobConfig.model_validate_json(Path(sys.argv[1]).read_text())
step, target, name = sys.argv[2], sys.argv[3], sys.argv[4]

def hook(at):
    if at == step:
        os.kill(os.getpid(), signal.SIGKILL)

work = config.path(config.work)
work.mkdir(parents=True, exist_ok=True)
claimed = claim(config.path(config.inbox) / name, work, config.done_suffix)
FileJob(config, ScoringClient(ClientSettings(target=target)), Ledger(config.path(config.ledger)), hook=hook).run(claimed)
sys.exit(3)
"""
"""Claims ``name`` from the inbox and runs its job in this process, SIGKILLed at ``step``."""


WATCHER_SCRIPT = """
import asyncio, sys
from pathlib import Path
from scoregate.adapters.files import FileChannel, FileJobConfig
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings

config = FileJobConfig.model_validate_json(Path(sys.argv[1]).read_text())
stop_file = Path(sys.argv[3])

async def main():
    channel = FileChannel(config, ScoringClient(ClientSettings(target=sys.argv[2])))
    await channel.start()
    print("started", flush=True)
    while not stop_file.exists():
        await asyncio.sleep(0.05)
    await channel.stop(5)
    print(" ".join(s.name for s in channel.summaries), flush=True)

asyncio.run(main())
"""
"""A second gateway process: runs the job's watcher until ``stop_file`` appears, prints what it did."""
