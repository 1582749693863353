"""Two file watchers (separate `gateway serve` processes) on one inbox, the ledger and the claims
in PostgreSQL; one is SIGKILLed mid-file. Every file gets exactly one response, and the killed
watcher's claim is taken over once its lease lapsed by the database's clock, with no host name
or pid involved. The real server (a schema per test), real processes, real files."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import psycopg
from gateway_support import Process

from scoregate.adapters.files.demo import drop_demo_file
from scoregate.app.paths import DEFAULTS_DIR

LEASE_S = 2.0
BIG = 200_000  # records: the first watcher is still on it when it is killed


def _watcher(tmp_path: Path, target: str, name: str, env: dict) -> Process:
    config = tmp_path / f"{name}.toml"
    config.write_text(
        f'[health]\nport = 0\n[client]\ntarget = "{target}"\n[state]\npostgres = "${{FILES_PG}}"\n'
        f"[channels.files]\nconfig = \"{DEFAULTS_DIR / 'files' / 'loans.toml'}\"\n"
        f"set = {{ poll_s = 0.1, claim_lease_s = {LEASE_S} }}\n"
    )
    log = (tmp_path / f"{name}.log").open("w")
    process = Process("gateway", "serve", "--config", str(config), "--workdir", str(tmp_path / "drop"), env=env, stderr=log)
    process.wait_for("Ctrl-C")
    return process


def _wait(condition, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)


def test_a_killed_watchers_file_is_taken_over_and_answered_once(shared_core, pg_migrated: str, tmp_path: Path) -> None:
    env = {**os.environ, "FILES_PG": pg_migrated}
    drop = tmp_path / "drop"
    work, outbox, inbox = drop / "work", drop / "outbox", drop / "inbox"
    watchers = {name: _watcher(tmp_path, shared_core.target, name, env) for name in ("a", "b")}
    try:
        drop_demo_file(inbox, BIG, name="LOANS.BIG")
        with psycopg.connect(pg_migrated, autocommit=True) as conn:
            def owner() -> str | None:
                row = conn.execute("SELECT owner FROM file_claims WHERE name = 'LOANS.BIG'").fetchone()
                return row[0] if row else None

            _wait(owner, 30, "a watcher claims the big file")
            claimant = owner()
        # Which process that is: each watcher logs its (random) owner id at start.
        killed = next(n for n in watchers if claimant in (tmp_path / f"{n}.log").read_text())
        survivor = "b" if killed == "a" else "a"
        watchers[killed].popen.send_signal(signal.SIGKILL)
        watchers[killed].popen.wait(10)
        assert not (outbox / "LOANS.BIG.RSP").exists(), "the watcher finished before it was killed"
        (claimed,) = work.glob("LOANS.BIG@*")
        token = claimed.name.rpartition("@")[2]
        assert re.fullmatch(r"[0-9a-f]{32}", token) and socket.gethostname() not in claimed.name
        small = [drop_demo_file(inbox, 50, name=f"LOANS.S{i}", seed=100 + i) for i in range(3)]  # not duplicates
        names = ["LOANS.BIG", *(s.path.name for s in small)]
        _wait(lambda: all((outbox / f"{n}.RSP.done").exists() for n in names), 90, "every file answered")
        _wait(lambda: (drop / "archive" / "LOANS.BIG").exists(), 30, "the big file archived")
    finally:
        for process in watchers.values():
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
                try:
                    process.popen.wait(30)
                except subprocess.TimeoutExpired:
                    process.popen.kill()
    assert sorted(p.name for p in outbox.glob("*.RSP")) == sorted(f"{n}.RSP" for n in names)  # one response each
    assert not list(outbox.glob(".*.tmp")) and not list(work.iterdir()) and not list((drop / "error").iterdir())
    with psycopg.connect(pg_migrated) as conn:
        ledger = conn.execute("SELECT name, state, records FROM file_ledger ORDER BY id").fetchall()
        assert conn.execute("SELECT count(*) FROM file_claims").fetchone()[0] == 0, "every claim released"
    big = [(state, records) for name, state, records in ledger if name == "LOANS.BIG"]
    # The one that answered, after the killed attempt if that one had begun its entry before the kill.
    assert big[-1] == ("done", BIG) and all(state == "superseded" for state, _ in big[:-1]), ledger
    assert sorted(n for n, state, _ in ledger if state == "done") == sorted(names)
    assert "claim of LOANS.BIG taken over" in (tmp_path / f"{survivor}.log").read_text()
