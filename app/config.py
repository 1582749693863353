"""The gateway's configuration: one file naming the core and each channel's own contract file.

TOML (or JSON). Relative paths resolve against the file's folder. Each channel keeps its own
configuration file and model (its ``ChannelSpec.config`` in ``adapters/registry.py``); this file
only says which channels run and where the core is. Client settings may also come from
``SCOREGATE_CLIENT_*`` variables (e.g. ``SCOREGATE_CLIENT_TARGET``), which win over the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.registry import UnknownChannel, channel_names
from scoregate.adapters.state.settings import StateSection
from scoregate.core.settings import ClientSettings


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CoreSection(_Strict):
    """The core that ``scoregate up`` starts beside the gateway (``gateway serve`` ignores it)."""

    address: str = "127.0.0.1:0"
    """Where the embedded core listens; port 0 picks a free one."""
    models_dir: Path | None = None
    """Models directory; None: the shipped demo model."""
    metrics_port: int | None = None


class ChannelSection(_Strict):
    config: Path
    """The channel's own configuration file (its contract, mapping and limits)."""
    enabled: bool = True
    fallback: Literal["fail", "model"] = "fail"
    """When the core is unavailable: ``fail`` answers in the channel's own server-error form (AMQP
    and files retry later), ``model`` scores with the gateway's ``fallback_model`` instead."""
    set: dict[str, Any] = {}
    """Top-level keys of the channel's file to replace (e.g. ``{port = 8081}`` or an AMQP ``url``)."""


class HealthSection(_Strict):
    host: str = "127.0.0.1"
    port: int | None = 8081
    """``/healthz`` and ``/readyz`` of the gateway process; None: no endpoint, 0: a free port."""
    metrics_host: str | None = None
    """Address of ``/metrics`` when it has a port of its own; default: ``host``."""
    metrics_port: int | None = None
    """Serve ``/metrics`` on this port instead of the health port (0: a free one); None: on the health port."""
    metrics_token_file: Path | None = None
    """File holding a bearer token that ``/metrics`` requires (read again when it changes); None: open."""


class LoggingSection(_Strict):
    masked_fields: list[str] = []
    """Log fields holding personal data (``reference``, or an ``extra=`` field name), shown only as
    a keyed hash. ``SCOREGATE_MASK_KEY`` keys the hash (the audit's key too); without it, short
    references such as application numbers can be recovered by trying them all."""


class AuditSection(_Strict):
    path: Path | None = None
    """The audit trail (SQLite, append-only) of every decision; None: no audit, unless ``[state]
    postgres`` is set: then the audit is kept there, shared by every replica (and this stays unset).
    A relative path resolves against ``--workdir`` of ``scoregate up`` or ``gateway serve``, never inside the package."""
    masked_fields: list[Literal["reference", "request_id", "channel", "caller"]] = []
    """Stored as a keyed hash (``SCOREGATE_MASK_KEY``, required then); ``audit show --ref`` still finds them."""
    queue_rows: int = Field(default=100_000, ge=1_000)
    """Decisions waiting for the writer; beyond this they are dropped and counted, never waited for."""
    tamper_evident: bool = False
    """Require the audit key (``SCOREGATE_AUDIT_KEY`` or ``SCOREGATE_AUDIT_KEY_FILE``): with it every
    row carries a MAC chained to its writer's previous row (``scoregate audit verify``). A key set
    in the environment chains the rows even when this is false."""
    writer: str | None = None
    """This gateway's name in the chain (each process adds when it started); default host:pid."""


class ShadowSection(_Strict):
    model: str
    version: str
    """The version (or alias, e.g. ``candidate``) that scores every answered request again, in the
    background; its scores go to the audit for ``scoregate models compare``."""
    max_pending: int = Field(default=1_000, ge=1)
    """Requests waiting for their shadow score per channel; beyond this they are skipped and counted."""


class OutcomesSection(_Strict):
    """Outcomes joined to the audit (an outcome file job or queue feeds them): the gateway refreshes
    the figures every ``refresh_s``, exports the latest on ``/metrics`` and warns in its log."""

    auc_floor: float | None = Field(default=None, ge=0, le=1)
    """Warn when a model version's AUC in its latest month with figures is below this; None: never."""
    challenger_margin: float = Field(default=0.01, ge=0, le=1)
    """Warn when the shadow version's AUC beats the answering version's by this much on the same requests."""
    min_outcomes: int = Field(default=100, ge=2)
    """A month with fewer outcomes (or no default among them) gets counts but no figures."""
    refresh_s: float = Field(default=60.0, gt=0)


class GatewayConfig(_Strict):
    base_dir: Path = Path(".")
    """Folder of the configuration file; relative paths resolve against it."""
    core: CoreSection = CoreSection()
    client: dict[str, Any] = {}
    """ScoringClient settings (target, timeout_s, retry_attempts, breaker_failures, tls_ca_file, ...)."""
    channels: dict[str, ChannelSection] = Field(default_factory=dict)
    health: HealthSection = HealthSection()
    logging: LoggingSection = LoggingSection()
    audit: AuditSection = AuditSection()
    shadow: ShadowSection | None = None
    state: StateSection = StateSection()
    """Servers holding the state shared by replicas (``adapters/state/settings.py``): PostgreSQL for the
    audit and the file ledger, Redis for the reply and nonce caches; empty: embedded, per process."""
    outcomes: OutcomesSection = OutcomesSection()
    fallback_model: Path | None = None
    """A model version directory (``NAME/VERSION``) loaded in the gateway process for channels with
    ``fallback = "model"``; its results are marked as fallback results."""

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: dict[str, ChannelSection]) -> dict[str, ChannelSection]:
        known = channel_names()  # built-in and entry-point channels (adapters/registry.py)
        for name in value:
            if name not in known:
                raise ValueError(str(UnknownChannel(name, known)))
        return value

    @model_validator(mode="after")
    def _fallback_needs_a_model(self) -> GatewayConfig:
        if self.uses_fallback and self.fallback_model is None:
            names = ", ".join(n for n, c in self.channels.items() if c.fallback == "model")
            raise ValueError(f"channels {names} have fallback = \"model\" but no fallback_model is set")
        return self

    @model_validator(mode="after")
    def _shadow_needs_the_audit(self) -> GatewayConfig:
        if self.shadow is not None and self.audit.path is None and self.state.postgres is None:
            raise ValueError("[shadow] records its scores in the audit: set [audit] path or [state] postgres")
        return self

    @model_validator(mode="after")
    def _one_audit_store(self) -> GatewayConfig:
        if self.state.postgres is not None and self.audit.path is not None:
            raise ValueError("[audit] path and [state] postgres both set: with [state] postgres the audit is kept in "
                             "PostgreSQL, shared by every replica; remove [audit] path")
        return self

    @property
    def uses_fallback(self) -> bool:
        return any(c.enabled and c.fallback == "model" for c in self.channels.values())

    def path(self, value: Path) -> Path:
        return value if value.is_absolute() else (self.base_dir / value).resolve()

    def client_settings(self, **overrides: Any) -> ClientSettings:
        # Environment variables (SCOREGATE_CLIENT_*) beat the file; explicit overrides beat both.
        from_env = ClientSettings().model_dump(exclude_unset=True)
        return ClientSettings(**{**self.client, **from_env, **overrides})

    @classmethod
    def load(cls, file: Path | str) -> GatewayConfig:
        file = Path(file)
        return cls.model_validate({**read_config_file(file), "base_dir": file.resolve().parent})


def format_errors(error: ValidationError, prefix: str = "") -> list[str]:
    """Every error of a validation, one line each, with the dotted path of the offending key."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        lines.append(f"{prefix}{where or '(top)'}: {item['msg']}")
    return lines
