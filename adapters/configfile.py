"""Reading a configuration file into a dict: the one reader every channel's ``load`` uses.

The format follows the suffix: ``.toml`` (standard library), ``.yaml``/``.yml`` (PyYAML, an
optional dependency imported only then), anything else JSON.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any


def read_config_file(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return tomllib.loads(text)
    if path.suffix in (".yaml", ".yml"):
        import yaml  # optional: only YAML files need it

        return yaml.safe_load(text) or {}
    return json.loads(text)
