"""The outcome queue channel's registration (``adapters/registry.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from scoregate.adapters.outcome_queue.channel import OutcomeQueueChannel
from scoregate.adapters.outcome_queue.config import OutcomeQueueConfig
from scoregate.adapters.registry import Banner, ChannelContext, ChannelSpec


def build(config: OutcomeQueueConfig, context: ChannelContext) -> OutcomeQueueChannel:
    if context.outcomes is None:
        raise ValueError("the outcome queue joins outcomes to the audit: set [audit] path or [state] postgres"
                         " in the gateway file (outcomes are kept beside the audit)")
    return OutcomeQueueChannel(config, context.outcomes, context.metrics, context.name)


def describe(channel: OutcomeQueueChannel, config_file: Path, banner: Banner) -> list[str]:
    example = json.dumps({"reference": "A00000000001", "outcome": "default", "outcome_date": "2026-11-30"})
    return [f"outcomes from queue {channel.config.queue}  (rejected: {channel.config.rejected_queue})",
            f"one message: {example}"]


CHANNEL = ChannelSpec(name="outcome_queue", config=OutcomeQueueConfig, build=build, describe=describe)
