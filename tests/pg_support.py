"""The machine's PostgreSQL for tests (scripts/ensure_postgres.sh makes sure it answers): each test
gets a schema of its own, named in its URL's search_path, and dropped after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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
