"""The outcome file channel: polls its inbox, reads each complete file into the outcome store,
joins it to the audit, and archives it with a report (or moves it to the error folder with the
reason). A file is one unit: its outcomes are kept in one transaction, so a crash half-way leaves
the file in the inbox to be read again, and a second reading only adds duplicates (counted).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from scoregate.adapters.channel import ChannelHealth
from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.outcome_files.config import OutcomeJobConfig
from scoregate.adapters.outcome_files.reader import read_outcomes
from scoregate.adapters.outcomes.store import OutcomeStore
from scoregate.adapters.state.postgres_pool import StateUnavailable

log = logging.getLogger(__name__)


class OutcomeFileChannel:
    def __init__(self, config: OutcomeJobConfig, store: Callable[[], OutcomeStore], metrics: ChannelMetrics,
                 name: str = "outcome_files") -> None:
        self.name = name
        self.config = config
        self.metrics = metrics
        self._store = store
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sizes: dict[Path, tuple[int, float]] = {}
        self.files = 0
        self.problem = ""

    async def start(self) -> None:
        for folder in (self.config.inbox, self.config.archive, self.config.error):
            self.config.path(folder).mkdir(parents=True, exist_ok=True)
        try:
            self._store().add([])  # a wrong key, or none for a masking audit, fails the start
        except StateUnavailable as error:  # PostgreSQL down: files wait in the inbox until it answers
            self._report(f"{error}; outcome files wait in the inbox")
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-watcher", daemon=True)
        self._thread.start()

    @property
    def store(self) -> OutcomeStore:
        return self._store()

    async def stop(self, grace: float) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, grace)

    def health(self) -> ChannelHealth:
        if self._thread is None or not self._thread.is_alive():
            return ChannelHealth(False, "outcome file watcher not running")
        return ChannelHealth(not self.problem, self.problem)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for file in self.complete_files():
                    self.process(file)
                self.problem = ""
            except OSError as error:  # the inbox unreadable, the disk full: reported, tried again
                self._report(f"outcome inbox: {error}")
            except StateUnavailable as error:  # the file stays in the inbox and is read once the store answers
                self._report(f"{error}; outcome files wait in the inbox")
            self._stop.wait(self.config.poll_s)

    def _report(self, problem: str) -> None:
        """Unready with the reason, logged once (not every poll)."""
        if problem != self.problem:
            log.warning("%s: %s", self.name, problem)
        self.problem = problem

    def complete_files(self) -> list[Path]:
        """Files of the inbox ready to read, oldest first (done file present, or size stable)."""
        inbox, suffix = self.config.path(self.config.inbox), self.config.done_suffix
        ready = []
        for file in sorted(inbox.glob(self.config.pattern), key=lambda p: p.stat().st_mtime):
            if not file.is_file() or file.name.startswith(".") or (suffix and file.name.endswith(suffix)):
                continue
            if suffix:
                if (file.parent / (file.name + suffix)).exists():
                    ready.append(file)
                continue
            size, now = file.stat().st_size, time.monotonic()
            seen = self._sizes.get(file)
            if seen is None or seen[0] != size:
                self._sizes[file] = (size, now)
            elif now - seen[1] >= self.config.stable_s:
                ready.append(file)
        return ready

    def process(self, file: Path) -> str:
        """Read one file into the store; returns its report line."""
        started = time.perf_counter()
        try:
            read = read_outcomes(file.read_bytes(), self.config)
            if read.problems and not read.outcomes:  # not one record: the wrong layout, or not an outcome file
                raise ValueError(f"no record reads in the job's layout; {read.problems[0]}")
        except Exception as error:  # noqa: BLE001 - any file that cannot be read goes aside with the reason
            self._move(file, self.config.error, ".reason", f"{file.name}: cannot be read: {error}\n")
            self.metrics.event("outcome_files_failed")
            log.warning("%s: %s cannot be read: %s", self.name, file.name, error)
            return str(error)
        store = self._store()
        intake = store.add(read.outcomes, source=file.name)
        store.refresh()
        counts = store.counts()
        report = (f"{file.name}: {len(read.outcomes)} outcomes read, {len(read.problems)} records not read;"
                  f" {intake.accepted} new, {intake.duplicate} duplicate, {intake.contradictory} contradictory;"
                  f" store: {counts.matched} matched, {counts.unknown} unknown reference, {counts.late} late")
        self._move(file, self.config.archive, ".report", "\n".join([report, *read.problems]) + "\n")
        for event, n in (("outcomes_read", len(read.outcomes)), ("outcome_records_not_read", len(read.problems)),
                         ("outcomes_duplicate", intake.duplicate), ("outcomes_contradictory", intake.contradictory)):
            if n:
                self.metrics.event(event, n)
        self.metrics.observe_unit("outcome_file", time.perf_counter() - started)
        self.files += 1
        log.info("%s", report)
        return report

    def _move(self, file: Path, folder: Path, suffix: str, note: str) -> None:
        target = self.config.path(folder)
        (target / (file.name + suffix)).write_text(note)
        shutil.move(file, target / file.name)
        if self.config.done_suffix:
            (file.parent / (file.name + self.config.done_suffix)).unlink(missing_ok=True)
