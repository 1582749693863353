"""Bearer tokens that are JWTs, signed by an identity provider whose public key the core is given.

An alternative to listing each token's hash in the access file: the ``[jwt]`` section names a PEM
public key (RSA, EC or Ed25519), the algorithms it signs with, and optionally the issuer and
audience a token must carry. A token verified with it is a caller whose subject is the ``sub``
claim (into log lines and the audit as the caller's identity) and whose models are the list in
``models_claim`` (absent: every model, as an access-file entry without ``models``).

PyJWT does the verification (signature, ``exp``/``nbf``/``iat`` with ``leeway_s``, ``iss``,
``aud``, the algorithm pinned to the configured ones so that a token cannot pick ``none`` or HMAC
with the public key as secret): JWT's pitfalls are the reason not to write this by hand.
Verified tokens are kept (bounded) so that a gateway sending the same token with every call pays
the signature check once; the time claims are checked again at every call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from scoregate.core.errors import Unauthenticated

_CACHE = 1024


@dataclass(frozen=True)
class VerifiedToken:
    subject: str
    models: frozenset[str] | None
    expires: float | None
    not_before: float | None


class JwtVerifier:
    """Checks JWT bearer tokens against one public key."""

    def __init__(self, public_key: bytes, algorithms: list[str], *, issuer: str | None = None, audience: str | None = None,
                 models_claim: str = "models", leeway_s: float = 30.0, label: str = "jwt") -> None:
        try:
            self._key = load_pem_public_key(public_key)
        except (ValueError, UnsupportedAlgorithm) as error:
            raise ValueError(f"the JWT public key does not load: {error}") from None
        self.algorithms = list(algorithms)
        self.issuer = issuer
        self.audience = audience
        self.models_claim = models_claim
        self.leeway_s = leeway_s
        self.label = label
        """The bounded name of these callers in metrics (subjects are unbounded)."""
        self._verified: dict[str, VerifiedToken] = {}

    @staticmethod
    def looks_like_jwt(token: str) -> bool:
        return token.count(".") == 2

    def verify(self, token: str) -> VerifiedToken:
        """The token's subject and models, or raise Unauthenticated saying why it is refused."""
        known = self._verified.get(token)
        if known is not None:
            self._check_times(known)
            return known
        required = ["exp", "sub"] + (["iss"] if self.issuer else []) + (["aud"] if self.audience else [])
        try:
            claims = jwt.decode(
                token, self._key, algorithms=self.algorithms, issuer=self.issuer, audience=self.audience,
                leeway=self.leeway_s, options={"require": required},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the bearer token (JWT) has expired") from None
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the bearer token (JWT) is not accepted: {error}") from None
        models = claims.get(self.models_claim)
        if models is not None and (not isinstance(models, list) or not all(isinstance(m, str) for m in models)):
            raise Unauthenticated(f"the bearer token (JWT) has a {self.models_claim!r} claim that is not a list of model names")
        verified = VerifiedToken(
            str(claims["sub"]), frozenset(models) if models is not None else None,
            _number(claims.get("exp")), _number(claims.get("nbf")),
        )
        if len(self._verified) >= _CACHE:
            self._verified.clear()
        self._verified[token] = verified
        return verified

    def _check_times(self, token: VerifiedToken) -> None:
        now = time.time()
        if token.expires is not None and now > token.expires + self.leeway_s:
            raise Unauthenticated("the bearer token (JWT) has expired")
        if token.not_before is not None and now < token.not_before - self.leeway_s:
            raise Unauthenticated("the bearer token (JWT) is not yet valid")


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
