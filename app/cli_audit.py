"""``scoregate audit``: find past decisions in the audit file by the caller's reference; verify its chain."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

MASK_KEY_ENV = "SCOREGATE_MASK_KEY"


@click.group("audit")
def audit() -> None:
    """The audit trail of decisions."""


@audit.command("show")
@click.option("--ref", "reference", required=True, help="the caller's reference (application number, correlation id)")
@click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), required=True, help="the audit SQLite file")
@click.option("--mask-key", default=None,
              help=f"key the references were masked with, if they were [env {MASK_KEY_ENV} or the file {MASK_KEY_ENV}_FILE names]")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per decision")
def show(reference: str, db: Path, mask_key: str | None, as_json: bool) -> None:
    """Every decision recorded for REF, oldest first; exit status 1 when there is none."""
    from scoregate.adapters.decisions.sqlite import AuditError, AuditReader
    from scoregate.core.settings import env_secret

    try:
        mask_key = mask_key or env_secret(MASK_KEY_ENV) or None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        reader = AuditReader(db, mask_key=mask_key.encode() if mask_key else None)
        try:
            records = reader.find(reference)
        finally:
            reader.close()
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # another file given by mistake ("file is not a database", no table)
        raise click.ClickException(f"{db} is not a scoregate audit file ({exc}); give the gateway's [audit] path") from None
    if not records:
        raise click.ClickException(f"no decision recorded for reference {reference!r} in {db}")
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
@click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), required=True, help="the audit SQLite file")
def verify(db: Path) -> None:
    """Walk the audit file's hash chains and report the first row changed, missing or out of order.

    Needs the audit key the rows were chained with (env SCOREGATE_AUDIT_KEY, or the file
    SCOREGATE_AUDIT_KEY_FILE names). Exit status 0: every link holds; 1: a broken link (printed);
    2: no key, the wrong key, or a file without a chain.
    """
    from scoregate.adapters.decisions.sqlite import AuditError
    from scoregate.adapters.decisions.verify import verify_file
    from scoregate.adapters.decisions.chain import AUDIT_KEY_ENV
    from scoregate.core.settings import env_secret

    try:
        key = env_secret(AUDIT_KEY_ENV)
        if not key:
            raise AuditError(f"set {AUDIT_KEY_ENV} (or {AUDIT_KEY_ENV}_FILE) to the key the audit was written with")
        broken, counts = verify_file(db, key.encode())
    except AuditError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    rows = sum(counts.values())
    if broken is not None:
        click.echo(f"{db}: BROKEN at {broken} (after {rows} rows that hold)")
        sys.exit(1)
    plural = lambda n, word: f"{n} {word}{'s' if n != 1 else ''}"  # noqa: E731
    click.echo(f"{db}: {plural(rows, 'row')} in {plural(len(counts), 'chain')}, every link holds")
