"""The outcome queue's configuration.

    url = "amqp://guest:guest@localhost:5672/%2F"
    queue = "loan.outcomes"
    rejected_queue = "loan.outcomes.rejected"   # messages that do not read, with the reason

A message is one outcome or a JSON list of them: ``{"reference": "A00000000001", "outcome":
"default", "outcome_date": "2026-11-30", "amount": 1250.0}`` (``fields`` renames the keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scoregate.adapters.configfile import read_config_file


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MessageFields(_Strict):
    """The JSON keys of a message that hold what."""

    reference: str = "reference"
    outcome: str = "outcome"
    outcome_date: str = "outcome_date"
    amount: str = "amount"


class OutcomeQueueConfig(_Strict):
    url: str = "amqp://guest:guest@localhost:5672/%2F"
    """The broker (``amqp://user:password@host:port/vhost``)."""
    queue: str = "loan.outcomes"
    """Declared durable if missing."""
    rejected_queue: str = "loan.outcomes.rejected"
    """Where a message that does not read goes, with the reason in its ``x-scoregate-reason`` header."""
    batch_messages: int = Field(default=500, ge=1)
    """Messages taken before the store is written (and they are acknowledged); also the prefetch."""
    batch_wait_s: float = Field(default=0.5, gt=0)
    """A batch not full after this long is written anyway."""
    reconnect_s: float = Field(default=2.0, gt=0)
    fields: MessageFields = MessageFields()

    @classmethod
    def load(cls, path: Path | str, **overrides: Any) -> OutcomeQueueConfig:
        """Read the channel's file (TOML, JSON or YAML); ``overrides`` replace top-level keys."""
        return cls.model_validate({**read_config_file(Path(path)), **overrides})
