"""``scoregate audit``: find past decisions in the audit file by the caller's reference."""

from __future__ import annotations

import json
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
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        records = reader.find(reference)
    finally:
        reader.close()
    if not records:
        raise click.ClickException(f"no decision recorded for reference {reference!r} in {db}")
    for r in records:
        if as_json:
            click.echo(json.dumps({
                "time": r.time.isoformat(), "channel": r.channel, "reference": r.reference, "request_id": r.request_id,
                "model": r.model, "version": r.version, "probability": r.probability, "decision": r.decision,
                "reasons": [{"feature": f, "code": c, "contribution": v} for f, c, v in r.reasons],
                "fallback": r.fallback, "latency_ms": r.latency_ms,
            }))
            continue
        fallback = " (fallback)" if r.fallback else ""
        click.echo(f"{r.time.isoformat()}  {r.channel}  ref {r.reference}  request {r.request_id}")
        click.echo(f"  {r.model} version {r.version}{fallback}: {r.decision} p={r.probability:.6f}  {r.latency_ms:.1f} ms")
        for feature, code, contribution in r.reasons:
            click.echo(f"    {code}  {feature}  {contribution:+.4f}")
