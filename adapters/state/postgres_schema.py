"""Versioned schema migrations for the PostgreSQL state: ordered SQL files and a version table.

``migrations/NNNN_name.sql`` ship with the package; ``scoregate_schema`` records each one applied
(version, name, when). :func:`migrate` applies the missing ones in order, all in one transaction,
under an advisory lock so that two replicas starting at once do not apply one twice. A gateway
checks the version at start (:func:`problem`) and refuses a schema that is behind in one line.

A version table and plain SQL rather than alembic: the schema is a handful of tables with no ORM
models to diff against, and the files read as what the database runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg

VERSION_TABLE = "scoregate_schema"
_LOCK_ID = 0x5C0E6A7E  # pg_advisory_xact_lock key: "scoregate migrations"
_FILE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with this scoregate, in order."""
    found = []
    for entry in resources.files("scoregate.adapters.state").joinpath("migrations").iterdir():
        if (match := _FILE.fullmatch(entry.name)) is not None:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def latest() -> int:
    return migrations()[-1].version


def current(conn: psycopg.Connection) -> int:
    """The schema's version: 0 when nothing was ever applied here."""
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (VERSION_TABLE,)).fetchone()[0]
    if not exists:
        return 0
    return int(conn.execute(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}").fetchone()[0])


def migrate(conn: psycopg.Connection) -> list[Migration]:
    """Apply what is missing, in order; returns the migrations applied (none when up to date)."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        conn.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version integer PRIMARY KEY, name text NOT NULL,"
                     " applied timestamptz NOT NULL DEFAULT now())")
        have = current(conn)
        for migration in migrations():
            if migration.version > have:
                conn.execute(migration.sql)
                conn.execute(f"INSERT INTO {VERSION_TABLE} (version, name) VALUES (%s, %s)", (migration.version, migration.name))
                applied.append(migration)
    return applied


def problem(conn: psycopg.Connection) -> str | None:
    """One line saying what to do when the schema is not the one this scoregate needs; None if it is."""
    have, want = current(conn), latest()
    if have < want:
        return (f"the PostgreSQL state schema is at version {have}, this scoregate needs {want}: "
                "run `scoregate state migrate --config GATEWAY_FILE` (once, from any replica)")
    if have > want:
        return f"the PostgreSQL state schema is at version {have}, newer than this scoregate knows ({want}): upgrade scoregate"
    return None
