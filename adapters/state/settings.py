"""The ``[state]`` section of the gateway file: which shared servers hold the replicas' state.

Values may come from the environment (``redis = "${REDIS_URL}"``, expanded by
``adapters/configfile.py``), so a password never sits in the file. Nothing set: every store is
the embedded one, and ``scoregate up`` needs no server.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class StateSection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    redis: str | None = None
    """Redis URL (``redis://[user:password@]host:6379/0``, ``rediss://`` for TLS) holding the AMQP
    reply cache and the SOAP nonces, shared by every replica; None: each process keeps its own."""
    redis_prefix: str = Field(default="scoregate:", min_length=1)
    """Prepended to every Redis key, so that several gateways (or tests) can share one server."""
    redis_timeout_ms: int = Field(default=100, ge=1, le=10_000)
    """Longest an answer waits for Redis; after a failure Redis is not asked again for a second
    (the process-local cache answers meanwhile)."""

    @field_validator("redis")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(REDIS_SCHEMES):
            raise ValueError(f"not a Redis URL: {value.split('@')[-1]!r} (redis://host:6379/0, rediss://... or unix://...)")
        return value
