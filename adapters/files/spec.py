"""The file channel's registration (``adapters/registry.py``): config, builder, preflight (the job's
mapping against its model; the copybook checks run when the job loads), banner lines."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.scaffold import SCAFFOLDER
from scoregate.adapters.files.watcher import FileChannel
from scoregate.adapters.mapping_check import check_config
from scoregate.adapters.registry import Banner, ChannelContext, ChannelSpec


def build(config: FileJobConfig, context: ChannelContext) -> FileChannel:
    return FileChannel(config, context.scoring_client(), metrics=context.metrics, postgres=context.state.postgres)


def describe(channel: FileChannel, config_file: Path, banner: Banner) -> list[str]:
    inbox, outbox = (banner.path(channel.config.path(folder)) for folder in (channel.config.inbox, channel.config.outbox))
    return [
        f"drop into {inbox}  responses in {outbox}",
        f"{banner.command} files demo --records 1000 --out {inbox}   then: {banner.command} files show {outbox}/<name>.RSP",
    ]


# The demo's drop directories live in `scoregate up --workdir`, not inside the package.
CHANNEL = ChannelSpec(name="files", config=FileJobConfig, build=build, describe=describe, check=check_config, workdir_key="base_dir",
                      scaffold=SCAFFOLDER)
