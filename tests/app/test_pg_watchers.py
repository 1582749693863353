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
    first = _watcher(tmp_path, shared_core.target, "a", env)
    second = None
    try:
        drop_demo_file(inbox, BIG, name="LOANS.BIG")
        _wait(lambda: list(work.glob("LOANS.BIG@*")), 30, "the first watcher claims the big file")
        (claimed,) = work.glob("LOANS.BIG@*")
        token = claimed.name.rpartition("@")[2]
        assert re.fullmatch(r"[0-9a-f]{32}", token) and socket.gethostname() not in claimed.name
        second = _watcher(tmp_path, shared_core.target, "b", env)
        small = [drop_demo_file(inbox, 50, name=f"LOANS.S{i}", seed=100 + i) for i in range(3)]  # not duplicates
        deadline = time.monotonic() + 5  # killed while writing the response, or at the latest 5 s after the claim
        while not list(outbox.glob(".LOANS.BIG.RSP.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.02)
        first.popen.send_signal(signal.SIGKILL)
        first.popen.wait(10)
        assert not (outbox / "LOANS.BIG.RSP").exists(), "the first watcher finished before it was killed"
        names = ["LOANS.BIG", *(s.path.name for s in small)]
        _wait(lambda: all((outbox / f"{n}.RSP.done").exists() for n in names), 90, "every file answered")
        _wait(lambda: (drop / "archive" / "LOANS.BIG").exists(), 30, "the big file archived")
    finally:
        for process in (first, second):
            if process is not None and process.popen.poll() is None:
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
    assert big == [("superseded", None), ("done", BIG)], ledger  # the killed attempt, then the one that answered
    assert sorted(n for n, state, _ in ledger if state == "done") == sorted(names)
    assert "claim of LOANS.BIG taken over" in (tmp_path / "b.log").read_text()
