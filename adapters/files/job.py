"""One claimed file, start to finish, with the ledger kept at each step.

Order (each step durable before the next, so a crash anywhere costs at most a reprocessing):

1. ledger ``claimed`` (name, size, SHA-256);
2. response and reject files written under temporary names, fsynced, renamed into the outbox
   (``pipeline.py``);
3. ledger ``written``, with the name the input will have in the archive; then the outputs' done
   files (last, for the collecting job);
4. the input renamed into the archive; ledger ``done``.

After a crash the watcher reclaims the orphaned file: a last state ``claimed`` means start again
(a response already renamed into place is replaced by an identical one, never doubled);
``written`` means only the done files and the archiving are left. A crash between 4's rename and
its ``done`` leaves no orphan, only a ``written`` entry whose input is already in the archive:
:meth:`FileJob.recover`, run by the watcher at start, marks it ``done`` (see test_recovery.py).

Errors, by kind (``rejects.DISPOSITIONS``): the file is set aside in the error directory with a
``NAME.reason`` file (trailer mismatch, unknown model, a repeated drop under ``on_duplicate: skip``),
or put back into the inbox with its done file for a retry (core unavailable, gateway stopping).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scoregate.adapters.channel import Disposition
from scoregate.adapters.codecs.fixedwidth import framing_hint
from scoregate.adapters.files.claim import original_name
from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.chunks import Outputs
from scoregate.adapters.files.framing import HEAD_BYTES
from scoregate.adapters.files.ledger import Entry, FileState, Ledger, checksum
from scoregate.adapters.files.pipeline import (
    Abandoned,
    ClaimLost,
    Hook,
    Pipeline,
    _fsync_dir,
)
from scoregate.adapters.files.rejects import (
    FileRejected,
    disposition,
    reason_text,
)
from scoregate.core.client import ScoringClient
from scoregate.core.errors import ErrorKind, ScoreError
from scoregate.core.logcontext import request_context

log = logging.getLogger(__name__)

# File-level refusals where the records did not decode as the job expects them: worth a layout hint.
_LAYOUT_CODES = ("NO_HEADER", "BAD_", "MISPLACED_")


@dataclass
class JobSummary:
    name: str
    outcome: str
    """``done``, ``failed`` (error directory), ``retry`` (back in the inbox), ``duplicate`` or ``lost``
    (another gateway took the claim over; nothing published)."""
    records: int = 0
    scored: int = 0
    rejected: int = 0
    response: Path | None = None
    rejects: Path | None = None
    reason: str = ""
    seconds: float = 0.0
    kind: ErrorKind | None = None
    """The canonical error that set the file aside or put it back, if it was one."""
    resumed: bool = False
    """Published by an earlier process that died before archiving; only archived here."""


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    return target if not target.exists() else folder / f"{name}.{time.strftime('%Y%m%d%H%M%S')}.{os.getpid()}"


class FileJob:
    """Runs claimed files of one job config; one instance per watcher (not thread-safe)."""

    def __init__(self, config: FileJobConfig, client: ScoringClient, ledger: Ledger, *, hook: Hook | None = None,
                 abandon: threading.Event | None = None, today: date | None = None,
                 taken: Callable[[int], None] | None = None, fence: Callable[[Path], bool] | None = None) -> None:
        """``taken(n)`` is called from the job's thread as each chunk's ``n`` detail records are read;
        ``fence(claimed)`` just before publishing (default: the claim file is still there)."""
        self.config = config
        self.ledger = ledger
        self.hook = hook or (lambda step: None)
        self.pipeline = Pipeline(config, client, hook=self.hook, abandon=abandon, today=today, taken=taken)
        if fence is not None:
            self.pipeline.fence = fence
        self.dirs = {k: config.path(getattr(config, k)) for k in ("inbox", "work", "outbox", "archive", "error")}

    def run(self, claimed: Path) -> JobSummary:
        name = original_name(claimed)
        with request_context(name, name, "files"):  # the job's log lines name the file they are about
            return self._run(claimed, name)

    def _run(self, claimed: Path, name: str) -> JobSummary:
        started = time.monotonic()
        size, sha = claimed.stat().st_size, checksum(claimed)
        previous = self.ledger.latest(name, sha)
        if previous is not None and previous.state is FileState.WRITTEN:
            # Crashed after publishing: only the done files and the archiving are left.
            summary = JobSummary(name, "done", previous.records or 0, rejected=previous.rejects or 0, reason="resumed",
                                 resumed=True)
            self._finish(claimed, name, previous.id, summary)
            return summary
        entry = self.ledger.begin(name, size, sha)
        if (earlier := self.ledger.completed(sha, size)) is not None and self.config.on_duplicate == "skip":
            why = FileRejected("DUPLICATE", f"same content as {earlier.name} (ledger entry {earlier.id}), processed before")
            return self._set_aside(claimed, name, entry, why, started, outcome="duplicate")
        try:
            outputs = self.pipeline.run(claimed, name, self.dirs["outbox"], claimed=True)
        except Abandoned:
            return self._put_back(claimed, name, entry, "abandoned: the gateway stopped", started)
        except ClaimLost:
            return self._lost(name, entry, started)
        except FileRejected as error:
            return self._set_aside(claimed, name, entry, error, started)
        except ScoreError as error:
            if disposition(error) is Disposition.RETRY:
                return self._put_back(claimed, name, entry, f"{error.kind.name}: {error.message}", started, error.kind)
            return self._set_aside(claimed, name, entry, error, started)
        except Exception as error:  # a bug or an I/O failure: set aside with a reason, never left claimed
            if not claimed.exists():  # renamed away by a takeover before the pipeline's fence saw it
                return self._lost(name, entry, started)
            log.exception("file %s: unexpected failure", name)
            return self._set_aside(claimed, name, entry, FileRejected("INTERNAL_ERROR", repr(error)), started)
        self.hook("renamed")
        summary = _summary(name, outputs)
        self._finish(claimed, name, entry, summary, records=outputs.records, rejects=outputs.rejected)
        summary.seconds = time.monotonic() - started
        log.info("file %s: %d records, %d scored, %d rejected in %.2f s", name, summary.records, summary.scored,
                 summary.rejected, summary.seconds)
        return summary

    def _lost(self, name: str, entry: int, started: float) -> JobSummary:
        """The input is another gateway's now: leave it, and record why this attempt stopped."""
        why = "claim taken over by another gateway while this one was silent"
        self.ledger.advance(entry, FileState.RETRY, detail=why)
        log.warning("file %s: %s; nothing published", name, why)
        return JobSummary(name, "lost", reason=why, seconds=time.monotonic() - started)

    def _finish(self, claimed: Path, name: str, entry: int, summary: JobSummary, *, records: int | None = None,
                rejects: int | None = None) -> None:
        cfg, outbox = self.config, self.dirs["outbox"]
        summary.response, summary.rejects = outbox / (name + cfg.response_suffix), outbox / (name + cfg.reject_suffix)
        self.dirs["archive"].mkdir(parents=True, exist_ok=True)
        archived = _free_name(self.dirs["archive"], name)
        # The archive name goes into the ledger before the rename: it is how recover() tells, after
        # a crash between the rename and "done", that the input was archived.
        self.ledger.advance(entry, FileState.WRITTEN, records=records, rejects=rejects, archive=archived.name)
        if cfg.output_done_suffix:
            for path in (summary.rejects, summary.response):
                path.with_name(path.name + cfg.output_done_suffix).touch()
            _fsync_dir(outbox)
        self.hook("written")
        try:
            os.rename(claimed, archived)
        except FileNotFoundError:
            # Taken over after the fence in the pipeline (a second pause past the lease): the new
            # owner finds this entry "written" and only archives the input, as after a crash.
            log.warning("file %s: published, but its claim was taken over before archiving; the new owner archives it", name)
            return
        self.hook("archived")
        self.ledger.advance(entry, FileState.DONE)

    def recover(self) -> list[Entry]:
        """Marks ``done`` the files a dead process archived but did not mark; returns them.

        Called by the watcher at start, before it claims anything. An entry counts as archived
        only when its recorded archive name holds the same content (size and SHA-256). Any other
        ``written`` entry is left alone: its input is still claimed in the work directory (the
        orphan path finishes it) or a live process of this host is archiving it right now.
        """
        recovered = []
        for entry in self.ledger.unfinished():
            if entry.archive is None:
                continue
            archived = self.dirs["archive"] / entry.archive
            try:
                if archived.stat().st_size != entry.size or checksum(archived) != entry.sha256:
                    continue
            except FileNotFoundError:
                continue
            self.ledger.advance(entry.id, FileState.DONE, detail="archived before a crash; marked done at restart")
            log.warning("file %s: archived as %s before a crash, now marked done", entry.name, entry.archive)
            recovered.append(entry)
        return recovered

    def _set_aside(self, claimed: Path, name: str, entry: int, error: ScoreError | FileRejected, started: float,
                   outcome: str = "failed") -> JobSummary:
        if isinstance(error, FileRejected) and error.code.startswith(_LAYOUT_CODES):
            error = self._with_layout_hint(claimed, error)
        error_dir = self.dirs["error"]
        error_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(error_dir, name)
        text = reason_text(error, name)
        reason = target.with_name(target.name + ".reason")
        reason.write_text(text, encoding="utf-8")
        os.rename(claimed, target)
        self.ledger.advance(entry, FileState.FAILED, detail=text.strip())
        log.warning("file %s set aside in %s: %s", name, error_dir, error)
        kind = error.kind if isinstance(error, ScoreError) else None
        return JobSummary(name, outcome, reason=str(error), seconds=time.monotonic() - started, kind=kind)

    def _with_layout_hint(self, claimed: Path, error: FileRejected) -> FileRejected:
        """A header or record that does not decode: say when the file looks like another code page or RECFM."""
        spec = self.config.input
        try:
            with claimed.open("rb") as f:
                head = f.read(HEAD_BYTES)
            hint = framing_hint(head, recfm=spec.recfm, encoding=spec.encoding, lrecl=self.config.input_codec.lrecl,
                                block_descriptors=spec.block_descriptors)
        except (OSError, ValueError):
            return error
        return FileRejected(error.code, f"{error.message}; hint: {hint}") if hint else error

    def _put_back(self, claimed: Path, name: str, entry: int, why: str, started: float,
                  kind: ErrorKind | None = None) -> JobSummary:
        """Back into the inbox under its own name, done file recreated: taken again later."""
        target = _free_name(self.dirs["inbox"], name)  # never over a newer drop of the same name
        os.rename(claimed, target)
        if self.config.done_suffix:
            target.with_name(target.name + self.config.done_suffix).touch()
        self.ledger.advance(entry, FileState.RETRY, detail=why)
        log.warning("file %s put back for a retry: %s", name, why)
        return JobSummary(name, "retry", reason=why, seconds=time.monotonic() - started, kind=kind)


def _summary(name: str, outputs: Outputs) -> JobSummary:
    return JobSummary(name, "done", outputs.records, outputs.scored, outputs.rejected, outputs.response, outputs.rejects)


def process_file(input_path: Path, config: FileJobConfig, client: ScoringClient, out_dir: Path, *,
                 progress: Callable[[int], None] | None = None, today: date | None = None) -> JobSummary:
    """The one-off use (``scoregate files process``): one file, the watcher's pipeline, no ledger.

    The input is only read, never moved. Outputs (and their done files) go to ``out_dir``; a file
    refused as a whole gets ``out_dir/NAME.reason`` instead. A ``ScoreError`` that means "retry"
    (core unavailable) is raised: the caller tries again later. ``progress`` gets bytes read.
    """
    started = time.monotonic()
    name = input_path.name
    try:
        outputs = Pipeline(config, client, today=today).run(input_path, name, out_dir, progress)
    except (FileRejected, ScoreError) as error:
        if isinstance(error, ScoreError) and disposition(error) is Disposition.RETRY:
            raise
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / (name + ".reason")).write_text(reason_text(error, name), encoding="utf-8")
        return JobSummary(name, "failed", reason=str(error), seconds=time.monotonic() - started)
    if config.output_done_suffix:
        for path in (outputs.rejects, outputs.response):
            path.with_name(path.name + config.output_done_suffix).touch()
    summary = _summary(name, outputs)
    summary.seconds = time.monotonic() - started
    return summary
