"""FileChannel: the polling loop of one drop-directory job (the only part here that waits).

Each poll: take back orphaned claims of this host (their process died mid-file), then claim the
complete files of the inbox one at a time and run each as a :class:`~.job.FileJob` in a worker
thread, so the event loop stays free. ``stop(grace)`` stops claiming, lets the current file
finish within ``grace`` seconds, and otherwise abandons it between two chunks: its temporary
outputs are removed and it goes back into the inbox for the next start (nothing is lost).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

from scoregate.adapters.channel import ChannelHealth
from scoregate.adapters.files.claim import (
    CompletionDetector,
    claim,
    original_name,
    orphaned_claims,
    reclaim,
)
from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.job import FileJob, JobSummary
from scoregate.adapters.files.ledger import Ledger
from scoregate.adapters.files.pipeline import Hook
from scoregate.core.client import ScoringClient

log = logging.getLogger(__name__)


class FileChannel:
    """The file channel for one job; implements ``adapters.channel.Channel``."""

    def __init__(self, config: FileJobConfig, client: ScoringClient, *, hook: Hook | None = None) -> None:
        self.name = "files"
        """The channel's name in the gateway config (``[channels.files]``); ``config.name`` names the job."""
        self.config = config
        self.client = client
        self.hook = hook
        self.summaries: list[JobSummary] = []
        """Every file this channel finished (tests and the CLI read it)."""
        self._abandon = threading.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._ledger: Ledger | None = None
        self._job: FileJob | None = None
        self._detector = CompletionDetector(config.completion)
        self._not_before: dict[str, float] = {}
        self._last_error = ""

    def _dir(self, key: str) -> Path:
        return self.config.path(getattr(self.config, key))

    async def start(self) -> None:
        for key in ("inbox", "work", "outbox", "archive", "error"):
            self._dir(key).mkdir(parents=True, exist_ok=True)
        self._ledger = Ledger(self.config.path(self.config.ledger))
        self._job = FileJob(self.config, self.client, self._ledger, hook=self.hook, abandon=self._abandon)
        self._task = asyncio.create_task(self._loop(), name=f"files:{self.config.name}")

    async def stop(self, grace: float) -> None:
        self._stopping.set()
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=grace)
            if not done:
                self._abandon.set()  # the job stops between two chunks and releases the file
                await asyncio.wait({self._task})
        if self._ledger is not None:
            self._ledger.close()

    def health(self) -> ChannelHealth:
        if self._task is None or self._task.done():
            return ChannelHealth(False, "file watcher not running")
        if self._last_error:
            return ChannelHealth(False, self._last_error)
        return ChannelHealth(True)

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._poll()
            except Exception as exc:
                log.exception("file channel %s: poll failed", self.name)
                self._last_error = f"poll failed: {exc}"
            try:
                await asyncio.wait_for(self._stopping.wait(), self.config.poll_s)
            except TimeoutError:
                pass

    async def _poll(self) -> None:
        work = self._dir("work")
        for orphan in orphaned_claims(work):
            if self._stopping.is_set():
                return
            if (mine := reclaim(orphan)) is not None:
                log.warning("file %s: taking over the claim of a process that died", original_name(mine))
                await self._run(mine)
        inbox = self._dir("inbox")
        now = time.monotonic()
        for path in self._detector.complete(inbox, self.config.pattern):
            if self._stopping.is_set():
                return
            if self._not_before.get(path.name, 0.0) > now:
                continue
            if (claimed := claim(path, work, self.config.done_suffix)) is not None:
                await self._run(claimed)

    async def _run(self, claimed: Path) -> None:
        assert self._job is not None
        summary = await asyncio.to_thread(self._job.run, claimed)
        self.summaries.append(summary)
        if summary.outcome == "retry":
            self._not_before[summary.name] = time.monotonic() + self.config.retry_s
            self._last_error = summary.reason
        else:
            self._not_before.pop(summary.name, None)
            self._last_error = ""
