"""The composition root: builds the scoring clients and every enabled channel, runs them, stops them.

The only module that knows both the core's client and the channels. Each channel is built from
its own configuration file; a channel that cannot be built (a bad contract) stops the gateway
before anything listens, with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scoregate.adapters.channel import Channel
from scoregate.app.config import ChannelSection, GatewayConfig
from scoregate.app.health import HealthServer
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings

log = logging.getLogger(__name__)


def _soap(section: ChannelSection, file: Path, settings: ClientSettings, _workdir: Path | None) -> Channel:
    from scoregate.adapters.soap.config import SoapChannelConfig
    from scoregate.adapters.soap.server import SoapChannel

    return SoapChannel(SoapChannelConfig.load(file, **section.set), client_settings=settings)


def _amqp(section: ChannelSection, file: Path, settings: ClientSettings, _workdir: Path | None) -> Channel:
    from scoregate.adapters.amqp import AmqpChannel, AmqpChannelConfig

    return AmqpChannel(AmqpChannelConfig.load(file, **section.set), ScoringClient(settings))


def _files(section: ChannelSection, file: Path, settings: ClientSettings, workdir: Path | None) -> Channel:
    from scoregate.adapters.files.config import FileJobConfig
    from scoregate.adapters.files.watcher import FileChannel

    config = FileJobConfig.load(file)
    update = dict(section.set)
    if workdir is not None:
        # The demo's drop directories live in the working folder, not inside the package.
        update.setdefault("base_dir", workdir)
    return FileChannel(config.model_copy(update=update) if update else config, ScoringClient(settings))


#: channel name -> builder(section, its config file, client settings, working folder)
BUILDERS: dict[str, Callable[[ChannelSection, Path, ClientSettings, Path | None], Channel]] = {
    "soap": _soap,
    "amqp": _amqp,
    "files": _files,
}


@dataclass
class Gateway:
    config: GatewayConfig
    client_settings: ClientSettings
    workdir: Path | None = None
    channels: list[Channel] = field(default_factory=list)

    def build(self) -> None:
        for name, section in self.config.channels.items():
            if section.enabled:
                file = self.config.path(section.config)
                self.channels.append(BUILDERS[name](section, file, self.client_settings, self.workdir))

    health_server: HealthServer | None = None

    async def start(self) -> None:
        health = self.config.health
        if health.port is not None:
            # Up before the channels: a probe sees "not ready" with the reason while they start.
            self.health_server = HealthServer(lambda: self.channels, health.host, health.port)
            self.health_server.start()
            log.info("gateway health on http://%s:%s/readyz", health.host, self.health_server.port)
        for channel in self.channels:
            await channel.start()
            log.info("channel %s started: %s", channel.name, channel.health())

    async def stop(self, grace: float) -> None:
        # All channels stop taking work at once; each finishes its in-flight work within grace.
        await asyncio.gather(*(channel.stop(grace) for channel in self.channels), return_exceptions=True)
        if self.health_server is not None:
            self.health_server.stop()
