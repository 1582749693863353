"""The composition root: builds the scoring clients and every enabled channel, runs them, stops them.

The only module that knows both the core's client and the channels, and it names no channel: it
builds whatever the gateway file enables from the channel's registration (``adapters/registry.py``).
Each channel is built from its own configuration file; a channel that cannot be built (a bad
contract) stops the gateway before anything listens, with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from scoregate.adapters.channel import Channel
from scoregate.adapters.configfile import ConfigFileError
from scoregate.adapters.decisions.chain import AUDIT_KEY_ENV
from scoregate.adapters.decisions.recorder import DecisionRecorder
from scoregate.adapters.decisions.shadow import ShadowScorer
from scoregate.adapters.decisions.store import AuditStore, open_store
from scoregate.adapters.metrics import GatewayMetrics
from scoregate.adapters.outcomes.store import OutcomeStore, open_outcome_store
from scoregate.adapters.outcomes.watch import OutcomeWatcher, WatchSettings
from scoregate.adapters.placeholders import find_placeholders, unresolved
from scoregate.adapters.registry import Banner, ChannelContext, ModelLookup, channel_spec
from scoregate.adapters.state.redis_client import RedisStore
from scoregate.app.config import ChannelSection, GatewayConfig, format_errors
from scoregate.app.health import HealthServer
from scoregate.app.logs import mask_fields
from scoregate.core.client import scoring_client
from scoregate.core.contract import ModelDescription
from scoregate.core.errors import CoreUnavailable, DeadlineExpired, ScoreError
from scoregate.core.fallback import FallbackScorer
from scoregate.core.hooks import ClientHooks
from scoregate.core.probe import CoreProbe
from scoregate.core.settings import ClientSettings, SecretFile, env_secret

log = logging.getLogger(__name__)

MASK_KEY_ENV = "SCOREGATE_MASK_KEY"
"""Keys the hash of personal-data fields in logs and in the audit; a secret, never in a file."""


class ChannelProblems(ValueError):
    """A channel whose configuration does not pass its preflight (``ChannelSpec.check``)."""

    def __init__(self, name: str, file: Path, problems: list[str], *, named: bool = False) -> None:
        # The lines config check prints: one per problem, each naming the channel's file
        # (``named``: they already do, with a line number).
        super().__init__("\n".join(problems if named else (f"{file}: {problem}" for problem in problems)))
        self.problems = problems


def offline_models(model: str, version: str | None = None) -> ModelDescription | None:
    """The model lookup of ``config check``: no core is asked, so no schema is known."""
    return None


class CoreModels:
    """The model lookup at start: each model described once by the core; None when the core does
    not answer (the channel starts and waits for it); ``UnknownModel`` when it serves no such model."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._known: dict[tuple[str, str | None], ModelDescription | None] = {}

    def __call__(self, model: str, version: str | None = None) -> ModelDescription | None:
        if (model, version) not in self._known:
            try:
                with scoring_client(self.settings) as client:
                    self._known[model, version] = client.describe(model, version)
            except (CoreUnavailable, DeadlineExpired):
                self._known[model, version] = None
        return self._known[model, version]


def _no_store_in_a_check() -> OutcomeStore:
    raise RuntimeError("config check opens no outcome store")


def check_channel(config: GatewayConfig, name: str, section: ChannelSection, models: ModelLookup = offline_models) -> list[str]:
    """Every problem of one channel's file, one line each naming the file and the key: its TODO
    placeholders (``adapters/placeholders.py``), the configuration model's errors, then the
    channel's preflight, then what only building finds."""
    file = config.path(section.config)
    return unresolved(_channel_problems(config, name, section, models, file), find_placeholders(file), file)


def _channel_problems(config: GatewayConfig, name: str, section: ChannelSection, models: ModelLookup, file: Path) -> list[str]:
    try:
        spec = channel_spec(name)
        channel_config = spec.load(file, section.set)
        if spec.check is not None and (problems := spec.check(channel_config, models)):
            return [f"{file}: {problem}" for problem in problems]
        try:
            settings = config.client_settings()
        except ValidationError:  # [client]'s own errors are the gateway file's, reported once by the caller
            settings = ClientSettings()
        # An outcome store exists for the channels when the gateway keeps an audit; none is opened here.
        keeps = config.audit.path is not None or config.state.postgres is not None
        context = ChannelContext(name, settings, outcomes=_no_store_in_a_check if keeps else None)
        try:
            spec.build(channel_config, context)
        finally:
            context.close()
    except ValidationError as error:
        return format_errors(error, f"{file}: ")
    except ConfigFileError as error:  # a missing file, a syntax error: the message names the file
        return [str(error)]
    except Exception as error:  # noqa: BLE001 - a contract that cannot load is reported, not raised
        return [f"{file}: {line}" for line in str(error).splitlines()]
    return []


@dataclass
class Gateway:
    config: GatewayConfig
    client_settings: ClientSettings
    workdir: Path | None = None
    channels: list[Channel] = field(default_factory=list)
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    """Every channel's metrics in one registry, exported on the health port's ``/metrics``."""
    probe: CoreProbe | None = None
    """The one health probe of the core, shared by every channel's client."""
    audit: AuditStore | None = None
    outcomes: OutcomeWatcher | None = None
    """Refreshes the figures on outcomes (gauges, warnings) while the gateway runs; None without an audit."""
    shadows: list[ShadowScorer] = field(default_factory=list)
    redis: RedisStore | None = None
    """``[state] redis``: the reply and nonce caches every replica shares."""
    contexts: list[ChannelContext] = field(default_factory=list)
    """What each channel was built with; their scoring clients are closed after the channels stop."""
    config_files: dict[str, Path] = field(default_factory=dict)
    """Each channel's own file, by channel name."""
    checked: bool = False
    """Every channel file passed ``check_channel`` already (the CLI's one pass of checks before
    anything starts): building skips the preflight it would otherwise run per channel."""

    def __post_init__(self) -> None:
        self._models = CoreModels(self.client_settings)
        self._audit_path: Path | None = None
        self._mask_key = b""
        self._outcome_store: OutcomeStore | None = None
        self._outcome_lock = threading.Lock()

    def outcome_store(self) -> OutcomeStore:
        """The outcome store beside the audit, opened on first use (by an intake channel or the watcher)."""
        with self._outcome_lock:
            if self._outcome_store is None:
                url = self.config.state.postgres  # the outcomes live beside the audit, in its store
                audit = url if url is not None else self._audit_path
                self._outcome_store = open_outcome_store("sqlite" if url is None else "postgres", audit=audit,
                                                         mask_key=self._mask_key or None)
            return self._outcome_store

    def build(self) -> None:
        """Every enabled channel, built from its registration (``adapters/registry.py``)."""
        key = env_secret(MASK_KEY_ENV).encode()  # or SCOREGATE_MASK_KEY_FILE
        mask_fields(self.config.logging.masked_fields, key)
        fallback = self.config.path(self.config.fallback_model) if self.config.fallback_model else None
        scorer = FallbackScorer(fallback) if fallback and self.config.uses_fallback else None
        self._check_state()
        self.audit = self._open_audit(key)
        self.redis = self._open_redis()
        self._mask_key = key
        if self._keeps_outcomes:
            o = self.config.outcomes
            self.outcomes = OutcomeWatcher(self.outcome_store, self.metrics.registry,
                                           WatchSettings(o.auc_floor, o.challenger_margin, o.min_outcomes, o.refresh_s))
        shadow = self.config.shadow
        shadow_client = scoring_client(self.client_settings) if shadow is not None and self.audit is not None else None
        self.probe = CoreProbe(self.client_settings)
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
                    probe=self.probe,
                )
                context = ChannelContext(
                    name, self.client_settings, hooks, metrics, self.workdir, state=self.config.state,
                    outcomes=self.outcome_store if self._keeps_outcomes else None, redis=self.redis)
                self.channels.append(self._build_channel(name, section, context))

    @property
    def _keeps_outcomes(self) -> bool:
        """Outcomes are kept beside the audit: a SQLite file's or PostgreSQL's (``[state] postgres``)."""
        return self.audit is not None and (self._audit_path is not None or self.config.state.postgres is not None)

    def _build_channel(self, name: str, section: ChannelSection, context: ChannelContext) -> Channel:
        spec = channel_spec(name)
        file = self.config.path(section.config)
        if not self.checked and (placeholders := find_placeholders(file)):  # a scaffold's TODOs come first
            raise ChannelProblems(name, file, [p.problem(file) for p in placeholders], named=True)
        channel_config = spec.load(file, section.set, self.workdir)
        if spec.check is not None and not self.checked:
            try:
                problems = spec.check(channel_config, self._models)
            except ScoreError as error:  # UnknownModel from the lookup, unhandled by the check
                problems = [error.message]
            if problems:
                raise ChannelProblems(name, file, problems)
        channel = spec.build(channel_config, context)
        if channel.name != name:
            raise TypeError(f"channel {name!r} built a channel named {channel.name!r}: its readiness and metrics would not match")
        self.contexts.append(context)
        self.config_files[name] = file
        return channel

    def describe(self, channel: Channel, banner: Banner) -> list[str]:
        """The banner lines of a running channel (its ``ChannelSpec.describe``)."""
        return channel_spec(channel.name).describe(channel, self.config_files[channel.name], banner)

    def _check_state(self) -> None:
        """A PostgreSQL of ``[state]`` that answers must have this scoregate's schema (one line if
        not); one that does not answer is only warned about: the stores wait for it, answers do not."""
        url = self.config.state.postgres
        if url is None:
            return
        from scoregate.adapters.state import postgres_schema
        from scoregate.adapters.state.postgres_pool import StateUnavailable, connect

        try:
            with connect(url) as conn:
                problem = postgres_schema.problem(conn)
        except StateUnavailable as error:
            log.warning("%s; starting without it (the audit buffers, the file channel claims nothing)", error)
            return
        if problem:
            raise ValueError(problem)

    def _open_audit(self, key: bytes) -> AuditStore | None:
        section = self.config.audit
        chain_key = env_secret(AUDIT_KEY_ENV).encode() or None
        if section.tamper_evident and chain_key is None:
            raise ValueError(f"[audit] tamper_evident needs {AUDIT_KEY_ENV} or {AUDIT_KEY_ENV}_FILE")
        if (url := self.config.state.postgres) is not None:
            from scoregate.adapters.state.postgres_pool import redacted
            from scoregate.app.state_metrics import AuditStoreCollector

            log.info("audit trail in PostgreSQL at %s%s", redacted(url), " (chained)" if chain_key else "")
            store = open_store("postgres", url=url, masked_fields=frozenset(section.masked_fields), mask_key=key or None,
                               queue_rows=section.queue_rows, chain_key=chain_key, writer=section.writer)
            self.metrics.registry.register(AuditStoreCollector(store, "postgres"))
            return store
        if section.path is None:
            return None
        path = section.path
        if not path.is_absolute():
            path = (self.workdir / path) if self.workdir is not None else self.config.path(path)
        log.info("audit trail in %s%s", path, " (chained)" if chain_key else "")
        self._audit_path = path
        return open_store("sqlite", path=path, masked_fields=frozenset(section.masked_fields), mask_key=key or None,
                          queue_rows=section.queue_rows, chain_key=chain_key, writer=section.writer)

    def state_notes(self) -> dict[str, str]:
        """Shared stores in trouble, for ``/readyz`` (app/state_metrics.py)."""
        from scoregate.app.state_metrics import audit_note

        return audit_note(self.audit) if self.audit is not None else {}

    def _open_redis(self) -> RedisStore | None:
        state = self.config.state
        if state.redis is None:
            return None
        store = RedisStore(state.redis, state.redis_prefix, timeout_s=state.redis_timeout_ms / 1000)
        # Not a reason to refuse to start: the caches fall back to this process until it answers.
        if store.ping():
            log.info("shared state in Redis at %s (keys %s*)", store.where, store.prefix)
        return store

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
                                              None if apart else self.metrics.registry, metrics_token=token,
                                              state=self.state_notes)
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
        if self.outcomes is not None:
            self.outcomes.start()

    async def stop(self, grace: float) -> None:
        # All channels stop taking work at once; each finishes its in-flight work within grace.
        await asyncio.gather(*(channel.stop(grace) for channel in self.channels), return_exceptions=True)
        for context in self.contexts:
            context.close()
        for shadow in self.shadows:
            shadow.stop(timeout=grace)
        if self.redis is not None:
            self.redis.close()
        if self.outcomes is not None:
            self.outcomes.stop(timeout=grace)
        if self._outcome_store is not None:
            self._outcome_store.close()
        if self.audit is not None:
            self.audit.close(timeout=grace)  # what was answered is written before the process ends
        if self.health_server is not None:
            self.health_server.stop()
        if self.metrics_server is not None:
            self.metrics_server.stop()
        if self.probe is not None:
            self.probe.close()
