"""Liveness and readiness of the gateway process over HTTP, for probes and operators.

``GET /healthz``: 200 while the process runs, whatever its dependencies do (liveness: a restart
would not bring the core back). ``GET /readyz``: 200 when every channel is ready, else 503; the
JSON body names each channel and, when not ready, what it is missing (core unreachable, broker
down, ...), or, when ready, a note (answering by the fallback model). The core's part comes from
the core probe (``core/probe.py``): asked of the core every half second, not remembered from the
last failed call, so readiness recovers by itself with no traffic. ``GET /readyz/<channel>``: the same for one channel, so that a
load balancer in front of SOAP does not drop a gateway because its broker is down. ``GET /metrics``: the gateway's Prometheus registry, when given;
with ``metrics_token`` only for ``Authorization: Bearer <token>`` (Prometheus' ``authorization.credentials_file``),
and on a port of its own when the gateway starts a second server with ``probes=False``. Served by the standard library's threading HTTP server: two fixed
routes do not need a framework, and probes must answer even when the event loop is busy.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from scoregate.adapters.channel import Channel
from scoregate.core.ports import PortInUse, is_in_use


def readiness(channels: Sequence[Channel], only: str | None = None) -> tuple[bool, dict[str, dict[str, object]]]:
    report = {}
    for channel in channels:
        if only is not None and channel.name != only:
            continue
        health = channel.health()
        entry: dict[str, object] = {"ready": health.ready}
        if health.detail:  # what is missing, or a note while ready (answering by fallback)
            entry["missing" if not health.ready else "note"] = health.detail
        report[channel.name] = entry
    return all(r["ready"] for r in report.values()), report


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, sent = header.partition(" ")
    return scheme.lower() == "bearer" and bool(token) and hmac.compare_digest(sent.strip().encode(), token.encode())


class HealthServer:
    """``/healthz`` and ``/readyz`` on ``host:port`` (port 0: a free one, in ``.port`` after start)."""

    def __init__(
        self, channels: Callable[[], Sequence[Channel]], host: str = "127.0.0.1", port: int = 0,
        registry: CollectorRegistry | None = None, *, probes: bool = True, metrics_token: Callable[[], str] | None = None,
        state: Callable[[], dict[str, str]] | None = None,
    ) -> None:
        """``state``: shared stores in trouble -> what is wrong, shown under ``"state"`` in ``/readyz``
        (a note: the channels answer without them, so readiness does not change)."""
        get_channels = channels

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if not probes and self.path != "/metrics":
                    status, body = 404, {"error": "not found"}
                elif self.path == "/healthz":
                    status, body = 200, {"live": True}
                elif self.path == "/readyz" or self.path.startswith("/readyz/"):
                    only = self.path.removeprefix("/readyz/") if self.path.startswith("/readyz/") else None
                    ready, report = readiness(get_channels(), only)
                    if only is not None and not report:
                        status, body = 404, {"error": f"no channel {only!r}"}
                    else:
                        status, body = (200 if ready else 503), {"ready": ready, "channels": report}
                        if state is not None and (notes := state()):
                            body["state"] = notes
                elif self.path == "/metrics" and registry is not None:
                    if metrics_token is not None and not _bearer_matches(self.headers.get("Authorization", ""), metrics_token()):
                        self._send(401, "application/json", b'{"error": "GET /metrics needs its bearer token"}')
                        return
                    self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
                    return
                else:
                    status, body = 404, {"error": "not found"}
                self._send(status, "application/json", json.dumps(body).encode())

            def _send(self, status: int, content_type: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:  # probes every few seconds: not worth a log line
                pass

        try:
            self._server = ThreadingHTTPServer((host, port), Handler)
        except OSError as error:
            if is_in_use(error):
                raise PortInUse(port, "the gateway's health and metrics port", "[health] port") from None
            raise
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="health", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
