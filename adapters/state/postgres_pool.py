"""Connections to the PostgreSQL of ``[state] postgres``: one place for timeouts, pools and errors.

psycopg 3 (COPY, server-side parameters) and psycopg_pool (a bounded pool with health checks)
rather than hand-kept connections. Every table is named without a schema, so the URL's
``options=-csearch_path=NAME`` puts one deployment (or one test) in a schema of its own.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

CONNECT_TIMEOUT_S = 3
"""How long a connection attempt may take: the state store is never waited on for longer."""

_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")


class StateUnavailable(RuntimeError):
    """The state server cannot be reached or refused the work; the message is one line."""


def redacted(url: str) -> str:
    """The URL as it may be logged: the password replaced by ``***``."""
    return _PASSWORD.sub(r"\1***@", url)


def one_line(error: BaseException) -> str:
    """A psycopg error in one line (the server's own message, without its hints and context)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def connect(url: str, *, autocommit: bool = True, **kwargs: Any) -> psycopg.Connection:
    """A connection or :class:`StateUnavailable` naming the server (password left out)."""
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S, **kwargs)
    except psycopg.Error as error:
        raise StateUnavailable(f"PostgreSQL at {redacted(url)} not reachable: {one_line(error)}") from None


def open_pool(url: str, *, max_size: int = 4, name: str = "scoregate") -> ConnectionPool:
    """A pool of autocommit connections, opened without waiting for the server (it may be down)."""
    return ConnectionPool(
        url, min_size=1, max_size=max_size, name=name, open=True, timeout=CONNECT_TIMEOUT_S,
        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
        reconnect_timeout=0,  # keep trying to reconnect for as long as the server is down
    )
