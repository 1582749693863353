"""The core's TLS credentials, read again when their files change: rotation without a restart.

gRPC asks :meth:`ReloadingCertificates.fetch` for the certificate configuration before each new
TLS handshake (``grpc.dynamic_ssl_server_credentials``); it answers ``None`` (keep the current
one) unless a file's modification time or size changed since the last read. Connections already
open keep the certificate they were made with; the next connection gets the new one.

A half-written rotation (a new certificate beside the old key) is not taken: the files are checked
with the standard library's ``ssl`` first, and until the files fit again the core keeps serving
the last good pair and logs once why it did not switch.
"""

from __future__ import annotations

import logging
import os
import ssl
import threading
from pathlib import Path

import grpc

log = logging.getLogger(__name__)


def file_stamp(path: Path) -> tuple[int, int]:
    """What tells a rewritten file from the one loaded (mtime and size); (-1, -1) when absent."""
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def _check_files(cert_file: Path, key_file: Path, client_ca_file: Path | None) -> None:
    """Raise ``ssl.SSLError`` or ``OSError`` unless the key belongs to the certificate and the CA file reads."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    if client_ca_file is not None:
        context.load_verify_locations(client_ca_file)


class ReloadingCertificates:
    """Server certificate, key and (for mutual TLS) client CA, as gRPC server credentials."""

    def __init__(self, cert_file: Path, key_file: Path, client_ca_file: Path | None = None) -> None:
        self.cert_file = cert_file
        self.key_file = key_file
        self.client_ca_file = client_ca_file
        self._lock = threading.Lock()  # gRPC may call fetch from several of its threads
        self._stamps = self._current_stamps()
        self._refused: tuple | None = None  # stamps of a rotation already reported as unusable
        self.reloads = 0
        _check_files(cert_file, key_file, client_ca_file)
        self._initial = self._configuration()

    def _current_stamps(self) -> tuple:
        return tuple(file_stamp(p) for p in (self.cert_file, self.key_file, self.client_ca_file) if p is not None)

    def _configuration(self) -> grpc.ServerCertificateConfiguration:
        ca = self.client_ca_file.read_bytes() if self.client_ca_file is not None else None
        return grpc.ssl_server_certificate_configuration(
            [(self.key_file.read_bytes(), self.cert_file.read_bytes())], root_certificates=ca
        )

    def credentials(self) -> grpc.ServerCredentials:
        """Credentials for ``add_secure_port``; client certificates required when a client CA is set."""
        return grpc.dynamic_ssl_server_credentials(
            self._initial, self.fetch, require_client_authentication=self.client_ca_file is not None
        )

    def fetch(self) -> grpc.ServerCertificateConfiguration | None:
        """Called by gRPC before a handshake: a new configuration when the files changed, else None."""
        stamps = self._current_stamps()
        if stamps == self._stamps or stamps == self._refused:
            return None
        with self._lock:
            if stamps == self._stamps:
                return None
            try:
                _check_files(self.cert_file, self.key_file, self.client_ca_file)
                configuration = self._configuration()
            except (OSError, ssl.SSLError, ValueError) as error:
                self._refused = stamps
                log.warning("TLS files changed but cannot be used (%s); still serving the previous certificate", error)
                return None
            self._stamps = stamps
            self.reloads += 1
            log.info("TLS certificate files reloaded (%s)", self.cert_file.name)
            return configuration
