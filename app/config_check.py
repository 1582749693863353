"""The one pass of configuration checks (``gateway_problems``) and where ``config check`` looks models up: a running core (``--core``), a models directory
(``--models-dir``, else the gateway file's ``core.models_dir``), else the shipped demo models, as
``scoregate up`` serves them."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import ValidationError

from scoregate.adapters.mapping_check import hint
from scoregate.adapters.registry import ModelLookup
from scoregate.app.config import GatewayConfig, format_errors
from scoregate.app.gateway import check_channel
from scoregate.app.paths import DEMO_MODELS_DIR
from scoregate.core.contract import ModelDescription
from scoregate.core.errors import UnknownModel
from scoregate.core.registry import ModelRegistry


def directory_lookup(models_dir: Path) -> ModelLookup:
    """A lookup on a models directory (each version is loaded once, as the core would)."""
    registry = ModelRegistry(models_dir)
    # "version loaded" lines would bury the problems; load failures still show.
    registry_log = logging.getLogger("scoregate.core.registry")
    level = registry_log.level
    registry_log.setLevel(max(logging.WARNING, registry_log.getEffectiveLevel()))
    try:
        registry.refresh()
    finally:
        registry_log.setLevel(level)

    def lookup(model: str, version: str | None = None) -> ModelDescription:
        try:
            meta = registry.get(model, version).model.metadata
        except UnknownModel as exc:
            known = sorted({s.model for s in registry.states() if s.state == "loaded"})
            exc.message = f"{exc.message} in {models_dir}{hint(model, known)}"
            exc.args = (exc.message,)
            raise exc from None
        return ModelDescription(name=meta.name, version=meta.version, feature_schema=meta.feature_schema, bands=meta.bands)

    return lookup


def core_lookup(target: str) -> ModelLookup:
    """Descriptions asked of a running core; None (nothing checked) while it cannot be reached."""
    from scoregate.core.client import ScoringClient
    from scoregate.core.errors import CoreUnavailable
    from scoregate.core.settings import ClientSettings

    client = ScoringClient(ClientSettings(target=target, retry_attempts=1))

    def lookup(model: str, version: str | None = None) -> ModelDescription | None:
        try:
            return client.describe(model, version)
        except UnknownModel as error:
            error.message = f"{error.message} at the core {target}"
            error.args = (error.message,)
            raise error from None
        except CoreUnavailable:
            return None

    return lookup


def model_lookup(config: GatewayConfig, models_dir: Path | None, target: str | None) -> ModelLookup:
    if target:
        return core_lookup(target)
    if models_dir is None:
        models_dir = config.path(config.core.models_dir) if config.core.models_dir else DEMO_MODELS_DIR
    return directory_lookup(models_dir)


def gateway_problems(config: GatewayConfig, config_file: Path, lookup: ModelLookup) -> list[str]:
    """Every problem of a gateway file and of each channel file it names, one line each, in one
    pass: what ``config check`` prints, and what stops ``gateway serve`` and ``up`` before anything
    starts. ``[client]`` errors are the gateway file's, with their full key."""
    problems: list[str] = []
    try:
        config.client_settings()
    except ValidationError as error:
        problems += format_errors(error, f"{config_file}: client.")
    for name, section in config.channels.items():
        problems += check_channel(config, name, section, lookup)
    return problems
