"""``scoregate state``: the state shared by the gateway's replicas on a server ([state] in the gateway file)."""

from __future__ import annotations

from pathlib import Path

import click

POSTGRES_ENV = "SCOREGATE_STATE_POSTGRES"

config_option = click.option(
    "--config", "config_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
    help="gateway file whose [state] postgres to use")
postgres_option = click.option(
    "--postgres", "postgres", default=None, envvar=POSTGRES_ENV, metavar="URL",
    help=f"postgresql://... instead of a gateway file's [state] postgres [env {POSTGRES_ENV}]")


def postgres_url(config_file: Path | None, postgres: str | None, *, required: bool = True, alternative: str = "") -> str | None:
    """The PostgreSQL URL of ``--postgres``, else of the gateway file's ``[state] postgres``
    (``alternative``: the command's other source, named in the error when neither is given)."""
    other = f"{alternative}, " if alternative else ""
    if postgres:
        return postgres
    if config_file is not None:
        from scoregate.app.config import GatewayConfig

        url = GatewayConfig.load(config_file).state.postgres
        if url:
            return url
        if required:
            raise click.ClickException(f"{config_file} has no [state] postgres; give it, {other}or --postgres URL")
    elif required:
        raise click.ClickException(f"give {other}--config GATEWAY_FILE (its [state] postgres) or --postgres URL (or {POSTGRES_ENV})")
    return None


@click.group("state")
def state() -> None:
    """The state shared by the gateway's replicas (audit trail, file ledger and claims) on PostgreSQL."""


@state.command("migrate")
@config_option
@postgres_option
def migrate(config_file: Path | None, postgres: str | None) -> None:
    """Bring the PostgreSQL schema to this scoregate's version (safe to run again, and from several replicas)."""
    from scoregate.adapters.state import postgres_schema
    from scoregate.adapters.state.postgres_pool import StateUnavailable, connect, one_line, redacted

    import psycopg

    url = postgres_url(config_file, postgres)
    try:
        with connect(url) as conn:
            before = postgres_schema.current(conn)
            applied = postgres_schema.migrate(conn)
    except StateUnavailable as error:
        raise click.ClickException(str(error)) from None
    except psycopg.Error as error:
        raise click.ClickException(f"PostgreSQL at {redacted(url)}: {one_line(error)}") from None
    if not applied:
        click.echo(f"{redacted(url)}: schema at version {before}, up to date")
        return
    for migration in applied:
        click.echo(f"applied {migration.version:04d}_{migration.name}")
    click.echo(f"{redacted(url)}: schema at version {applied[-1].version} (was {before})")
