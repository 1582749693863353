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


class ConfigFileError(ValueError):
    """A configuration file that cannot be read or parsed; the message is one line naming the file
    (and the line and column of a syntax error)."""


class MissingVariable(ConfigFileError):
    """A ``${NAME}`` whose variable is not set and has no default."""


# tomllib says "... (at line 3, column 7)" (no attributes for it before Python 3.14).
_TOML_POSITION = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def _parse(path: Path, text: str) -> Any:
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        if path.suffix in (".yaml", ".yml"):
            return yaml.safe_load(text) or {}
        return json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.match(str(exc))
        where = f"{found['line']}:{found['col']}: {found['msg']}" if found else str(exc)
        raise ConfigFileError(f"{path}:{where} (TOML syntax)") from None
    except json.JSONDecodeError as exc:
        raise ConfigFileError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg} (JSON syntax)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}: " if mark else " "
        raise ConfigFileError(f"{path}:{where}{getattr(exc, 'problem', None) or exc} (YAML syntax)") from None


def read_config_file(path: Path | str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The file's content as a dict, ``${NAME}`` expanded; raises ConfigFileError in one line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigFileError(f"{path}: is a directory, not a configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: cannot be read: {exc}") from None
    data = _parse(path, text)
    if not isinstance(data, dict):
        raise ConfigFileError(f"{path}: holds a {type(data).__name__}, not a table of keys")
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
