"""The outcome file channel's registration (``adapters/registry.py``)."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.outcome_files.channel import OutcomeFileChannel
from scoregate.adapters.outcome_files.config import OutcomeJobConfig
from scoregate.adapters.registry import Banner, ChannelContext, ChannelSpec


def build(config: OutcomeJobConfig, context: ChannelContext) -> OutcomeFileChannel:
    if context.outcomes is None:
        raise ValueError("the outcome file job joins outcomes to the audit: set [audit] path in the gateway file"
                         " (outcomes are kept beside a SQLite audit)")
    return OutcomeFileChannel(config, context.outcomes, context.metrics, context.name)


def describe(channel: OutcomeFileChannel, config_file: Path, banner: Banner) -> list[str]:
    inbox = banner.path(channel.config.path(channel.config.inbox))
    audit = banner.path(channel.store.audit)
    return [
        f"drop outcome files into {inbox}  joined to the audit {audit}",
        f"{banner.command} files demo --outcomes --records 1000 --out {inbox}"
        f"   then: {banner.command} models performance credit-risk --db {audit}",
    ]


CHANNEL = ChannelSpec(name="outcome_files", config=OutcomeJobConfig, build=build, describe=describe, workdir_key="base_dir")
