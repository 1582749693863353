"""``scoregate core``: serve the models over gRPC (and KServe V2), write an access token, check health."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import click

from scoregate.app.paths import DEMO_MODELS_DIR
from scoregate.core import heap
from scoregate.core.settings import DEFAULT_METRICS_PORT


@click.group()
def core() -> None:
    """The scoring core (gRPC)."""


@core.command("serve")
@click.option("--address", default=None, help="host:port to listen on [env SCOREGATE_CORE_ADDRESS; 127.0.0.1:50051]")
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="directory of NAME/VERSION artifacts [env SCOREGATE_CORE_MODELS_DIR; the demo model]")
@click.option("--workers", type=int, default=None, help="scoring threads [1]")
@click.option("--max-batch-wait-ms", type=float, default=None, help="micro-batch wait [0]")
@click.option("--metrics-port", type=int, default=None,
              help=f"Prometheus /metrics port, 0 for a free one [none; containers use {DEFAULT_METRICS_PORT}]")
@click.option("--v2-http-port", type=int, default=None,
              help="KServe V2 over HTTP/REST on this port, 0 for a free one [none; V2 over gRPC is always on]")
@click.option("--tls-cert", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None)
@click.option("--tls-key", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None)
@click.option("--tls-client-ca", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="CA certificates of callers: every caller must present a certificate they signed (mutual TLS)")
@click.option("--access-file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="TOML list of allowed certificate subjects and token hashes, with their models (reloaded on change)")
@click.option("--processes", type=click.IntRange(min=1), default=1, show_default=True,
              help="core processes sharing the port (one GIL each; metrics on consecutive ports)")
def core_serve(  # noqa: PLR0913
    address, models_dir, workers, max_batch_wait_ms, metrics_port, v2_http_port, tls_cert, tls_key, tls_client_ca, access_file,  # noqa: ANN001
    processes,  # noqa: ANN001
) -> None:
    """Serve the models directory over gRPC until SIGINT or SIGTERM."""
    from pydantic import ValidationError

    from scoregate.app.runner import LISTENING, METRICS_LINE
    from scoregate.core.accessfile import AccessFileError, read_access_file
    from scoregate.core.server import CoreServer
    from scoregate.core.settings import CoreSettings

    given = {
        "address": address, "models_dir": models_dir, "workers": workers,
        "max_batch_wait_ms": max_batch_wait_ms, "metrics_port": metrics_port, "v2_http_port": v2_http_port,
        "tls_cert_file": tls_cert, "tls_key_file": tls_key,
        "tls_client_ca_file": tls_client_ca, "access_file": access_file,
    }
    overrides = {k: v for k, v in given.items() if v is not None}
    if "models_dir" not in overrides and "SCOREGATE_CORE_MODELS_DIR" not in os.environ:
        overrides["models_dir"] = DEMO_MODELS_DIR
    try:
        settings = CoreSettings(**overrides)
        if settings.access_file is not None:
            read_access_file(settings.access_file)
    except ValidationError as error:
        first = error.errors()[0]
        click.echo(f"error: core settings: {'.'.join(map(str, first['loc'])) or 'settings'}: {first['msg']}", err=True)
        sys.exit(2)
    except AccessFileError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if processes > 1 and settings.v2_http_port is not None:
        click.echo("error: --v2-http-port serves from one process: leave --processes at 1, or use V2 over gRPC", err=True)
        sys.exit(2)
    if processes > 1:
        from scoregate.app.runner import serve_core_processes

        sys.exit(serve_core_processes(settings, processes, logging.getLevelName(logging.getLogger().level).lower()))

    async def run() -> None:
        server = CoreServer(settings)
        port = await server.start()
        heap.settle()  # models and services loaded (core/heap.py)
        # The lines a supervisor (`scoregate up`, the benchmark) waits for.
        print(f"{LISTENING}{port}", flush=True)
        if server.metrics_port is not None:
            print(f"{METRICS_LINE}{server.metrics_port}", flush=True)
        if server.v2_http_port is not None:
            print(f"scoregate core V2 HTTP on port {server.v2_http_port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        logging.getLogger(__name__).info("stopping: finishing in-flight calls (%.1f s grace)", settings.grace_s)
        await server.stop()

    asyncio.run(run())


@core.command("token")
@click.option("--name", required=True, help="whose token it is (its name in the core's logs and metrics)")
@click.option("--model", "models", multiple=True, help="a model it may use (repeat; none: every model)")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="file to write the token into (created readable by its owner only; the caller's token_file)")
def core_token(name: str, models: tuple[str, ...], out: Path) -> None:
    """Write a new random bearer token to OUT and print the access file entry that allows it.

    Only the token's hash goes into the core's access file; the token itself stays in OUT.
    """
    import json
    import secrets

    from scoregate.core.auth import hash_token

    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        click.echo(f"error: {out} exists; give a new file for the token", err=True)
        sys.exit(2)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    lines = ["[[token]]", f"name = {json.dumps(name)}", f'sha256 = "{hash_token(token)}"']
    if models:
        lines.append(f"models = {json.dumps(list(models))}")
    click.echo("\n".join(lines))


@core.command("health")
@click.option("--address", default="127.0.0.1:50051", show_default=True, envvar="SCOREGATE_CORE_ADDRESS")
@click.option("--timeout", type=float, default=3.0, show_default=True)
@click.option("--tls-ca", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              envvar="SCOREGATE_CLIENT_TLS_CA_FILE", help="CA of a TLS core (its certificate must name ADDRESS)")
@click.option("--tls-cert", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              envvar="SCOREGATE_CLIENT_TLS_CERT_FILE", help="client certificate for a core that requires one")
@click.option("--tls-key", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              envvar="SCOREGATE_CLIENT_TLS_KEY_FILE")
def core_health(address: str, timeout: float, tls_ca: Path | None, tls_cert: Path | None, tls_key: Path | None) -> None:
    """Exit 0 if the core at ADDRESS reports SERVING on grpc.health.v1 (container health checks)."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from pydantic import ValidationError

    from scoregate.core.connection import open_channel
    from scoregate.core.settings import ClientSettings

    target = address.replace("0.0.0.0", "127.0.0.1").replace("[::]", "127.0.0.1")
    try:
        settings = ClientSettings(target=target, tls_ca_file=tls_ca, tls_cert_file=tls_cert, tls_key_file=tls_key)
    except ValidationError as error:
        raise click.ClickException(error.errors()[0]["msg"].removeprefix("Value error, ")) from None
    try:
        with open_channel(settings) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
    except grpc.RpcError as error:
        raise click.ClickException(f"core at {target}: {error.code().name}") from None
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    click.echo(f"core at {target}: {status}")
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        sys.exit(1)
