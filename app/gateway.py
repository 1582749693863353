"""The composition root: builds the scoring clients and every enabled channel, runs them, stops them.

The only module that knows both the core's client and the channels. Each channel is built from
its own configuration file; a channel that cannot be built (a bad contract) stops the gateway
before anything listens, with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scoregate.adapters.channel import Channel
from scoregate.adapters.metrics import ChannelMetrics, GatewayMetrics
from scoregate.app.audit import AuditLog
from scoregate.app.config import ChannelSection, GatewayConfig
from scoregate.app.decisions import DecisionRecorder
from scoregate.app.health import HealthServer
from scoregate.app.logs import mask_fields
from scoregate.app.shadow import ShadowScorer
from scoregate.core.client import ScoringClient
from scoregate.core.fallback import FallbackScorer
from scoregate.core.hooks import ClientHooks
from scoregate.core.settings import ClientSettings, SecretFile, env_secret

log = logging.getLogger(__name__)

MASK_KEY_ENV = "SCOREGATE_MASK_KEY"
"""Keys the hash of personal-data fields in logs and in the audit; a secret, never in a file."""


@dataclass(frozen=True)
class ChannelParts:
    """What the gateway hands a channel builder besides the channel's own file."""

    section: ChannelSection
    file: Path
    """The channel's configuration file, resolved."""
    client_settings: ClientSettings
    metrics: ChannelMetrics
    hooks: ClientHooks = ClientHooks()
    workdir: Path | None = None
    """``scoregate up``'s working folder (the demo's drop directories), else None."""


def _soap(parts: ChannelParts) -> Channel:
    from scoregate.adapters.soap.config import SoapChannelConfig
    from scoregate.adapters.soap.server import SoapChannel

    config = SoapChannelConfig.load(parts.file, **parts.section.set)
    return SoapChannel(config, client_settings=parts.client_settings, client_hooks=parts.hooks, metrics=parts.metrics)


def _amqp(parts: ChannelParts) -> Channel:
    from scoregate.adapters.amqp import AmqpChannel, AmqpChannelConfig

    config = AmqpChannelConfig.load(parts.file, **parts.section.set)
    return AmqpChannel(config, ScoringClient(parts.client_settings, parts.hooks), metrics=parts.metrics)


def _files(parts: ChannelParts) -> Channel:
    from scoregate.adapters.files.config import FileJobConfig
    from scoregate.adapters.files.watcher import FileChannel

    update = dict(parts.section.set)
    if parts.workdir is not None:
        # The demo's drop directories live in the working folder, not inside the package.
        update.setdefault("base_dir", parts.workdir)
    config = FileJobConfig.load(parts.file, **update)
    return FileChannel(config, ScoringClient(parts.client_settings, parts.hooks), metrics=parts.metrics)


#: channel name -> builder
BUILDERS: dict[str, Callable[[ChannelParts], Channel]] = {
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
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    audit: AuditLog | None = None
    shadows: list[ShadowScorer] = field(default_factory=list)
    """Every channel's metrics in one registry, exported on the health port's ``/metrics``."""

    def build(self) -> None:
        key = env_secret(MASK_KEY_ENV).encode()  # or SCOREGATE_MASK_KEY_FILE
        mask_fields(self.config.logging.masked_fields, key)
        fallback = self.config.path(self.config.fallback_model) if self.config.fallback_model else None
        scorer = FallbackScorer(fallback) if fallback and self.config.uses_fallback else None
        self.audit = self._open_audit(key)
        shadow = self.config.shadow
        shadow_client = ScoringClient(self.client_settings) if shadow is not None and self.audit is not None else None
        for name, section in self.config.channels.items():
            if section.enabled:
                metrics = self.metrics.channel(name)
                shadow_scorer = None
                if shadow_client is not None:
                    shadow_scorer = ShadowScorer(shadow_client, shadow.model, shadow.version, self.audit, name, shadow.max_pending)
                    self.shadows.append(shadow_scorer)
                hooks = ClientHooks(
                    fallback=scorer if section.fallback == "model" else None,
                    observer=DecisionRecorder(name, self.audit, metrics, shadow_scorer),
                )
                parts = ChannelParts(section, self.config.path(section.config), self.client_settings, metrics, hooks, self.workdir)
                self.channels.append(BUILDERS[name](parts))

    def _open_audit(self, key: bytes) -> AuditLog | None:
        section = self.config.audit
        if section.path is None:
            return None
        path = section.path
        if not path.is_absolute():
            path = (self.workdir / path) if self.workdir is not None else self.config.path(path)
        log.info("audit trail in %s", path)
        return AuditLog(path, masked_fields=frozenset(section.masked_fields), mask_key=key or None, queue_rows=section.queue_rows)

    health_server: HealthServer | None = None
    metrics_server: HealthServer | None = None
    """``/metrics`` alone, when ``[health] metrics_port`` gives it a port of its own."""

    async def start(self) -> None:
        health = self.config.health
        token = SecretFile(self.config.path(health.metrics_token_file)).read if health.metrics_token_file else None
        apart = health.metrics_port is not None
        if health.port is not None:
            # Up before the channels: a probe sees "not ready" with the reason while they start.
            self.health_server = HealthServer(lambda: self.channels, health.host, health.port,
                                              None if apart else self.metrics.registry, metrics_token=token)
            self.health_server.start()
            log.info("gateway health on http://%s:%s/readyz", health.host, self.health_server.port)
        if apart:
            host = health.metrics_host or health.host
            self.metrics_server = HealthServer(list, host, health.metrics_port, self.metrics.registry, probes=False, metrics_token=token)
            self.metrics_server.start()
        if self.metrics_server or self.health_server:
            where = self.metrics_server or self.health_server
            log.info("gateway metrics on http://%s:%s/metrics%s", health.metrics_host or health.host, where.port,
                     " (bearer token required)" if token else "")
        for channel in self.channels:
            await channel.start()
            log.info("channel %s started: %s", channel.name, channel.health())

    async def stop(self, grace: float) -> None:
        # All channels stop taking work at once; each finishes its in-flight work within grace.
        await asyncio.gather(*(channel.stop(grace) for channel in self.channels), return_exceptions=True)
        for shadow in self.shadows:
            shadow.stop(timeout=grace)
        if self.audit is not None:
            self.audit.close(timeout=grace)  # what was answered is written before the process ends
        if self.health_server is not None:
            self.health_server.stop()
        if self.metrics_server is not None:
            self.metrics_server.stop()
