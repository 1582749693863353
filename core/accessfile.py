"""The core's access file (TOML): the callers allowed and the models each may use.

```toml
[[subject]]                      # a client certificate (mutual TLS)
name = "CN=gateway-a"            # attributes its subject must have (RFC 4514)
models = ["credit-risk"]         # omitted: every model

[[token]]                        # a bearer token
name = "risk-tool"               # whose it is: in logs and as the metrics' caller label
sha256 = "9f86d0..."             # hex SHA-256 of the token (scoregate core token)
```

Read by :class:`scoregate.core.auth.AccessPolicy` at start and whenever it changes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


_DN_SPLIT = re.compile(r"(?<!\\)[,+]")


def subject_attributes(dn: str) -> frozenset[tuple[str, str]]:
    """``CN=a,O=B\\, Inc`` -> {("CN", "a"), ("O", "B, Inc")} (RFC 4514 string, escapes undone)."""
    pairs = set()
    for part in _DN_SPLIT.split(dn):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"not a distinguished name: {dn!r} (expected e.g. CN=gateway-a)")
        pairs.add((key.strip().upper(), re.sub(r"\\(.)", r"\1", value.strip())))
    return frozenset(pairs)


class AccessFileError(ValueError):
    """An access file that cannot be read; the message names the file and the key."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    """Who this is: in log lines and as the ``caller`` label of the core's metrics."""
    models: list[str] | None = None
    """Models this caller may use; omitted: every model."""


class SubjectEntry(_Entry):
    """A certificate subject allowed to call: ``name`` is a distinguished name, e.g. ``CN=gateway-a``."""


class TokenEntry(_Entry):
    """A bearer token allowed to call: ``name`` says whose it is."""

    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    """Hex SHA-256 of the token (``scoregate core token`` prints a new token and its hash)."""


class AccessFile(BaseModel):
    """The access file (TOML): ``[[subject]]`` and ``[[token]]`` entries."""

    model_config = ConfigDict(extra="forbid")

    subject: list[SubjectEntry] = []
    token: list[TokenEntry] = []


def read_access_file(path: Path) -> AccessFile:
    try:
        data = tomllib.loads(path.read_text())
        access = AccessFile.model_validate(data)
        for entry in access.subject:
            subject_attributes(entry.name)
    except OSError as error:
        raise AccessFileError(f"{path}: cannot read the access file: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise AccessFileError(f"{path}: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise AccessFileError(f"{path}: {where}: {first['msg']}") from None
    except ValueError as error:
        raise AccessFileError(f"{path}: {error}") from None
    return access
