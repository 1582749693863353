"""The file channel's registration (``adapters/registry.py``): config, builder, preflight (the job's
mapping against its model; the copybook checks run when the job loads), banner lines."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.watcher import FileChannel
from scoregate.adapters.mapping_check import check_config
from scoregate.adapters.registry import ChannelContext, ChannelSpec


def build(config: FileJobConfig, context: ChannelContext) -> FileChannel:
    return FileChannel(config, context.scoring_client(), metrics=context.metrics)


def describe(channel: FileChannel, config_file: Path) -> list[str]:
    inbox = channel.config.path(channel.config.inbox)
    return [
        f"drop into {inbox}  responses in {channel.config.path(channel.config.outbox)}",
        f"scoregate files demo --records 1000 --out {inbox}",
    ]


# The demo's drop directories live in `scoregate up --workdir`, not inside the package.
CHANNEL = ChannelSpec(name="files", config=FileJobConfig, build=build, describe=describe, check=check_config, workdir_key="base_dir")
