"""``scoregate audit``: find past decisions by the caller's reference; verify the chain; prune old days.

Each works on the SQLite file of ``[audit] path`` (``--db``) or on the PostgreSQL trail every
replica writes to (``--config`` with ``[state] postgres``, or ``--postgres URL``)."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from scoregate.app.cli_state import config_option, postgres_option, postgres_url

MASK_KEY_ENV = "SCOREGATE_MASK_KEY"


@click.group("audit")
def audit() -> None:
    """The audit trail of decisions."""


@audit.command("show")
@click.option("--ref", "reference", required=True, help="the caller's reference (application number, correlation id)")
@click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), default=None, help="the audit SQLite file")
@config_option
@postgres_option
@click.option("--mask-key", default=None,
              help=f"key the references were masked with, if they were [env {MASK_KEY_ENV} or the file {MASK_KEY_ENV}_FILE names]")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per decision")
def show(reference: str, db: Path | None, config_file: Path | None, postgres: str | None, mask_key: str | None,
         as_json: bool) -> None:
    """Every decision recorded for REF, oldest first; exit status 1 when there is none."""
    from scoregate.adapters.decisions.sqlite import AuditError, AuditReader
    from scoregate.adapters.state.postgres_audit_read import PostgresAuditReader
    from scoregate.adapters.state.postgres_pool import StateUnavailable, redacted
    from scoregate.core.settings import env_secret

    url = None if db is not None else postgres_url(config_file, postgres, alternative="--db AUDIT_FILE")
    try:
        mask_key = mask_key or env_secret(MASK_KEY_ENV) or None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    key = mask_key.encode() if mask_key else None
    try:
        reader = PostgresAuditReader(url, mask_key=key) if url else AuditReader(db, mask_key=key)
        try:
            records = reader.find(reference)
        finally:
            reader.close()
    except (AuditError, StateUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # another file given by mistake ("file is not a database", no table)
        raise click.ClickException(f"{db} is not a scoregate audit file ({exc}); give the gateway's [audit] path") from None
    if not records:
        raise click.ClickException(f"no decision recorded for reference {reference!r} in {redacted(url) if url else db}")
    for r in records:
        if as_json:
            click.echo(json.dumps({
                "time": r.time.isoformat(), "channel": r.channel, "reference": r.reference, "request_id": r.request_id,
                "model": r.model, "version": r.version, "probability": r.probability, "decision": r.decision,
                "reasons": [{"feature": f, "code": c, "contribution": v} for f, c, v in r.reasons],
                "fallback": r.fallback, "latency_ms": r.latency_ms, "caller": r.caller,
            }))
            continue
        fallback = " (fallback)" if r.fallback else ""
        who = f"  caller {r.caller}" if r.caller else ""
        click.echo(f"{r.time.isoformat()}  {r.channel}  ref {r.reference}  request {r.request_id}{who}")
        click.echo(f"  {r.model} version {r.version}{fallback}: {r.decision} p={r.probability:.6f}  {r.latency_ms:.1f} ms")
        for feature, code, contribution in r.reasons:
            click.echo(f"    {code}  {feature}  {contribution:+.4f}")


@audit.command("verify")
@click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), default=None, help="the audit SQLite file")
@config_option
@postgres_option
def verify(db: Path | None, config_file: Path | None, postgres: str | None) -> None:
    """Walk the audit's hash chains and report the first row changed, missing or out of order.

    Needs the audit key the rows were chained with (env SCOREGATE_AUDIT_KEY, or the file
    SCOREGATE_AUDIT_KEY_FILE names). Exit status 0: every link holds; 1: a broken link (printed);
    2: no key, the wrong key, or a file without a chain.
    """
    from scoregate.adapters.decisions.sqlite import AuditError
    from scoregate.adapters.decisions.verify import verify_file
    from scoregate.adapters.decisions.chain import AUDIT_KEY_ENV
    from scoregate.adapters.state.postgres_audit_read import verify_postgres
    from scoregate.adapters.state.postgres_pool import redacted
    from scoregate.core.settings import env_secret

    url = None if db is not None else postgres_url(config_file, postgres, alternative="--db AUDIT_FILE")
    where = redacted(url) if url else db
    try:
        key = env_secret(AUDIT_KEY_ENV)
        if not key:
            raise AuditError(f"set {AUDIT_KEY_ENV} (or {AUDIT_KEY_ENV}_FILE) to the key the audit was written with")
        broken, counts = verify_postgres(url, key.encode()) if url else verify_file(db, key.encode())
    except AuditError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    rows = sum(counts.values())
    if broken is not None:
        click.echo(f"{where}: BROKEN at {broken} (after {rows} rows that hold)")
        sys.exit(1)
    plural = lambda n, word: f"{n} {word}{'s' if n != 1 else ''}"  # noqa: E731
    click.echo(f"{where}: {plural(rows, 'row')} in {plural(len(counts), 'chain')}, every link holds")


def _days(text: str) -> int:
    if not text.endswith("d") or not text[:-1].isdigit():
        raise click.BadParameter(f"{text!r}: give days, e.g. 400d")
    return int(text[:-1])


@audit.command("prune")
@click.option("--older-than", "older_than", required=True, metavar="DAYS", help="e.g. 400d: drop every day older than this")
@config_option
@postgres_option
def prune(older_than: str, config_file: Path | None, postgres: str | None) -> None:
    """Drop the PostgreSQL trail's day partitions older than --older-than (retention).

    Whole days go at once (no row-by-row DELETE on an append-only table); each writer's last
    dropped link is kept, so that `audit verify` still walks the rest of its chain.
    """
    from datetime import timedelta

    from scoregate.adapters.decisions.masking import AuditError
    from scoregate.adapters.state.postgres_audit_read import prune as prune_days
    from scoregate.adapters.state.postgres_pool import StateUnavailable, redacted

    days = _days(older_than)
    url = postgres_url(config_file, postgres)
    try:
        dropped = prune_days(url, timedelta(days=days))
    except (AuditError, StateUnavailable) as error:
        raise click.ClickException(str(error)) from None
    for part in dropped:
        click.echo(f"dropped {part.day.isoformat()}: {part.rows} decisions")
    click.echo(f"{redacted(url)}: {len(dropped)} day(s) older than {days} days dropped")
