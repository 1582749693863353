"""FileChannel: the polling loop of one drop-directory job (the only part here that waits).

Each poll: take back orphaned claims (their process died mid-file, or their owner stopped
refreshing them for ``claim_lease_s``), then claim the complete files of the inbox one at a time
and run each as a :class:`~.job.FileJob` in a worker thread, so the event loop stays free.
``stop(grace)`` stops claiming, lets the current file finish within ``grace`` seconds, and
otherwise abandons it between two chunks: its temporary outputs are removed and it goes back into
the inbox for the next start (nothing is lost).

Metrics (``self.metrics``, see adapters/metrics.py; pinned by tests/adapters/files/test_metrics.py):

- requests are records. When a file is published, its scored records count ``scored`` and its
  reject records ``error`` (kind ``invalid_input``: every reject is a fault of the input). Records
  of a file set aside count ``dead_letter``, of a file put back ``retry`` (both with the error
  kind when a canonical error caused it), as many as were read before it stopped.
- in-flight is in records too: a chunk's detail records join as the chunk is read and leave when
  the file's fate is settled (response published, set aside or put back), so a large file shows
  how many of its records wait for their answer.
- events, per file: ``file_claimed`` (from the inbox), ``file_reclaimed`` (an orphaned claim
  taken over, of this host or another), ``file_done``, ``file_set_aside``, ``file_retry`` (put
  back after a canonical error), ``file_abandoned`` (put back at shutdown), ``file_duplicate``, ``file_recovered``
  (published by a process that died before finishing; its records are not counted again),
  ``file_claim_lost`` (another gateway took the claim over; its records count there).
- no latency: one observation per file in the per-request histogram would mix units with the
  other channels' requests.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from pathlib import Path

from scoregate.adapters.channel import ChannelHealth, core_health
from scoregate.adapters.files.claim import CLAIM_SEPARATOR, CompletionDetector, RenameClaims, original_name
from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.job import FileJob, JobSummary
from scoregate.adapters.files.ledger import Ledger
from scoregate.adapters.files.pipeline import Hook
from scoregate.adapters.metrics import ChannelMetrics, Outcome
from scoregate.adapters.state.postgres_pool import StateUnavailable
from scoregate.core.client import ScoringClient
from scoregate.core.errors import ErrorKind

log = logging.getLogger(__name__)

DROP_DIRECTORIES = ("inbox", "work", "outbox", "archive", "error")

_EVENTS = {"done": "file_done", "failed": "file_set_aside", "retry": "file_retry", "duplicate": "file_duplicate",
           "lost": "file_claim_lost"}


class FileChannel:
    """The file channel for one job; implements ``adapters.channel.Channel``."""

    def __init__(
        self, config: FileJobConfig, client: ScoringClient, *, hook: Hook | None = None,
        metrics: ChannelMetrics | None = None, postgres: str | None = None,
    ) -> None:
        """``postgres``: the ledger and the claims in that shared database (``[state] postgres``),
        for watchers of one inbox on several hosts; None: the SQLite ledger and rename claims."""
        self.name = "files"
        """The channel's name in the gateway config (``[channels.files]``); ``config.name`` names the job."""
        self.metrics = metrics if metrics is not None else ChannelMetrics(self.name)
        self.config = config
        self.client = client
        self.hook = hook
        self.summaries: list[JobSummary] = []
        """Every file this channel finished (tests and the CLI read it)."""
        self._abandon = threading.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.postgres = postgres
        self._ledger: Ledger | None = None
        self._claims: RenameClaims | None = None
        self._state = None
        self._job: FileJob | None = None
        self._detector = CompletionDetector(config.completion)
        self._not_before: dict[str, float] = {}
        self._last_error = ""
        self._taken = 0
        """Detail records of the current file read so far (its share of the in-flight gauge)."""

    def _dir(self, key: str) -> Path:
        return self.config.path(getattr(self.config, key))

    async def start(self) -> None:
        for key in DROP_DIRECTORIES:
            self._dir(key).mkdir(parents=True, exist_ok=True)
        if self.postgres is not None:
            from scoregate.adapters.files.postgres_state import PostgresFileState

            self._state = PostgresFileState(self.postgres, self.config.name, self.config.claim_lease_s)
            self._ledger, self._claims = self._state.ledger, self._state.claims
        else:
            self._ledger = Ledger(self.config.path(self.config.ledger))
            self._claims = RenameClaims(self.config.claim_lease_s)
        self._job = FileJob(self.config, self.client, self._ledger, hook=self.hook, abandon=self._abandon,
                            taken=self._took, fence=self._claims.fence)
        self._task = asyncio.create_task(self._loop(), name=f"files:{self.config.name}")

    async def stop(self, grace: float) -> None:
        self._stopping.set()
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=grace)
            if not done:
                self._abandon.set()  # the job stops between two chunks and releases the file
                await asyncio.wait({self._task})
        if self._state is not None:
            self._state.close()
        elif self._ledger is not None:
            self._ledger.close()

    def health(self) -> ChannelHealth:
        if self._task is None or self._task.done():
            return ChannelHealth(False, "file watcher not running")
        for key in DROP_DIRECTORIES:  # a few stat calls: cheap enough for every probe
            path = self._dir(key)
            if not (path.is_dir() and os.access(path, os.W_OK | os.X_OK)):
                return ChannelHealth(False, f"drop directory unwritable: {path}")
        if self._last_error:
            return ChannelHealth(False, self._last_error)
        return core_health(self.client)

    async def _loop(self) -> None:
        recovered = False
        while not self._stopping.is_set():
            try:
                if not recovered:
                    await self._recover()
                    recovered = True
                await self._poll()
                self._last_error = ""
            except StateUnavailable as exc:  # the shared ledger away: said once, not a traceback a poll
                step = "poll" if recovered else "recovery"
                if f"{step} failed: {exc}" != self._last_error:
                    log.warning("file channel %s: %s; claiming nothing until it answers", self.name, exc)
                self._last_error = f"{step} failed: {exc}"
            except Exception as exc:
                step = "poll" if recovered else "recovery"
                log.exception("file channel %s: %s failed", self.name, step)
                self._last_error = f"{step} failed: {exc}"
                recovered = True  # a recovery that fails for another reason is not retried each poll
            try:
                await asyncio.wait_for(self._stopping.wait(), self.config.poll_s)
            except TimeoutError:
                pass

    async def _poll(self) -> None:
        work, claims = self._dir("work"), self._claims
        assert claims is not None
        for orphan in await asyncio.to_thread(claims.orphans, work):
            if self._stopping.is_set():
                return
            if (mine := await asyncio.to_thread(claims.take_over, orphan)) is not None:
                log.warning("file %s: taking over the claim of %s, whose process is gone or stopped refreshing it",
                            original_name(mine), orphan.name.rpartition(CLAIM_SEPARATOR)[2])
                self.metrics.event("file_reclaimed")
                await self._run(mine)
        inbox = self._dir("inbox")
        now = time.monotonic()
        for path in self._detector.complete(inbox, self.config.pattern):
            if self._stopping.is_set():
                return
            if self._not_before.get(path.name, 0.0) > now:
                continue
            if (claimed := await asyncio.to_thread(claims.claim, path, work, self.config.done_suffix)) is not None:
                self.metrics.event("file_claimed")
                await self._run(claimed)

    async def _recover(self) -> None:
        """Before the first claim: finish what a process that died after archiving left (job.py)."""
        assert self._job is not None
        for _ in await asyncio.to_thread(self._job.recover):
            self.metrics.event("file_recovered")

    def _took(self, records: int) -> None:
        """From the job's thread, as each chunk is read."""
        self.metrics.started(records)
        self._taken += records

    async def _keep_claim(self, claimed: Path) -> None:
        """Refresh the claim while its job runs, so that no other host takes it over."""
        assert self.config.claim_lease_s is not None
        # In a thread: on a network filesystem even a utime can stall, and the loop serves others.
        assert self._claims is not None
        while await asyncio.to_thread(self._claims.renew, claimed):
            await asyncio.sleep(self.config.claim_lease_s / 5)

    async def _run(self, claimed: Path) -> None:
        assert self._job is not None
        keeper = asyncio.create_task(self._keep_claim(claimed)) if self.config.claim_lease_s is not None else None
        try:
            summary = await asyncio.to_thread(self._job.run, claimed)
        finally:
            if keeper is not None:
                keeper.cancel()
            taken, self._taken = self._taken, 0
            # Outcomes are counted by _count once the file's fate is known.
            self.metrics.abandoned(taken)
        if summary.outcome != "lost":  # the file left the work directory: its claim goes with it
            await asyncio.to_thread(self._claims.release, claimed)
        self._count(summary, taken)
        self.summaries.append(summary)
        if summary.outcome == "retry":
            # Not a readiness matter: the client's probe says whether the core is back.
            self._not_before[summary.name] = time.monotonic() + self.config.retry_s
        else:
            self._not_before.pop(summary.name, None)

    def _count(self, summary: JobSummary, taken: int) -> None:
        m = self.metrics
        if summary.resumed:
            m.event("file_recovered")  # answered by the process that died; nothing read here
            return
        if summary.outcome == "done":
            m.observe_unit("file", summary.seconds)
            m.count(Outcome.SCORED, n=summary.scored)
            m.count(Outcome.ERROR, ErrorKind.INVALID_INPUT, n=summary.rejected)
        elif summary.outcome == "failed":
            m.count(Outcome.DEAD_LETTER, summary.kind, n=taken)
        elif summary.outcome == "retry":
            m.count(Outcome.RETRY, summary.kind, n=taken)
        # Put back with no canonical error: the gateway stopped mid-file, not a failure to alert on.
        event = "file_abandoned" if summary.outcome == "retry" and summary.kind is None else _EVENTS[summary.outcome]
        m.event(event)
