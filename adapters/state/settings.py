"""The gateway file's ``[state]`` section: where state shared by the gateway's replicas lives.

Each key is a server URL (``${ENV}`` placeholders allowed, so a password comes from a Secret);
an absent key keeps that state in its embedded default (SQLite files, process memory).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator


class StateSection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    postgres: str | None = None
    """``postgresql://user@host:5432/db``: the audit trail and the file ledger and claims, shared
    by every replica; None: the SQLite audit file and ledger of ``[audit] path`` and the file job."""

    @field_validator("postgres")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("postgres must be a URL starting with postgresql:// (e.g. postgresql://scoregate@db:5432/scoregate)")
        return value or None
