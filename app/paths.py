"""Where the embedded defaults live inside the installed package."""

from __future__ import annotations

from pathlib import Path

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
#: The demo models directory: credit-risk/1 (model.ubj, metadata.json), made by ``scoregate train``.
DEMO_MODELS_DIR = DEFAULTS_DIR / "models"
DEMO_MODEL = "credit-risk"
#: The embedded default of ``scoregate up``.
DEFAULT_GATEWAY_CONFIG = DEFAULTS_DIR / "gateway.toml"
#: The demo's fallback model, loaded in the gateway process when the core is unavailable
#: (``core/fallback.py``): the same data, 15 trees instead of 120.
DEMO_FALLBACK = DEFAULTS_DIR / "fallback" / DEMO_MODEL / "1-fallback"
