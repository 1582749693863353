"""Throwaway certificates for the TLS tests: one CA per test, files in the test's own directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class Issued:
    cert_file: Path
    key_file: Path
    subject: str
    """The subject as TLS stacks print it (RFC 4514, most specific attribute first)."""


class TestPki:
    """A CA whose certificate is in ``ca_file``; issues server and client certificates as files."""

    __test__ = False  # not a test class

    def __init__(self, directory: Path, name: str = "ca") -> None:
        self.directory = directory
        self.ca = trustme.CA()
        self.ca_file = directory / f"{name}.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self._name = name

    def issue(self, common_name: str, *identities: str) -> Issued:
        """A certificate for ``common_name`` (client or server: trustme allows both uses)."""
        cert = self.ca.issue_cert(*(identities or (common_name,)), common_name=common_name)
        stem = self.directory / f"{self._name}-{common_name}"
        cert_file, key_file = stem.with_suffix(".crt"), stem.with_suffix(".key")
        cert.cert_chain_pems[0].write_to_path(str(cert_file))
        cert.private_key_pem.write_to_path(str(key_file))
        from cryptography import x509

        subject = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).subject.rfc4514_string()
        return Issued(cert_file, key_file, subject)

    def server(self) -> Issued:
        return self.issue("localhost", "localhost", "127.0.0.1")
