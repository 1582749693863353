"""How a gRPC channel to the core is opened: one set of options for every client and the probe.

Reconnection is tuned for a core that restarts: gRPC's defaults back off up to 120 s between
connection attempts, so a gateway could stay cut off for minutes after its core came back (seen:
15 s, 7, 3, 1 s of failed calls). Here attempts are at most ``reconnect_backoff_max_s`` apart.
"""

from __future__ import annotations

import json

import grpc

from scoregate.core._generated import grpc_predict_v2_pb2 as v2
from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core.settings import ClientSettings

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Scoring"].full_name
V2_SERVICE_NAME = v2.DESCRIPTOR.services_by_name["GRPCInferenceService"].full_name
# Both protocols a client may speak (ClientSettings.protocol) retry alike.
_SERVICES = [{"service": SERVICE_NAME}, {"service": V2_SERVICE_NAME}]
# The first reconnection attempt after a failure; later ones double up to reconnect_backoff_max_s.
INITIAL_RECONNECT_BACKOFF_MS = 100


def _service_config(settings: ClientSettings) -> str:
    balancing = [{settings.load_balancing: {}}]
    if settings.retry_attempts < 2:  # gRPC requires >= 2 for a retry policy
        return json.dumps({"loadBalancingConfig": balancing, "methodConfig": [{"name": _SERVICES}]})
    return json.dumps(
        {
            "loadBalancingConfig": balancing,
            "methodConfig": [
                {
                    "name": _SERVICES,
                    "retryPolicy": {
                        "maxAttempts": settings.retry_attempts,
                        "initialBackoff": f"{settings.retry_initial_backoff_s}s",
                        "maxBackoff": f"{settings.retry_max_backoff_s}s",
                        "backoffMultiplier": 2,
                        # Scoring is a pure function of the request, so a retry is always safe.
                        "retryableStatusCodes": ["UNAVAILABLE", "CANCELLED"],
                    },
                }
            ]
        }
    )


def channel_options(settings: ClientSettings) -> list[tuple[str, object]]:
    """gRPC channel arguments: retry policy, message limits, reconnection backoff."""
    limit = settings.max_message_mb * 1024 * 1024
    max_backoff_ms = int(settings.reconnect_backoff_max_s * 1000)
    options: list[tuple[str, object]] = [
        ("grpc.service_config", _service_config(settings)),
        ("grpc.enable_retries", 1),
        ("grpc.max_receive_message_length", limit),
        ("grpc.max_send_message_length", limit),
        ("grpc.initial_reconnect_backoff_ms", min(INITIAL_RECONNECT_BACKOFF_MS, max_backoff_ms)),
        ("grpc.max_reconnect_backoff_ms", max_backoff_ms),
        # Despite its name, the shortest time one connection attempt is given (gRPC's
        # MIN_CONNECT_TIMEOUT, 20 s by default): bounds an attempt at an address that drops packets.
        ("grpc.min_reconnect_backoff_ms", int(settings.connect_timeout_s * 1000)),
    ]
    if settings.connections > 1:
        # Without a local pool, channels with the same target share one connection.
        options.append(("grpc.use_local_subchannel_pool", 1))
    return options


def _credentials(settings: ClientSettings) -> grpc.ChannelCredentials | None:
    if settings.tls_ca_file:
        # With tls_cert_file the client presents its certificate to a core that asks for one (mutual TLS).
        key, chain = (
            (settings.tls_key_file.read_bytes(), settings.tls_cert_file.read_bytes())
            if settings.tls_cert_file and settings.tls_key_file else (None, None)
        )
        return grpc.ssl_channel_credentials(settings.tls_ca_file.read_bytes(), key, chain)
    return None


def open_channel(settings: ClientSettings) -> grpc.Channel:
    """A blocking channel to ``settings.target``."""
    options, credentials = channel_options(settings), _credentials(settings)
    if credentials:
        return grpc.secure_channel(settings.target, credentials, options)
    return grpc.insecure_channel(settings.target, options)


def open_aio_channel(settings: ClientSettings) -> grpc.aio.Channel:
    """A grpc.aio channel to ``settings.target``; open it inside the event loop that uses it."""
    options, credentials = channel_options(settings), _credentials(settings)
    if credentials:
        return grpc.aio.secure_channel(settings.target, credentials, options)
    return grpc.aio.insecure_channel(settings.target, options)
