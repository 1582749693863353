"""WS-Security UsernameToken check (OASIS UsernameToken Profile 1.0/1.1) on the server side.

zeep only creates tokens (its ``UsernameToken.verify`` is a no-op), so the check is written here:
PasswordText compared as is, PasswordDigest as ``Base64(SHA-1(nonce + created + password))``, both
with ``hmac.compare_digest``; ``Created`` must fall within a freshness window, and a nonce is
accepted once within that window.

The replay cache lives in this process unless ``nonce_store`` names a file that the worker
processes of the host share (``nonces.py``); without it, a nonce could be replayed once per worker.
With ``[state] redis`` in the gateway file the replicas share it as well
(``adapters/state/redis_nonces.py``), the local one still recording every nonce.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from lxml import etree

from scoregate.adapters.soap.config import SecurityConfig
from scoregate.adapters.soap.faults import FaultCode, SoapFault
from scoregate.adapters.soap.nonces import SharedReplayCache

log = logging.getLogger(__name__)

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = f"{_PROFILE}#PasswordText"
PASSWORD_DIGEST = f"{_PROFILE}#PasswordDigest"
SECURITY_HEADER = f"{{{WSSE}}}Security"
#: The WS-Security fault codes (SOAP 1.1 faultcode, SOAP 1.2 subcode of Sender).
FAILED_AUTHENTICATION = f"{{{WSSE}}}FailedAuthentication"
INVALID_SECURITY = f"{{{WSSE}}}InvalidSecurity"
# One sentence for every failure: telling a caller which part was wrong helps an attacker more.
_REASON = "The security token could not be authenticated or authorized"


class NonceCache(Protocol):
    def first_use(self, nonce: bytes) -> bool: ...


class ReplayCache:
    """Nonces seen within the freshness window, oldest first; bounded in time and in size."""

    def __init__(self, ttl_s: float, max_entries: int, clock=time.monotonic) -> None:  # noqa: ANN001
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def first_use(self, nonce: bytes) -> bool:
        """Record ``nonce``; False if it was already used within the window."""
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.popitem(last=False)
        if nonce in self._seen:
            return False
        if len(self._seen) >= self.max_entries:
            # Evicting a live nonce reopens it to replay; log so the size can be raised.
            log.warning("nonce cache full (%d): evicting the oldest live nonce", self.max_entries)
            self._seen.popitem(last=False)
        self._seen[nonce] = now + self.ttl_s
        return True


def _fail(reason: str, code: str = FAILED_AUTHENTICATION) -> SoapFault:
    log.info("WS-Security rejected: %s", reason)  # the reason goes to the log only
    return SoapFault(FaultCode.CLIENT, _REASON, subcode=code)


def _created_at(text: str) -> float:
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp()


class UsernameTokenPolicy:
    """Checks the ``wsse:Security`` header of each request against configured credentials."""

    def __init__(self, config: SecurityConfig, clock=time.time, shared: Callable[[NonceCache], NonceCache] | None = None) -> None:  # noqa: ANN001
        """``shared``: wraps the local nonce cache in one the replicas share (Redis)."""
        self.config = config
        self._clock = clock
        self._passwords = {c.username: c.secret(os.environ) for c in config.credentials}
        self._files = {c.username: c for c in config.credentials if c.password_file is not None}
        local: NonceCache = (
            SharedReplayCache(config.nonce_store, 2 * config.max_skew_s) if config.nonce_store
            else ReplayCache(2 * config.max_skew_s, config.nonce_cache_size)
        )
        self._nonces = shared(local) if shared is not None else local

    def check(self, header: etree._Element | None) -> str:
        """The authenticated user name; raises SoapFault (Client/Sender) for anything else."""
        security = header.find(SECURITY_HEADER) if header is not None else None
        token = security.find(f"{{{WSSE}}}UsernameToken") if security is not None else None
        if token is None:
            raise _fail("no wsse:Security/UsernameToken", INVALID_SECURITY)
        username = (token.findtext(f"{{{WSSE}}}Username") or "").strip()
        password_el = token.find(f"{{{WSSE}}}Password")
        if password_el is None:
            raise _fail("no Password", INVALID_SECURITY)
        kind = password_el.get("Type", PASSWORD_TEXT)
        sent = (password_el.text or "").strip()
        nonce_text = token.findtext(f"{{{WSSE}}}Nonce")
        created = token.findtext(f"{{{WSU}}}Created")
        now = self._clock()
        self._check_timestamp(security, now)
        if created is not None:
            try:
                age = now - _created_at(created)
            except ValueError:
                raise _fail(f"unreadable Created {created!r}", INVALID_SECURITY) from None
            if abs(age) > self.config.max_skew_s:
                raise _fail(f"Created {created} is outside the {self.config.max_skew_s:.0f} s window")
        try:
            nonce = base64.b64decode(nonce_text.strip(), validate=True) if nonce_text else None
        except (binascii.Error, ValueError):
            raise _fail("Nonce is not base64", INVALID_SECURITY) from None
        expected = self._files[username].secret(os.environ) if username in self._files else self._passwords.get(username)
        if kind == PASSWORD_DIGEST:
            if nonce is None or created is None:
                raise _fail("PasswordDigest without Nonce and Created", INVALID_SECURITY)
            secret = expected or ""
            digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + secret.encode()).digest()).decode()
            ok = hmac.compare_digest(digest, sent)
        elif kind == PASSWORD_TEXT:
            if not self.config.allow_password_text:
                raise _fail("PasswordText is not accepted here")
            ok = hmac.compare_digest((expected or "").encode(), sent.encode())
        else:
            raise _fail(f"unknown password type {kind!r}", INVALID_SECURITY)
        if expected is None or not ok:
            raise _fail(f"wrong user name or password for {username!r}")
        if nonce is not None and not self._nonces.first_use(nonce):
            raise _fail(f"replayed nonce from {username!r}")
        return username

    def _check_timestamp(self, security: etree._Element, now: float) -> None:
        expires = security.findtext(f"{{{WSU}}}Timestamp/{{{WSU}}}Expires")
        if expires is None:
            return
        try:
            expired = _created_at(expires) + self.config.max_skew_s < now
        except ValueError:
            raise _fail(f"unreadable Expires {expires!r}", INVALID_SECURITY) from None
        if expired:
            raise _fail(f"message expired at {expires}")
