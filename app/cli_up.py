"""``scoregate up``: the core and every channel on the embedded default, and what to try next.

Everything it prints runs as printed in a fresh shell from the same folder: commands start with
this very ``scoregate`` (``scoregate`` when that is the one on PATH, else its path, e.g.
``.venv/bin/scoregate`` after the README's install), sample requests are copied into the working
folder instead of pointing into the installed package, and the core's address and metrics are
recorded there (``upstate.py``) so that ``files process``, ``amqp request`` and ``drift`` need no
flags.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import click

from scoregate.app import upstate
from scoregate.adapters.registry import Banner

def shell_command() -> str:
    """How a fresh shell in the current folder runs this scoregate."""
    here = Path(sys.executable).parent / "scoregate"
    if not here.exists():
        return f"{shlex.quote(sys.executable)} -m scoregate.app.cli"
    on_path = shutil.which("scoregate")
    if on_path and Path(on_path).resolve() == here.resolve():
        return "scoregate"
    return shlex.quote(Banner().path(here))


def run_up(
    config_file: Path, workdir: Path, grace: float, load_config: Callable, building: Callable[[], AbstractContextManager],
    banner: Callable,
) -> None:
    """Start the core process and the gateway; record where they listen; clean up on the way out.
    ``building()`` guards the reading of the channels' files (their errors in one line each)."""
    from scoregate.app.gateway import Gateway
    from scoregate.app.runner import CoreProcess, run_gateway

    config = load_config(config_file)
    workdir.mkdir(parents=True, exist_ok=True)
    workdir = workdir.resolve()
    models = config.path(config.core.models_dir) if config.core.models_dir else None
    # A metrics port always, a free one unless configured: `scoregate drift` reads it from the state file.
    metrics_port = config.core.metrics_port if config.core.metrics_port is not None else 0
    core_process = CoreProcess(config.core.address, models, metrics_port)
    try:
        click.echo(f"scoring core listening on 127.0.0.1:{core_process.port}, metrics on "
                   f"http://127.0.0.1:{core_process.metrics_port}/metrics")
        sys.stdout.flush()
        # `up` ran the checks of `config check` before starting the core: building need not repeat them.
        gateway = Gateway(config, config.client_settings(target=f"127.0.0.1:{core_process.port}"), workdir, checked=True)
        with building():
            gateway.build()

        def started(gw: Gateway) -> None:
            health = gw.health_server
            amqp = next((c for c in gw.channels if c.name == "amqp"), None)
            upstate.write(workdir, upstate.UpState(
                pid=os.getpid(), core=f"127.0.0.1:{core_process.port}",
                core_metrics=f"http://127.0.0.1:{core_process.metrics_port}/metrics",
                health=f"http://{config.health.host}:{health.port}/readyz" if health is not None else None,
                amqp_url=upstate.without_secret(amqp.config.url) if amqp is not None else None,
            ))
            banner(gw, workdir)

        try:
            run_gateway(gateway, grace, started)
        finally:
            upstate.remove(workdir)
    finally:
        core_process.stop(grace)
