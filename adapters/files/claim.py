"""Which dropped files are complete, and taking one by atomic rename.

A file is complete when its done file exists (``NAME.done`` by default) or, for senders that make
none, when its size and modification time have not changed for ``stable_s`` and it is at least
``min_age_s`` old. The done file is the safe rule and the recommended one: size stability only
guesses, and a sender that pauses for longer than ``stable_s`` mid-file (a slow link, a job step
that waits) has its file taken while it is still writing, then set aside as truncated.

Claiming renames the file into the work directory under a name that says who took it
(``NAME@HOST.PID``). ``rename`` within one filesystem is atomic, so when two gateway processes
race for a file exactly one succeeds; the other gets FileNotFoundError and moves on.

A claim is a lease: the file's modification time says when its owner last vouched for it. It is
stamped when the file is claimed, and the owner refreshes it while the job runs (``watcher.py``).
A claim of this host is orphaned when its process is gone. A claim of another host (a pod that was
deleted and came back under a new name, a gateway on a machine that died) is orphaned when it has
not been refreshed for the lease: this host cannot see the other's processes, only the clock. A
lapsed lease frees a claim of this host too (its pid reused by an unrelated process).
"""

from __future__ import annotations

import os
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path

CLAIM_SEPARATOR = "@"


@dataclass(frozen=True)
class CompletionRule:
    done_suffix: str | None = ".done"
    """A file is complete when NAME + done_suffix exists; None to use size stability instead."""
    stable_s: float = 5.0
    """Without a done file: how long size and mtime must stay unchanged."""
    min_age_s: float = 2.0
    """Without a done file: the least age (since last modification) of a complete file."""


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class CompletionDetector:
    """Remembers sizes between polls to decide stability; one per inbox."""

    def __init__(self, rule: CompletionRule, clock=time.monotonic) -> None:  # noqa: ANN001
        self.rule = rule
        self._clock = clock
        self._seen: dict[str, _Seen] = {}

    def complete(self, inbox: Path, pattern: str = "*") -> list[Path]:
        """Complete data files in ``inbox`` matching ``pattern``, oldest first."""
        found: list[tuple[int, Path]] = []
        now = self._clock()
        present = set()
        for path in inbox.glob(pattern):
            name = path.name
            if name.startswith(".") or not path.is_file():
                continue
            if self.rule.done_suffix and name.endswith(self.rule.done_suffix):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # claimed by someone else meanwhile
            present.add(name)
            if self.rule.done_suffix:
                if path.with_name(name + self.rule.done_suffix).exists():
                    found.append((stat.st_mtime_ns, path))
                continue
            seen = self._seen.get(name)
            if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                self._seen[name] = _Seen(stat.st_size, stat.st_mtime_ns, now)
                continue
            age = time.time() - stat.st_mtime_ns / 1e9
            if now - seen.since >= self.rule.stable_s and age >= self.rule.min_age_s:
                found.append((stat.st_mtime_ns, path))
        for name in set(self._seen) - present:
            del self._seen[name]
        return [path for _, path in sorted(found)]


# Tells this process from an earlier one with the same host and pid: PID 1 of a restarted
# container must take over the claims its previous run left (tests: test_claim_and_ledger.py).
_INCARNATION = f"t{time.time_ns():x}"
_OWNER = re.compile(r"(.+)\.(\d+)(?:\.(t[0-9a-f]+))?")


def owner_tag() -> str:
    """``host.pid.incarnation`` of this process, appended to the names of the files it claims."""
    return f"{socket.gethostname()}.{os.getpid()}.{_INCARNATION}"


def claim(path: Path, work_dir: Path, done_suffix: str | None = None) -> Path | None:
    """Move ``path`` into ``work_dir``; None if another process took it first."""
    target = work_dir / f"{path.name}{CLAIM_SEPARATOR}{owner_tag()}"
    try:
        # Stamp the claim time before the rename: a claim must never appear in the work directory
        # with the input's own (maybe old) time, which another host would read as a lapsed lease.
        os.utime(path)
        os.rename(path, target)
    except FileNotFoundError:
        return None
    if done_suffix:
        # After the rename: a crash in between leaves a done file without data, which is harmless.
        path.with_name(path.name + done_suffix).unlink(missing_ok=True)
    return target


def original_name(claimed: Path) -> str:
    return claimed.name.rsplit(CLAIM_SEPARATOR, 1)[0]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned_claims(work_dir: Path, lease_s: float | None = None) -> list[Path]:
    """Claims in ``work_dir`` whose owner is gone: a process of this host that no longer runs, or
    (with ``lease_s``) any owner that has not refreshed its claim for ``lease_s`` seconds.

    Without ``lease_s`` claims of other hosts are left alone.
    """
    host, me = socket.gethostname(), os.getpid()
    orphans = []
    for path in sorted(work_dir.iterdir()):
        name, sep, owner = path.name.rpartition(CLAIM_SEPARATOR)
        parsed = _OWNER.fullmatch(owner) if sep and name else None
        if parsed is None:
            continue
        lapsed = lease_s is not None and _unrefreshed_for(path) > lease_s
        if parsed.group(1) != host:
            if lapsed:
                orphans.append(path)
            continue
        pid, incarnation = int(parsed.group(2)), parsed.group(3)
        if pid == me:
            dead = incarnation != _INCARNATION  # our pid, an earlier run (a restarted container)
        else:
            dead = not _alive(pid)
        # A lapsed lease also frees a claim whose pid now belongs to some other process.
        if dead or lapsed:
            orphans.append(path)
    return orphans


def _unrefreshed_for(claimed: Path) -> float:
    """Seconds since the claim's owner last stamped it; 0 if the claim is gone meanwhile."""
    try:
        return time.time() - claimed.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def reclaim(orphan: Path) -> Path | None:
    """Take over an orphaned claim for this process; None if another process took it first."""
    target = orphan.with_name(f"{original_name(orphan)}{CLAIM_SEPARATOR}{owner_tag()}")
    try:
        os.utime(orphan)  # stamped first, as in claim(): the new claim is never born lapsed
        os.rename(orphan, target)
    except FileNotFoundError:
        return None
    return target


def refresh_claim(claimed: Path) -> bool:
    """Vouch for a claim this process holds (renew its lease); False once it is no longer there."""
    try:
        os.utime(claimed)
    except FileNotFoundError:
        return False
    return True


class RenameClaims:
    """The embedded claims: the rename into the work directory is the claim, the file's
    modification time its lease (the functions above). One per watcher.

    The interface a shared store implements too (``postgres_state.py``): ``claim``
    an inbox file, list and ``take_over`` the ``orphans`` of the work directory, ``renew`` a claim
    while its job runs, ``fence`` it just before publishing (False: not ours any more, publish
    nothing), ``release`` it once the file has left the work directory.
    """

    def __init__(self, lease_s: float | None) -> None:
        self.lease_s = lease_s

    def claim(self, path: Path, work_dir: Path, done_suffix: str | None = None) -> Path | None:
        return claim(path, work_dir, done_suffix)

    def orphans(self, work_dir: Path) -> list[Path]:
        return orphaned_claims(work_dir, self.lease_s)

    def take_over(self, orphan: Path) -> Path | None:
        return reclaim(orphan)

    def renew(self, claimed: Path) -> bool:
        return refresh_claim(claimed)

    def fence(self, claimed: Path) -> bool:
        return refresh_claim(claimed)

    def release(self, claimed: Path) -> None:
        """Nothing to do: the claim left with the file."""

    def close(self) -> None:
        """Nothing held."""
