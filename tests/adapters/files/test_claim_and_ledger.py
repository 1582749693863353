"""Completion detection, claims by rename between real processes, and the SQLite ledger."""

from __future__ import annotations

import multiprocessing
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from scoregate.adapters.files.claim import (
    CompletionDetector,
    CompletionRule,
    claim,
    orphaned_claims,
    owner_tag,
    original_name,
    reclaim,
    refresh_claim,
)
from scoregate.adapters.files.ledger import FileState, Ledger, checksum


def test_done_file_marks_completion(tmp_path: Path) -> None:
    detector = CompletionDetector(CompletionRule(done_suffix=".done"))
    data = tmp_path / "LOANS.D1125.dat"
    data.write_bytes(b"x" * 100)
    assert detector.complete(tmp_path) == []
    (tmp_path / "LOANS.D1125.dat.done").touch()
    assert detector.complete(tmp_path) == [data]


def test_without_done_file_size_must_be_stable_and_old_enough(tmp_path: Path) -> None:
    now = [0.0]
    detector = CompletionDetector(CompletionRule(done_suffix=None, stable_s=5, min_age_s=2), clock=lambda: now[0])
    data = tmp_path / "in.dat"
    data.write_bytes(b"x" * 100)
    assert detector.complete(tmp_path) == []  # first sight
    now[0] = 6
    assert detector.complete(tmp_path) == []  # stable long enough, but modified just now
    past = time.time() - 10
    os.utime(data, (past, past))
    assert detector.complete(tmp_path) == []  # mtime changed: the clock starts again
    now[0] = 12
    assert detector.complete(tmp_path) == [data]
    with data.open("ab") as f:  # the sender appends again
        f.write(b"y")
    assert detector.complete(tmp_path) == []


def _claim_all(inbox: str, work: str, out: multiprocessing.Queue) -> None:
    got = [claim(p, Path(work)) for p in sorted(Path(inbox).iterdir())]
    out.put([original_name(p) for p in got if p is not None])


def test_two_processes_never_claim_the_same_file(tmp_path: Path) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    work.mkdir()
    for i in range(300):
        (inbox / f"f{i:03d}.dat").write_bytes(b"r")
    results: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    workers = [multiprocessing.get_context("fork").Process(target=_claim_all, args=(str(inbox), str(work), results)) for _ in range(2)]
    for w in workers:
        w.start()
    claimed = [results.get(timeout=30) for _ in workers]
    for w in workers:
        w.join(30)
    first, second = set(claimed[0]), set(claimed[1])
    assert not first & second
    assert first | second == {f"f{i:03d}.dat" for i in range(300)}
    assert len(list(work.iterdir())) == 300


def test_orphaned_claims_of_dead_local_processes_are_found_and_retaken(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    host = socket.gethostname()
    orphan = tmp_path / f"a.dat@{host}.{dead_pid}.t5f3a"
    mine = tmp_path / f"b.dat@{owner_tag()}"
    foreign = tmp_path / f"c.dat@some-other-host.{dead_pid}"
    # Our own pid from an earlier run: PID 1 of a container restarted in the same pod, or a claim
    # written before claims carried an incarnation.
    earlier_run = tmp_path / f"d.dat@{host}.{os.getpid()}.t1"
    older_format = tmp_path / f"e.dat@{host}.{os.getpid()}"
    for p in (orphan, mine, foreign, earlier_run, older_format):
        p.write_bytes(b"r")
    assert orphaned_claims(tmp_path) == [orphan, earlier_run, older_format]
    retaken = reclaim(orphan)
    assert retaken is not None and original_name(retaken) == "a.dat" and retaken.exists()
    assert reclaim(orphan) is None  # already taken


def test_claims_of_other_hosts_are_orphaned_only_once_their_lease_lapses(tmp_path: Path) -> None:
    lapsed = tmp_path / "a.dat@pod-7f9c.12.t5f3a"
    refreshed = tmp_path / "b.dat@pod-7f9c.12.t5f3a"
    for path in (lapsed, refreshed):
        path.write_bytes(b"r")
    os.utime(lapsed, (time.time() - 120, time.time() - 120))  # its owner's last word, two minutes ago
    assert orphaned_claims(tmp_path, lease_s=60) == [lapsed]
    assert orphaned_claims(tmp_path) == []  # without a lease another host's claims are never taken
    assert orphaned_claims(tmp_path, lease_s=300) == []
    retaken = reclaim(lapsed)
    assert retaken is not None and original_name(retaken) == "a.dat"
    assert time.time() - retaken.stat().st_mtime < 5  # the new claim starts a fresh lease
    assert orphaned_claims(tmp_path, lease_s=60) == []
    assert refresh_claim(refreshed) and not refresh_claim(lapsed)  # lapsed is gone: renamed by the takeover


def test_a_lapsed_lease_frees_a_local_claim_whose_pid_was_reused(tmp_path: Path) -> None:
    reused = tmp_path / f"a.dat@{socket.gethostname()}.{os.getppid()}.t5f3a"  # that pid runs, but not us
    reused.write_bytes(b"r")
    assert orphaned_claims(tmp_path, lease_s=60) == []
    os.utime(reused, (time.time() - 120, time.time() - 120))
    assert orphaned_claims(tmp_path) == []  # the pid check alone sees a live process
    assert orphaned_claims(tmp_path, lease_s=60) == [reused]


def test_a_claim_starts_its_lease_even_for_an_old_file(tmp_path: Path) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    work.mkdir()
    old = inbox / "old.dat"
    old.write_bytes(b"r")
    os.utime(old, (time.time() - 86_400, time.time() - 86_400))  # dropped yesterday, claimed now
    claimed = claim(old, work)
    assert claimed is not None and time.time() - claimed.stat().st_mtime < 5


def test_ledger_states_survive_reopening(tmp_path: Path) -> None:
    data = tmp_path / "in.dat"
    data.write_bytes(b"records")
    digest = checksum(data)
    ledger = Ledger(tmp_path / "ledger.sqlite")
    entry = ledger.begin("in.dat", 7, digest)
    assert ledger.completed(digest, 7) is None
    ledger.advance(entry, FileState.WRITTEN, records=10, rejects=1)
    ledger.close()

    reopened = Ledger(tmp_path / "ledger.sqlite")
    latest = reopened.latest("in.dat", digest)
    assert (latest.state, latest.records, latest.rejects) == (FileState.WRITTEN, 10, 1)
    reopened.advance(entry, FileState.DONE)
    assert reopened.completed(digest, 7).id == entry
    assert reopened.completed(digest, 8) is None


def test_ledger_written_before_the_archive_column_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
            state TEXT NOT NULL, records INTEGER, rejects INTEGER, detail TEXT NOT NULL DEFAULT '',
            started REAL NOT NULL, updated REAL NOT NULL);
        INSERT INTO files (name, size, sha256, state, records, rejects, started, updated)
            VALUES ('old.dat', 7, 'abc', 'written', 3, 0, 0, 0);
    """)
    old.close()

    ledger = Ledger(path)
    [entry] = ledger.unfinished()
    assert (entry.name, entry.state, entry.archive) == ("old.dat", FileState.WRITTEN, None)
    ledger.advance(entry.id, FileState.WRITTEN, archive="old.dat.1")
    assert ledger.latest("old.dat", "abc").archive == "old.dat.1"
    ledger.advance(entry.id, FileState.DONE)  # the archive name stays once recorded
    assert (ledger.latest("old.dat", "abc").archive, ledger.unfinished()) == ("old.dat.1", [])
    ledger.close()
    assert Ledger(path).entries()[0].archive == "old.dat.1"  # and opening it again changes nothing
