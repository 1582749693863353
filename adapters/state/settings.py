"""The gateway file's ``[state]`` section: which shared servers hold the replicas' state.

Each key is a server URL; values may come from the environment (``postgres = "${PG_URL}"``,
expanded by ``adapters/configfile.py``), so a password never sits in the file. An absent key keeps
that state in its embedded default (SQLite files, process memory): with nothing set ``scoregate up``
needs no server.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class StateSection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    postgres: str | None = None
    """``postgresql://user@host:5432/db``: the audit trail and the file ledger and claims, shared
    by every replica; None: the SQLite audit file and ledger of ``[audit] path`` and the file job."""
    redis: str | None = None
    """Redis URL (``redis://[user:password@]host:6379/0``, ``rediss://`` for TLS) holding the AMQP
    reply cache and the SOAP nonces, shared by every replica; None: each process keeps its own."""
    redis_prefix: str = Field(default="scoregate:", min_length=1)
    """Prepended to every Redis key, so that several gateways (or tests) can share one server."""
    redis_timeout_ms: int = Field(default=100, ge=1, le=10_000)
    """Longest an answer waits for Redis; after a failure Redis is not asked again for a second
    (the process-local cache answers meanwhile)."""

    @field_validator("postgres")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("postgres must be a URL starting with postgresql:// (e.g. postgresql://scoregate@db:5432/scoregate)")
        return value or None

    @field_validator("redis")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(REDIS_SCHEMES):
            raise ValueError(f"not a Redis URL: {value.split('@')[-1]!r} (redis://host:6379/0, rediss://... or unix://...)")
        return value
