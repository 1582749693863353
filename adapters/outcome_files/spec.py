"""The outcome file channel's registration (``adapters/registry.py``)."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.outcome_files.channel import OutcomeFileChannel
from scoregate.adapters.outcome_files.config import OutcomeJobConfig
from scoregate.adapters.registry import Banner, ChannelContext, ChannelSpec
from scoregate.adapters.state.postgres_pool import redacted


def build(config: OutcomeJobConfig, context: ChannelContext) -> OutcomeFileChannel:
    if context.outcomes is None:
        raise ValueError("the outcome file job joins outcomes to the audit: set [audit] path or [state] postgres"
                         " in the gateway file (outcomes are kept beside the audit)")
    return OutcomeFileChannel(config, context.outcomes, context.metrics, context.name)


def describe(channel: OutcomeFileChannel, config_file: Path, banner: Banner) -> list[str]:
    inbox = banner.path(channel.config.path(channel.config.inbox))
    audit = channel.store.audit  # a SQLite file, or the URL of [state] postgres (its password left out)
    where, option = ((banner.path(audit), f"--db {banner.path(audit)}") if isinstance(audit, Path)
                     else (f"in PostgreSQL {redacted(audit)}", f"--postgres {redacted(audit)}"))
    return [
        f"drop outcome files into {inbox}  joined to the audit {where}",
        f"{banner.command} files demo --outcomes --records 1000 --out {inbox}"
        f"   then: {banner.command} models performance credit-risk {option}",
    ]


CHANNEL = ChannelSpec(name="outcome_files", config=OutcomeJobConfig, build=build, describe=describe, workdir_key="base_dir")
