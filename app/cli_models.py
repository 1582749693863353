"""``scoregate models``: list versions, describe one, move aliases (promote, rollback), show alias history.

Everything works on the models directory itself: a running core picks an alias move up at its next
directory scan (``poll_interval_s``), so nothing is restarted. Only ``describe --core`` talks to a core.
"""

from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path

import click

from scoregate.app.cli_outcomes import comparison_lines, margin_option, open_outcomes, performance
from scoregate.app.cli_state import config_option, postgres_option, postgres_url
from scoregate.app.model_card import table as _table
from scoregate.app.paths import DEMO_MODELS_DIR

MODELS_DIR_ENV = "SCOREGATE_CORE_MODELS_DIR"

_models_dir_option = click.option(
    "--models-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help=f"directory of NAME/VERSION artifacts [env {MODELS_DIR_ENV}; the demo models for reading]",
)


def _resolve(models_dir: Path | None, writing: bool) -> Path:
    if models_dir is None and os.environ.get(MODELS_DIR_ENV):
        models_dir = Path(os.environ[MODELS_DIR_ENV])
    if models_dir is None:
        if writing:  # the demo models live inside the installed package: not a place to write
            raise click.UsageError(f"--models-dir (or {MODELS_DIR_ENV}) is required to move an alias")
        models_dir = DEMO_MODELS_DIR
    if not models_dir.is_dir():
        raise click.UsageError(f"no models directory at {models_dir}")
    return models_dir


def _model_dir(root: Path, name: str) -> Path:
    """``root/name``, or the one-line error naming the models that are there (exit status 1)."""
    if not (root / name).is_dir():
        known = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise click.ClickException(f"no model {name!r} in {root}{hint} (models: {', '.join(known) or 'none'})")
    return root / name


@click.group("models", invoke_without_command=True)
@_models_dir_option
@click.pass_context
def models(ctx: click.Context, models_dir: Path | None) -> None:
    """Model versions and their aliases (``production`` serves unpinned requests)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_models, models_dir=models_dir)


@models.command("list")
@_models_dir_option
def list_models(models_dir: Path | None) -> None:
    """Every version: aliases, load state, holdout metrics (each version is loaded to check it)."""
    from scoregate.core.contract import ModelMetadata
    from scoregate.core.registry import ModelRegistry

    root = _resolve(models_dir, writing=False)
    registry = ModelRegistry(root)
    registry.refresh()
    rows, notes = [], []
    for state in registry.states():
        meta = None
        if state.state == "loaded":
            meta = registry.get(state.model, state.version).model.metadata
        else:
            notes.append(f"{state.model}/{state.version}: {state.error}")
            try:
                meta = ModelMetadata.model_validate_json((root / state.model / state.version / "metadata.json").read_bytes())
            except (OSError, ValueError):
                pass
        m = meta.metrics if meta else None
        scores = (f"{m.auc:.3f}", f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}") if m else ("-",) * 4
        default = "*" if registry.default_version(state.model) == state.version else "-"
        rows.append((state.model, state.version, default, ",".join(state.aliases) or "-", state.state, *scores))
    for alias in registry.aliases():
        if not alias.serving:
            notes.append(f"{alias.model}: alias {alias.alias} cannot serve: {alias.error}")
            if not any(r[0] == alias.model and r[1] == alias.version for r in rows):
                rows.append((alias.model, alias.version, "-", alias.alias, "missing", *("-",) * 4))
    if not rows:
        click.echo(f"no models in {root}")
        return
    click.echo(_table(("MODEL", "VERSION", "DEFAULT", "ALIASES", "STATE", "AUC", "PRECISION", "RECALL", "F1"), rows))
    for note in notes:
        click.echo(note)


@models.command("describe")
@click.argument("name")
@click.option("--version", default=None, help="a version or an alias [the default version]")
@click.option("--json", "as_json", is_flag=True, help="one JSON document instead of tables")
@click.option("--core", "target", default=None, metavar="HOST:PORT",
              help="ask a running core instead of reading a models directory")
@_models_dir_option
def describe(name: str, version: str | None, as_json: bool, target: str | None, models_dir: Path | None) -> None:
    """Feature schema, decision bands, reason codes and holdout metrics of model NAME: what to map onto."""
    from scoregate.app.model_card import render_json, render_text

    description = _remote_description(name, version, target) if target else _local_description(name, version, models_dir)
    click.echo(render_json(description) if as_json else render_text(description))


def _local_description(name: str, version: str | None, models_dir: Path | None):  # noqa: ANN202
    import difflib

    from scoregate.core.contract import ModelDescription
    from scoregate.core.errors import UnknownModel
    from scoregate.core.registry import ModelRegistry

    root = _resolve(models_dir, writing=False)
    registry = ModelRegistry(root)
    # "version loaded" lines would only bury the description; load failures still show.
    registry_log = logging.getLogger("scoregate.core.registry")
    level = registry_log.level
    registry_log.setLevel(max(logging.WARNING, registry_log.getEffectiveLevel()))
    try:
        registry.refresh()
    finally:
        registry_log.setLevel(level)
    try:
        meta = registry.get(name, version).model.metadata
    except UnknownModel:
        known = sorted({s.model for s in registry.states() if s.state == "loaded"})
        if name in known:
            versions = ", ".join(s.version for s in registry.states() if s.model == name and s.state == "loaded")
            raise click.ClickException(f"model {name} has no loaded version or alias {version!r} in {root} (loaded: {versions})") from None
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise click.ClickException(f"unknown model {name!r} in {root}{hint} (models: {', '.join(known) or 'none'})") from None
    return ModelDescription(
        name=meta.name, version=meta.version, feature_schema=meta.feature_schema, bands=meta.bands,
        contributions=meta.contributions, is_default=registry.default_version(name) == meta.version,
        description=meta.description, metrics=meta.metrics,
    )


def _remote_description(name: str, version: str | None, target: str):  # noqa: ANN202
    from scoregate.core.client import ScoringClient
    from scoregate.core.errors import ScoreError
    from scoregate.core.settings import ClientSettings

    with ScoringClient(ClientSettings(target=target, retry_attempts=1)) as client:
        try:
            return client.describe(name, version)
        except ScoreError as error:
            raise click.ClickException(f"{target}: {error.message}") from None


@models.command("promote")
@click.argument("name")
@click.argument("version")
@click.option("--alias", default="production", show_default=True, help="the alias to move")
@click.option("--force", is_flag=True, help="move even if the version does not load here or is worse on the outcomes")
@click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="the audit file: show VERSION against the answering version on real outcomes first")
@margin_option
@_models_dir_option
def promote(name: str, version: str, alias: str, force: bool, db: Path | None, margin: float, models_dir: Path | None) -> None:
    """Point ALIAS of model NAME at VERSION; a running core follows without a restart.

    With ``--db``, VERSION is first compared with the version that answered the same requests (as
    the shadow, on their outcomes); when it is significantly worse, nothing moves without ``--force``.
    """
    from scoregate.core.aliases import AliasError, move_alias
    from scoregate.core.registry import ModelLoadError, load_version

    root = _resolve(models_dir, writing=True)
    if db is not None:
        _check_outcomes(name, version, db, margin, force)
    if not force and (root / name / version).is_dir():
        try:
            load_version(root / name / version)
        except ModelLoadError as exc:
            raise click.ClickException(f"{name} version {version} does not load, not promoted: {exc}") from exc
    try:
        previous = move_alias(root, name, alias, version)
    except AliasError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name} {alias}: {previous or '(unset)'} -> {version}")


def _check_outcomes(name: str, version: str, db: Path, margin: float, force: bool) -> None:
    from scoregate.adapters.outcomes.report import compare_outcomes

    with open_outcomes(db) as store:
        result = compare_outcomes(store, name)
    if result is None or version not in (result.champion, result.challenger):
        click.echo(f"no outcomes yet for {name} version {version} scored beside the answering version")
        return
    for line in comparison_lines(result, margin):
        click.echo(line)
    d = result.auc
    candidate_behind = d is not None and (d.low > 0 if version == result.challenger else d.high < 0)
    if candidate_behind and not force:
        raise click.ClickException(f"{name} version {version} is worse than the version it would replace on the"
                                   " outcomes (the interval excludes zero); promote with --force to move anyway")


@models.command("rollback")
@click.argument("name")
@click.option("--alias", default="production", show_default=True, help="the alias to move back")
@_models_dir_option
def rollback(name: str, alias: str, models_dir: Path | None) -> None:
    """Move ALIAS of model NAME back to where its latest move took it from."""
    from scoregate.core.aliases import AliasError, rollback_alias

    root = _model_dir(_resolve(models_dir, writing=True), name).parent
    try:
        current, previous = rollback_alias(root, name, alias)
    except AliasError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name} {alias}: {current or '(unset)'} -> {previous or '(unset)'} (rolled back)")


@models.command("history")
@click.argument("name")
@click.option("--alias", default=None, help="only this alias [all]")
@_models_dir_option
def history(name: str, alias: str | None, models_dir: Path | None) -> None:
    """Every alias move of model NAME, oldest first."""
    from scoregate.core.aliases import alias_history

    moves = alias_history(_model_dir(_resolve(models_dir, writing=False), name).parent, name, alias)
    if not moves:
        click.echo(f"no alias moves recorded for {name}")
        return
    rows = [(m.time, m.alias, m.previous or "-", m.version or "-", m.action, m.actor) for m in moves]
    click.echo(_table(("TIME", "ALIAS", "FROM", "TO", "ACTION", "ACTOR"), rows))


@models.command("compare")
@click.argument("name")
@click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="the gateway's audit file ([audit] path)")
@config_option
@postgres_option
@margin_option
def compare_versions(name: str, db: Path | None, config_file: Path | None, postgres: str | None, margin: float) -> None:
    """Agreement of decisions and score distribution of the primary and the shadow version of NAME,
    and which of them is right on the outcomes that have arrived (AUC difference with its 95% CI;
    beside a SQLite audit: outcomes are not kept in PostgreSQL yet)."""
    from scoregate.adapters.decisions.compare import QUANTILES, compare
    from scoregate.adapters.decisions.masking import AuditError
    from scoregate.adapters.outcomes.report import compare_outcomes
    from scoregate.adapters.state.postgres_pool import StateUnavailable, redacted

    source = db if db is not None else postgres_url(config_file, postgres, alternative="--db AUDIT_FILE")
    try:
        result = compare(source, name)
    except (AuditError, StateUnavailable) as error:
        raise click.ClickException(str(error)) from None
    if not result.pairs:
        where = redacted(source) if isinstance(source, str) else source
        raise click.ClickException(f"no shadow scores of {name} in {where} (is [shadow] configured?)")
    primary, shadow = result.versions
    click.echo(f"{name}: {result.pairs} requests scored by version {primary} (answered) and {shadow} (shadow)")
    click.echo(f"decisions agree on {result.agreement:.1%}")
    labels = sorted({d for pair in result.decisions for d in pair})
    rows = [(f"{primary}: {a}", *(str(result.decisions.get((a, b), 0)) for b in labels)) for a in labels]
    click.echo(_table((f"primary \\ shadow {shadow}", *labels), rows))
    header = ("VERSION", "MEAN", *(f"P{round(q * 100)}" for q in QUANTILES))
    click.echo(_table(header, [
        (v, f"{result.means[v]:.4f}", *(f"{x:.4f}" for x in result.quantiles[v])) for v in (primary, shadow)
    ]))
    from scoregate.adapters.outcomes.sqlite import outcomes_path

    if db is not None and not outcomes_path(db).is_file():  # a read command does not create the file beside the audit
        click.echo("no outcomes loaded yet (an outcome job or queue, or `scoregate outcomes load`)")
        return
    with open_outcomes(source) as store:
        outcome_result = compare_outcomes(store, name)
    for line in comparison_lines(outcome_result, margin):
        click.echo(line)


models.add_command(performance)
