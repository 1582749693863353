"""The ``scoregate`` command.

click, not argparse: nested command groups (``core serve``, later ``gateway serve``, ``config
check``) with help text and environment fallbacks come with it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from scoregate.app.cli_audit import audit
from scoregate.app.cli_core import core
from scoregate.app.cli_errors import ConfigProblem, OneLineErrors
from scoregate.app.cli_files import show as show_file
from scoregate.app.cli_drift import drift
from scoregate.app.cli_models import models
from scoregate.app.cli_outcomes import outcomes
from scoregate.app.cli_scaffold import scaffold_group
from scoregate.app.cli_state import state
from scoregate.app.logs import FORMATS, setup_logging
from scoregate.app.paths import DEMO_MODEL
from scoregate.app.upstate import DEFAULT_WORKDIR


@click.group(cls=OneLineErrors)
@click.version_option(package_name="scoregate", message="%(prog)s %(version)s")
@click.option("--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--log-format", default="auto", show_default=True, type=click.Choice(FORMATS), envvar="SCOREGATE_LOG_FORMAT",
              help="json lines, plain text, or auto: text on a terminal, else JSON [env SCOREGATE_LOG_FORMAT]")
def main(log_level: str, log_format: str) -> None:
    """scoregate: legacy SOAP, RabbitMQ and file callers scored by XGBoost over gRPC."""
    setup_logging(log_level, log_format)


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


def _banner(gateway, workdir: Path | None = None) -> None:  # noqa: ANN001 - app.gateway.Gateway
    """Where each channel listens, and one call to try it with (each channel's ``describe``), runnable
    as printed in a fresh shell from this folder; ``workdir``: where sample requests are copied."""
    from scoregate.adapters.registry import Banner
    from scoregate.app.cli_up import shell_command

    banner = Banner(shell_command(), workdir)
    lines = ["", "scoregate is up. Try each channel:"]
    if gateway.health_server is not None:
        lines.append(f"  HEALTH http://{gateway.config.health.host}:{gateway.health_server.port}/readyz")
    for channel in gateway.channels:
        health = channel.health()
        state = "ready" if health.ready else f"not ready: {health.detail}"
        first, *more = gateway.describe(channel, banner)
        lines.append(f"  {channel.name.upper():<6} {first}  ({state})")
        lines += [f"         {line}" for line in more]
    click.echo("\n".join(lines) + "\n\nCtrl-C stops (in-flight work finishes first).")
    sys.stdout.flush()  # a supervisor or a pipe reads this while we keep running


@contextlib.contextmanager
def _refuse_bad_config(config_file: Path, building: bool = False) -> Iterator[None]:
    """A configuration file or channel file that does not load stops the command in its own lines
    (``building``: the channels' files are being read, so a key error is a channel file's)."""
    from pydantic import ValidationError

    from scoregate.adapters.configfile import ConfigFileError
    from scoregate.app.config import format_errors

    try:
        yield
    except ValidationError as error:
        prefix = f"a channel file of {config_file} (scoregate config check names it): " if building else f"{config_file}: "
        raise ConfigProblem("\n".join(format_errors(error, prefix))) from None
    except ConfigFileError as error:
        raise ConfigProblem(str(error)) from None
    except ValueError as error:  # a contract that does not load, a mapping that does not fit it
        if not building:
            raise
        raise ConfigProblem(str(error)) from None


def _load_config(file: Path):  # noqa: ANN202 - app.config.GatewayConfig
    """The gateway file, or one line per error naming the file and the key."""
    from scoregate.app.config import GatewayConfig

    with _refuse_bad_config(file):
        return GatewayConfig.load(file)


def _refuse_problems(file: Path, lookup_of):  # noqa: ANN001, ANN202 - GatewayConfig -> ModelLookup; GatewayConfig
    """The gateway file once every check of ``config check`` passes on it and its channel files
    (models looked up by ``lookup_of(config)``); else all their lines at once, exit code 2."""
    from scoregate.app.config_check import gateway_problems

    config = _load_config(file)
    if problems := gateway_problems(config, file, lookup_of(config)):
        raise ConfigProblem("\n".join(problems))
    return config


@main.command()
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="gateway configuration [the embedded default]")
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_WORKDIR,
              show_default=True, help="where the drop directories, the ledger, the audit and the samples live")
@click.option("--grace", type=float, default=10.0, show_default=True, help="seconds in-flight work gets on stop")
def up(config_file: Path | None, workdir: Path, grace: float) -> None:
    """Start the scoring core and every channel on the embedded default (demo model and contracts)."""
    from scoregate.app.cli_up import run_up
    from scoregate.app.paths import DEFAULT_GATEWAY_CONFIG

    from scoregate.app.config_check import model_lookup

    config_file = config_file or DEFAULT_GATEWAY_CONFIG
    # The checks of `config check`, against the models the core will serve, before it starts.
    _refuse_problems(config_file, lambda config: model_lookup(config, None, None))
    run_up(config_file, workdir, grace, _load_config, lambda: _refuse_bad_config(config_file, building=True), _banner)


@main.group()
def gateway() -> None:
    """The gateway (legacy channels) on its own, calling a core elsewhere."""


@gateway.command("serve")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True)
@click.option("--grace", type=float, default=10.0, show_default=True)
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              help="where relative state paths go: drop folders, ledger, audit [the current directory]")
def gateway_serve(config_file: Path, grace: float, workdir: Path) -> None:
    """Run the configured channels against the core named in the file (or SCOREGATE_CLIENT_TARGET)."""
    from scoregate.app.gateway import CoreModels, Gateway
    from scoregate.app.runner import run_gateway

    # The checks of `config check`, models described by the core (unchecked while it does not answer).
    config = _refuse_problems(config_file, lambda config: CoreModels(_client_settings_or_default(config)))
    workdir.mkdir(parents=True, exist_ok=True)
    # State is the process's, never the config's folder (inside the package for the embedded default).
    gw = Gateway(config, config.client_settings(), workdir.resolve(), checked=True)
    with _refuse_bad_config(config_file, building=True):
        gw.build()
    run_gateway(gw, grace, _banner)


def _client_settings_or_default(config):  # noqa: ANN001, ANN202 - GatewayConfig -> ClientSettings
    """The gateway file's client settings; the defaults while ``[client]`` is wrong (reported apart)."""
    from pydantic import ValidationError

    from scoregate.core.settings import ClientSettings

    try:
        return config.client_settings()
    except ValidationError:
        return ClientSettings()


@main.group("config")
def config_group() -> None:
    """Configuration files."""


@config_group.command("check")
@click.argument("config_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="check mappings against these models [the file's core.models_dir, else the demo models]")
@click.option("--core", "target", default=None, metavar="HOST:PORT", help="check mappings against a running core instead")
def config_check(config_file: Path, models_dir: Path | None, target: str | None) -> None:
    """Validate a gateway configuration and every channel file it names, and each mapping against its
    model (exists, every required feature mapped, kinds and codes fit); list every error."""
    from scoregate.app.config_check import model_lookup

    config = _refuse_problems(config_file, lambda config: model_lookup(config, models_dir, target))
    click.echo(f"{config_file}: ok ({', '.join(config.channels) or 'no channels'})")


@config_group.command("schema")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("docs/schema"),
              show_default=True, help="where the JSON Schemas go")
@click.option("--keys-out", "keys_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("docs/configuration"), show_default=True, help="where the key reference pages go")
def config_schema(out_dir: Path, keys_dir: Path) -> None:
    """JSON Schemas of the gateway file and of each channel's file (for editors), and the key reference pages."""
    from scoregate.app.config_schema import write_key_docs, write_schemas

    for path in [*write_schemas(out_dir), *write_key_docs(keys_dir)]:
        click.echo(path)


@main.group()
def amqp() -> None:
    """The RabbitMQ channel, from a producer's side."""


@amqp.command("request")
@click.argument("queue")
@click.argument("payload", type=click.File("rb"), default="-")
@click.option("--url", default=None, help="broker [the one of `scoregate up` run from here, else amqp://guest:guest@127.0.0.1:5672/%2F]")
@click.option("--content-type", default=None, help="[from the payload]")
@click.option("--timeout", type=float, default=10.0, show_default=True)
@click.option("--reply-queue", default=None, help="a named reply queue [direct reply-to]")
@click.option("--message-id", default=None)
@click.option("--expiration-ms", type=int, default=None)
def amqp_request(queue, payload, url, content_type, timeout, reply_queue, message_id, expiration_ms) -> None:  # noqa: ANN001
    """Publish PAYLOAD (a file, or - for stdin) to QUEUE with reply_to, wait for the reply, print it."""
    import pika.exceptions

    from scoregate.adapters.amqp.config import DEFAULT_URL
    from scoregate.adapters.amqp.reasons import broker_reason
    from scoregate.adapters.amqp.request import NoSuchQueue, send_request
    from scoregate.app import upstate

    running = upstate.read()
    url = url or (running.amqp_url if running and running.amqp_url else DEFAULT_URL)
    try:
        reply = send_request(
            queue, payload.read(), url=url, content_type=content_type, timeout_s=timeout,
            reply_queue=reply_queue, message_id=message_id, expiration_ms=expiration_ms,
        )
    except NoSuchQueue as error:
        raise click.ClickException(str(error)) from None
    except TimeoutError:
        raise click.ClickException(f"no reply within {timeout} s") from None
    except (pika.exceptions.AMQPError, OSError) as error:
        where = url.rsplit("@", 1)[-1].removeprefix("amqp://").removeprefix("amqps://")
        raise click.ClickException(f"cannot reach the broker at {where}: {broker_reason(error)}") from None
    status = reply.headers.get("x-scoregate-status", "")
    if status:
        click.echo(f"status: {status}", err=True)
    click.echo(reply.body.decode("utf-8", errors="replace"))


@main.group()
def files() -> None:
    """The drop-directory file channel, by hand."""


@files.command("process")
@click.argument("input_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--job", "job_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="file job configuration (layouts, mapping) [the demo job]")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="where the response and reject files go")
@click.option("--core", "target", default=None,
              help="core address [SCOREGATE_CLIENT_TARGET, else the core of `scoregate up` run from here, else 127.0.0.1:50051]")
def files_process(input_file: Path, job_file: Path | None, out_dir: Path, target: str | None) -> None:
    """Score one record file with the watcher's code path; the input is only read."""
    from scoregate.adapters.files.config import FileJobConfig
    from scoregate.adapters.files.job import process_file
    from scoregate.adapters.mapping_check import check_config
    from scoregate.adapters.placeholders import find_placeholders, unresolved
    from scoregate.app.config_check import core_lookup
    from scoregate.app.paths import DEFAULTS_DIR
    from scoregate.core.client import ScoringClient
    from scoregate.core.errors import ScoreError
    from scoregate.core.settings import ClientSettings

    from scoregate.app import upstate

    job_file = job_file or DEFAULTS_DIR / "files" / "loans.toml"
    running = upstate.read()
    if target is None and "SCOREGATE_CLIENT_TARGET" not in os.environ and running is not None:
        target = running.core
    settings = ClientSettings(**({"target": target} if target else {}))
    # The job's checks of `config check` (its model asked of the core), before a record is read.
    with _refuse_bad_config(job_file):
        problems = unresolved([], find_placeholders(job_file), job_file)
        if not problems:
            config = FileJobConfig.load(job_file)
            problems = [f"{job_file}: {p}" for p in check_config(config, core_lookup(settings.target))]
    if problems:
        raise ConfigProblem("\n".join(problems))
    out_dir.mkdir(parents=True, exist_ok=True)
    size = input_file.stat().st_size
    with ScoringClient(settings) as client, click.progressbar(length=size, label=input_file.name, file=sys.stderr) as bar:
        try:
            summary = process_file(input_file, config, client, out_dir, progress=bar.update)
        except ScoreError as error:
            raise click.ClickException(f"not processed, try again later: {error.message}") from None
    click.echo(f"{summary.outcome}: {summary.records} records, {summary.scored} scored, {summary.rejected} rejected"
               f" in {summary.seconds:.1f} s")
    for path in (summary.response, summary.rejects):
        if path:
            click.echo(f"  {path}")
    if summary.reason:
        raise click.ClickException(summary.reason)


@files.command("demo")
@click.option("--records", type=int, default=1000, show_default=True)
@click.option("--out", "inbox", type=click.Path(path_type=Path, file_okay=False), required=True, help="the inbox to drop into")
@click.option("--outcomes", is_flag=True,
              help="drop the outcome file of the applications of earlier demo files instead (for the outcome job's inbox)")
def files_demo(records: int, inbox: Path, outcomes: bool) -> None:
    """Drop a demo request file (EBCDIC, packed decimals, header and trailer) as a transfer would.

    With --outcomes: what became of the first RECORDS applications of the demo files (each demo
    file carries the same applications), drawn by the demo data's own label process, as the loan
    system's outcome file (app/defaults/outcomes/OUTCOME.cpy).
    """
    from scoregate.adapters.files.demo import drop_demo_file, write_demo_file

    if not outcomes:
        demo = drop_demo_file(inbox, records)
        click.echo(f"dropped {demo.path} ({demo.records} records) and its done file")
        return
    import tempfile

    from scoregate.adapters.outcome_files.demo import drop_outcome_file
    from scoregate.core.train import SCHEMA

    with tempfile.TemporaryDirectory() as folder:  # the applications again, to know their labels
        demo = write_demo_file(Path(folder) / "LOANS", records, with_features=True)
    amounts = demo.features[:, SCHEMA.names.index("loan_amount")]
    path = drop_outcome_file(inbox, demo.references, demo.labels, amounts)
    click.echo(f"dropped {path} ({records} outcomes, {int(demo.labels.sum())} defaulted or written off) and its done file")


# Commands with modules of their own, to keep this one short.
files.add_command(show_file)
main.add_command(core)
main.add_command(drift)
main.add_command(models)
main.add_command(audit)
main.add_command(outcomes)
main.add_command(scaffold_group)
main.add_command(state)

if __name__ == "__main__":
    main()
