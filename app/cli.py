"""The ``scoregate`` command.

click, not argparse: nested command groups (``core serve``, later ``gateway serve``, ``config
check``) with help text and environment fallbacks come with it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import click

from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr)


@click.group()
@click.option("--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning", "error"]))
def main(log_level: str) -> None:
    """scoregate: legacy SOAP, RabbitMQ and file callers scored by XGBoost over gRPC."""
    _setup_logging(log_level)


@main.group()
def core() -> None:
    """The scoring core (gRPC)."""


@core.command("serve")
@click.option("--address", default=None, help="host:port to listen on [env SCOREGATE_CORE_ADDRESS; 127.0.0.1:50051]")
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="directory of NAME/VERSION artifacts [env SCOREGATE_CORE_MODELS_DIR; the demo model]")
@click.option("--workers", type=int, default=None, help="scoring threads [1]")
@click.option("--max-batch-wait-ms", type=float, default=None, help="micro-batch wait [0]")
@click.option("--metrics-port", type=int, default=None, help="Prometheus /metrics port [none]")
@click.option("--tls-cert", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None)
@click.option("--tls-key", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None)
def core_serve(address, models_dir, workers, max_batch_wait_ms, metrics_port, tls_cert, tls_key) -> None:  # noqa: ANN001
    """Serve the models directory over gRPC until SIGINT or SIGTERM."""
    from scoregate.core.server import CoreServer
    from scoregate.core.settings import CoreSettings

    given = {
        "address": address, "models_dir": models_dir, "workers": workers,
        "max_batch_wait_ms": max_batch_wait_ms, "metrics_port": metrics_port, "tls_cert_file": tls_cert, "tls_key_file": tls_key,
    }
    overrides = {k: v for k, v in given.items() if v is not None}
    if "models_dir" not in overrides and "SCOREGATE_CORE_MODELS_DIR" not in os.environ:
        overrides["models_dir"] = DEMO_MODELS_DIR
    settings = CoreSettings(**overrides)

    async def run() -> None:
        server = CoreServer(settings)
        port = await server.start()
        # The line a supervisor (or the benchmark) waits for.
        print(f"scoregate core listening on port {port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        logging.getLogger(__name__).info("stopping: finishing in-flight calls (%.1f s grace)", settings.grace_s)
        await server.stop()

    asyncio.run(run())


@core.command("health")
@click.option("--address", default="127.0.0.1:50051", show_default=True, envvar="SCOREGATE_CORE_ADDRESS")
@click.option("--timeout", type=float, default=3.0, show_default=True)
def core_health(address: str, timeout: float) -> None:
    """Exit 0 if the core at ADDRESS reports SERVING on grpc.health.v1 (container health checks)."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    target = address.replace("0.0.0.0", "127.0.0.1").replace("[::]", "127.0.0.1")
    try:
        with grpc.insecure_channel(target) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
    except grpc.RpcError as error:
        raise click.ClickException(f"core at {target}: {error.code().name}") from None
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    click.echo(f"core at {target}: {status}")
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        sys.exit(1)


@main.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="models directory to write NAME/VERSION into")
@click.option("--name", default=DEMO_MODEL, show_default=True)
@click.option("--version", "version", default="1", show_default=True)
@click.option("--seed", type=int, default=None, help="data and training seed [the demo's]")
@click.option("--rows", type=int, default=None, help="synthetic rows [the demo's]")
def train(out: Path, name: str, version: str, seed: int | None, rows: int | None) -> None:
    """Train the demo credit-risk model on deterministic synthetic data."""
    from scoregate.core import train as training

    kwargs = {k: v for k, v in {"seed": seed, "rows": rows}.items() if v is not None}
    meta = training.train_demo(out / name / version, name=name, version=version, **kwargs)
    m = meta.metrics
    click.echo(f"wrote {out / name / version}")
    if m:
        click.echo(f"holdout: rows={m.rows} auc={m.auc:.3f} precision={m.precision:.3f} recall={m.recall:.3f} f1={m.f1:.3f}")


if __name__ == "__main__":
    main()
