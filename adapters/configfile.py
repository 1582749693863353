"""Reading a configuration file into a dict: the one reader every channel's ``load`` uses.

The format follows the suffix: ``.toml`` (standard library), ``.yaml``/``.yml`` (PyYAML), anything
else JSON.

Secrets and addresses come from the environment where the file says so: any string value may
hold ``${NAME}`` or ``${NAME:-default}``, replaced by that environment variable (``$$`` is a
literal ``$``). A variable that is unset and has no default is an error naming the key, so a
password never silently becomes an empty string.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class MissingVariable(ValueError):
    """A ``${NAME}`` whose variable is not set and has no default."""


def read_config_file(path: Path | str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        data = tomllib.loads(text)
    elif path.suffix in (".yaml", ".yml"):
        data = yaml.safe_load(text) or {}
    else:
        data = json.loads(text)
    return expand_variables(data, os.environ if environ is None else environ, str(path))


def expand_variables(value: Any, environ: Mapping[str, str], where: str = "") -> Any:
    """``value`` with every ``${NAME}`` in its strings replaced from ``environ``."""
    if isinstance(value, dict):
        return {k: expand_variables(v, environ, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_variables(v, environ, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str) or "$" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        raise MissingVariable(f"{where}: environment variable {name} is not set (and no ${{{name}:-default}} given)")

    return _VARIABLE.sub(replace, value)
