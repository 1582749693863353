"""The core's access file (TOML): the callers allowed and the models each may use.

```toml
[[subject]]                      # a client certificate (mutual TLS)
name = "CN=gateway-a"            # attributes its subject must have (RFC 4514)
models = ["credit-risk"]         # omitted: every model

[[token]]                        # a bearer token
name = "risk-tool"               # whose it is: in logs and as the metrics' caller label
sha256 = "9f86d0..."             # hex SHA-256 of the token (scoregate core token)

[jwt]                            # bearer tokens that are JWTs signed by an identity provider
public_key_file = "idp.pem"      # its PEM public key; relative to this file's folder
algorithms = ["RS256"]           # the ones it signs with (asymmetric only)
issuer = "https://idp.bank"      # optional: the iss every token must have
audience = "scoregate-core"      # optional: the aud every token must have
models_claim = "models"          # the claim listing the models a token may use (absent: every model)
```

Read by :class:`scoregate.core.auth.AccessPolicy` at start and whenever it changes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from scoregate.core.jwt_tokens import JwtVerifier


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


class JwtSection(BaseModel):
    """JWT bearer tokens (``core/jwt_tokens.py``): verified with a public key, no list of tokens."""

    model_config = ConfigDict(extra="forbid")

    public_key_file: Path
    """PEM public key (RSA, EC or Ed25519) of the identity provider; read again when it changes."""
    algorithms: list[Literal["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]] = Field(
        min_length=1)
    """The algorithms the provider signs with; a token signed otherwise is refused."""
    issuer: str | None = None
    """The ``iss`` every token must carry; None: not checked."""
    audience: str | None = None
    """The ``aud`` every token must carry; None: not checked (then a token with an ``aud`` is refused)."""
    models_claim: str = "models"
    """The claim listing the models a token may use; a token without it may use every model."""
    leeway_s: float = Field(default=30.0, ge=0, le=300)
    """Clock skew allowed on ``exp`` and ``nbf``."""
    name: str = Field(default="jwt", min_length=1)
    """These callers' label in the metrics (their subjects, unbounded, go to logs and the audit)."""


class AccessFile(BaseModel):
    """The access file (TOML): ``[[subject]]`` and ``[[token]]`` entries, a ``[jwt]`` section."""

    model_config = ConfigDict(extra="forbid")

    subject: list[SubjectEntry] = []
    token: list[TokenEntry] = []
    jwt: JwtSection | None = None
    _verifier: JwtVerifier | None = PrivateAttr(default=None)

    @property
    def verifier(self) -> JwtVerifier | None:
        return self._verifier


def read_access_file(path: Path) -> AccessFile:
    try:
        data = tomllib.loads(path.read_text())
        access = AccessFile.model_validate(data)
        for entry in access.subject:
            subject_attributes(entry.name)
        if access.jwt is not None:
            section = access.jwt
            key_file = path.parent / section.public_key_file
            access.jwt = section.model_copy(update={"public_key_file": key_file})
            try:
                key = key_file.read_bytes()
            except OSError as error:
                raise AccessFileError(f"{path}: jwt.public_key_file: cannot read {key_file}: {error.strerror or error}") from None
            access._verifier = JwtVerifier(
                key, section.algorithms, issuer=section.issuer, audience=section.audience,
                models_claim=section.models_claim, leeway_s=section.leeway_s, label=section.name,
            )
    except AccessFileError:
        raise
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
