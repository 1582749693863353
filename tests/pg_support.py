"""The machine's PostgreSQL for tests (scripts/ensure_postgres.sh makes sure it answers): each test
gets a schema of its own, named in its URL's search_path, and dropped after it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

SERVER = os.environ.get("SCOREGATE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def schema_url(server: str, schema: str) -> str:
    """``server`` with every table of the connection in ``schema``."""
    joiner = "&" if "?" in server else "?"
    return f"{server}{joiner}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty schema on the shared PostgreSQL, as a URL; dropped with everything in it after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema_url(SERVER, schema)
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def pg_migrated(pg_url: str) -> str:
    """``pg_url`` with scoregate's schema applied."""
    from scoregate.adapters.state.postgres_pool import connect
    from scoregate.adapters.state.postgres_schema import migrate

    with connect(pg_url) as conn:
        migrate(conn)
    return pg_url


class ThrowawayPostgres:
    """A PostgreSQL of its own (initdb in a temporary folder, a free port) for tests that stop the
    server mid-run: the machine's shared one is never stopped. Debian's binaries, run as the
    ``postgres`` user when the tests run as root (initdb refuses root)."""

    def __init__(self) -> None:
        import glob
        import socket
        import tempfile

        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        assert found, "no PostgreSQL binaries under /usr/lib/postgresql (scripts/ensure_postgres.sh installs them)"
        self.bin = Path(found[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="scoregate-pg-"))
        self.data = self.folder / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._as = []
        if os.geteuid() == 0:
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as, str(self.bin / tool), *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres()
    server.start()
    try:
        yield server
    finally:
        server.remove()
