"""Where ``config check`` looks models up: a running core (``--core``), a models directory
(``--models-dir``, else the gateway file's ``core.models_dir``), else the shipped demo models, as
``scoregate up`` serves them."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.mapping_check import ModelLookup, directory_lookup
from scoregate.app.config import GatewayConfig
from scoregate.app.paths import DEMO_MODELS_DIR
from scoregate.core.contract import ModelDescription


def core_lookup(target: str) -> ModelLookup:
    """Descriptions asked of a running core; None (nothing checked) while it cannot be reached."""
    from scoregate.core.client import ScoringClient
    from scoregate.core.errors import CoreUnavailable, UnknownModel
    from scoregate.core.settings import ClientSettings

    client = ScoringClient(ClientSettings(target=target, retry_attempts=1))

    def lookup(model: str, version: str | None) -> ModelDescription | None:
        try:
            return client.describe(model, version)
        except UnknownModel as error:
            raise LookupError(f"{error.message} at the core {target}") from None
        except CoreUnavailable:
            return None

    return lookup


def model_lookup(config: GatewayConfig, models_dir: Path | None, target: str | None) -> ModelLookup:
    if target:
        return core_lookup(target)
    if models_dir is None:
        models_dir = config.path(config.core.models_dir) if config.core.models_dir else DEMO_MODELS_DIR
    return directory_lookup(models_dir)
