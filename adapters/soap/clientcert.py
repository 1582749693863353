"""Client certificates on the SOAP endpoint (mutual TLS) and who they say the caller is.

uvicorn checks the certificate against ``tls_client_ca_file`` during the handshake
(``ssl_cert_reqs=CERT_REQUIRED``), but gives the application no view of it. :class:`ClientCertProtocol`
is uvicorn's own httptools protocol plus one step: it puts the peer certificate's subject in each
request's scope as the ASGI TLS extension does (``scope["extensions"]["tls"]["client_cert_name"]``,
RFC 4514). :class:`CertificateCallers` maps that subject to the caller's name through the
``client_certificates`` allow-list; a subject on no entry is refused.
"""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from scoregate.core.auth import subject_attributes

# Names in Python's peercert dict -> the short names of RFC 4514 (what the allow-list is written in).
_SHORT = {
    "commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU", "countryName": "C",
    "localityName": "L", "stateOrProvinceName": "ST", "streetAddress": "STREET", "domainComponent": "DC", "userId": "UID",
}
_SPECIAL = set(',+"\\<>;=')


def _escape(value: str) -> str:
    out = "".join(f"\\{c}" if c in _SPECIAL else c for c in value)
    if out[:1] in ("#", " "):
        out = "\\" + out
    return out[:-1] + "\\ " if out.endswith(" ") else out


def subject_name(peercert: dict[str, Any] | None) -> str:
    """The subject of ``SSLSocket.getpeercert()`` as RFC 4514 (most specific first), "" without one."""
    if not peercert:
        return ""
    rdns = [
        "+".join(f"{_SHORT.get(name, name)}={_escape(value)}" for name, value in rdn)
        for rdn in reversed(peercert.get("subject", ()))
    ]
    return ",".join(rdns)


class ClientCertProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, plus the client certificate's subject in every request scope."""

    def connection_made(self, transport) -> None:  # noqa: ANN001 - asyncio's signature
        super().connection_made(transport)
        ssl_object: ssl.SSLObject | None = transport.get_extra_info("ssl_object")
        self._client_cert_name = subject_name(ssl_object.getpeercert()) if ssl_object is not None else ""

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope["extensions"] = {**self.scope.get("extensions", {}), "tls": {"client_cert_name": self._client_cert_name}}


class CertificateCallers:
    """Client certificate subject -> the caller's name, by the first allow-list entry it matches.

    An entry names some attributes (``CN=los,O=Bank``); a subject matches when it has each of them.
    Without entries every certificate the CA signed is let in, named by its subject.
    """

    def __init__(self, entries: Sequence[tuple[str, str]]) -> None:
        self._entries = [(subject_attributes(subject), caller) for subject, caller in entries]

    def caller(self, scope: dict) -> str | None:
        """The caller's name, or None when its certificate is not allowed (or there is none)."""
        subject = scope.get("extensions", {}).get("tls", {}).get("client_cert_name", "")
        if not subject:
            return None
        if not self._entries:
            return subject
        try:
            attributes = subject_attributes(subject)
        except ValueError:
            return None
        return next((caller for wanted, caller in self._entries if wanted <= attributes), None)
