"""Outcomes in the CLI: ``scoregate models performance``, the outcome part of ``models compare``
and ``models promote``, and ``scoregate outcomes`` (load a file by hand, see what became of them).

Everything reads the audit (``--db`` a SQLite file, or ``--config``/``--postgres`` the PostgreSQL
of ``[state] postgres``) and the outcome store beside it; the mask key comes from
``SCOREGATE_MASK_KEY`` as for ``audit show``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from scoregate.app.cli_state import config_option, postgres_option, postgres_url
from scoregate.app.model_card import table as _table

MASK_KEY_ENV = "SCOREGATE_MASK_KEY"
DEFAULT_AUC_FLOOR = 0.65
DEFAULT_MARGIN = 0.01
BAR_WIDTH = 20

_db_option = click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
                          help="the gateway's audit file ([audit] path); outcomes are kept beside it")


def db_option(command):  # noqa: ANN001, ANN201
    """``--db AUDIT_FILE``, or ``--config GATEWAY_FILE`` / ``--postgres URL`` for a PostgreSQL audit."""
    return _db_option(config_option(postgres_option(command)))


def audit_source(db: Path | None, config_file: Path | None, postgres: str | None) -> Path | str:
    """The audit file, else the PostgreSQL URL of ``--postgres`` or the gateway file (one line if neither)."""
    return db if db is not None else postgres_url(config_file, postgres, alternative="--db AUDIT_FILE")
floor_option = click.option("--auc-floor", type=click.FloatRange(0, 1), default=DEFAULT_AUC_FLOOR, show_default=True,
                            help="warn when a version's AUC in a period is below this ([outcomes] auc_floor)")
margin_option = click.option("--margin", type=click.FloatRange(0, 1), default=DEFAULT_MARGIN, show_default=True,
                             help="warn when the challenger's AUC beats the champion's by this much ([outcomes] challenger_margin)")


def open_outcomes(db: Path | str):  # noqa: ANN201 - an OutcomeStore
    """The outcome store beside the audit ``db`` (a file, or a PostgreSQL URL), or a one-line error
    naming what to fix."""
    from scoregate.adapters.decisions.sqlite import AuditError
    from scoregate.adapters.outcomes.store import open_outcome_store
    from scoregate.adapters.state.postgres_pool import StateUnavailable
    from scoregate.core.settings import env_secret

    try:
        key = env_secret(MASK_KEY_ENV)
        return open_outcome_store("sqlite" if isinstance(db, Path) else "postgres", audit=db,
                                  mask_key=key.encode() if key else None)
    except (AuditError, ValueError, StateUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{db} is not a scoregate audit file ({exc}); give the gateway's [audit] path") from None


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def bar(auc: float | None) -> str:
    """AUC as a bar from 0.5 (no better than chance: empty) to 1.0 (full)."""
    if auc is None:
        return ""
    filled = round(max(0.0, min(1.0, (auc - 0.5) / 0.5)) * BAR_WIDTH)
    return "#" * filled + "." * (BAR_WIDTH - filled)


def counts_line(store) -> str:  # noqa: ANN001
    c = store.counts()
    return (f"outcomes: {c.outcomes} kept, {c.matched} matched, {c.unknown} unknown reference (matched when the decision"
            f" appears), {c.duplicate} duplicate, {c.contradictory} contradictory, {c.late} late")


def comparison_lines(result, margin: float) -> list[str]:  # noqa: ANN001 - an OutcomeComparison or None
    if result is None:
        return ["no request scored by both versions has an outcome yet"]
    lines = [f"on outcomes: {result.loans} requests scored by both, {result.defaults} defaulted"]
    d = result.auc
    if d is None:
        return [*lines, "too few defaults or repayments to compare AUCs"]
    lines.append(_table(("VERSION", "ROLE", "AUC", "BRIER"), [
        (result.champion, "answered", f"{d.first:.4f}", f"{result.brier[0]:.4f}"),
        (result.challenger, "shadow", f"{d.second:.4f}", f"{result.brier[1]:.4f}"),
    ]))
    verdict = ("the champion is ahead" if d.low > 0 else "the challenger is ahead" if d.high < 0
               else "no significant difference")
    lines.append(f"AUC {result.champion} - {result.challenger}: {d.difference:+.4f}, 95% CI [{d.low:+.4f}, {d.high:+.4f}]"
                 f" (DeLong): {verdict}")
    if d.second - d.first >= margin:
        lines.append(f"warning: challenger {result.challenger} beats champion {result.champion} by"
                     f" {d.second - d.first:.4f} AUC (margin {margin})")
    return lines


@click.command("performance")
@click.argument("name")
@db_option
@click.option("--by", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True,
              help="period of the decisions the figures are grouped by")
@click.option("--version", default=None, help="only this version [every version, the shadow's included]")
@click.option("--min-outcomes", type=click.IntRange(min=2), default=100, show_default=True,
              help="fewer outcomes in a period: counts only, no figures")
@floor_option
def performance(name: str, db: Path | None, config_file: Path | None, postgres: str | None, by: str, version: str | None,
                min_outcomes: int, auc_floor: float) -> None:
    """Real performance of model NAME per version and period, from the outcomes joined to the audit."""
    from scoregate.adapters.outcomes.report import performance as compute

    db = audit_source(db, config_file, postgres)
    with open_outcomes(db) as store:
        result = compute(store, name, by, version, min_outcomes)
        summary = counts_line(store)
    if not result:
        from scoregate.adapters.state.postgres_pool import redacted

        where = db if isinstance(db, Path) else redacted(db)
        raise click.ClickException(f"no decisions of {name}{f' version {version}' if version else ''} in {where}")
    rows, warnings = [], []
    for (v, period), f in result.items():
        rows.append((period, v, str(f["decisions"]), str(f["outcomes"]), _share(f["coverage"]), _share(f["default_rate"]),
                     _share(f["approval_rate"]), _number(f.get("auc")), _number(f.get("gini")), _number(f.get("ks")),
                     _number(f.get("brier"), 4), bar(f.get("auc"))))
        if f.get("auc") is not None and f["auc"] < auc_floor:
            warnings.append(f"warning: {name} version {v} AUC {f['auc']:.3f} in {period} is below the floor {auc_floor}")
    click.echo(_table(("PERIOD", "VERSION", "DECISIONS", "OUTCOMES", "COVERAGE", "DEFAULTS", "APPROVED", "AUC", "GINI",
                       "KS", "BRIER", "AUC 0.5..1"), rows))
    click.echo(summary)
    latest = {v: (p, f) for (v, p), f in result.items() if f.get("auc") is not None}
    for v, (period, f) in sorted(latest.items()):
        click.echo(f"\nversion {v}, {period}: per band (precision/recall of declining this band and riskier ones)")
        click.echo(_table(("BAND", "LOANS", "DEFAULTS", "PRECISION", "RECALL"), [
            (b["band"], str(b["count"]), _share(b["default_rate"]), _share(b["precision"]), _share(b["recall"])) for b in f["bands"]]))
        click.echo(f"version {v}, {period}: calibration per score decile")
        click.echo(_table(("DECILE", "LOANS", "PREDICTED", "OBSERVED"), [
            (str(c["decile"]), str(c["count"]), _share(c["predicted"]), _share(c["observed"])) for c in f["calibration"]]))
    for line in warnings:
        click.echo(line)


@click.group("outcomes")
def outcomes() -> None:
    """Outcomes of past decisions (default, paid, written off) joined to the audit."""


@outcomes.command("load")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@db_option
@click.option("--job", "job_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="the outcome file job whose layout the file has [the demo outcome job]")
def load(file: Path, db: Path | None, config_file: Path | None, postgres: str | None, job_file: Path | None) -> None:
    """Read an outcome FILE as its outcome job would and join it to the audit (no gateway needed)."""
    from pydantic import ValidationError

    from scoregate.adapters.outcome_files.config import OutcomeJobConfig
    from scoregate.adapters.outcome_files.reader import read_outcomes
    from scoregate.app.paths import DEFAULTS_DIR

    try:
        config = OutcomeJobConfig.load(job_file or DEFAULTS_DIR / "outcomes" / "outcomes.toml")
    except (ValidationError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc).splitlines()[0] if not isinstance(exc, ValidationError) else str(exc)) from None
    from scoregate.adapters.decisions.sqlite import AuditError

    read = read_outcomes(file.read_bytes(), config)
    with open_outcomes(audit_source(db, config_file, postgres)) as store:
        try:
            intake = store.add(read.outcomes, source=file.name)
        except AuditError as exc:
            raise click.ClickException(str(exc)) from None
        store.refresh()
        click.echo(f"{file.name}: {len(read.outcomes)} outcomes read, {len(read.problems)} records not read;"
                   f" {intake.accepted} new, {intake.duplicate} duplicate, {intake.contradictory} contradictory")
        for problem in read.problems[:20]:
            click.echo(f"  {problem}")
        click.echo(counts_line(store))


@outcomes.command("status")
@db_option
def status(db: Path | None, config_file: Path | None, postgres: str | None) -> None:
    """What became of every outcome: matched, unknown reference, duplicate, contradictory, late."""
    with open_outcomes(audit_source(db, config_file, postgres)) as store:
        store.refresh()
        click.echo(counts_line(store))
