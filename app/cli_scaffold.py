"""``scoregate scaffold CHANNEL ...``: a first draft of a channel file from a contract.

Generic over the channel registry: one subcommand per registered channel that offers a
:class:`~scoregate.adapters.registry.Scaffolder`, its arguments and options built from the
scaffolder's parameters, plus the ones every channel shares (the model, where to write). The
draft goes to ``--out``; a gateway file naming it is written beside it unless one exists (then
the lines to add are printed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from scoregate.adapters.registry import Scaffolder, ScaffoldParameter, ScaffoldRequest, UnknownChannel, channel_names, channel_spec

GATEWAY_TEXT = """\
# Drafted by `scoregate scaffold {name}`: a gateway running the channel drafted beside it.
# `scoregate up --config {gateway}` starts a scoring core and the channel; `scoregate gateway serve
# --config {gateway}` runs the channel against a core elsewhere ([client] target). Every key:
# docs/configuration/gateway-keys.md.

[core]
address = "127.0.0.1:0"        # `scoregate up` starts the core here (port 0: a free port)
{models}
[client]
# target = "127.0.0.1:50051"   # the core, for `gateway serve` (or SCOREGATE_CLIENT_TARGET)

[channels.{name}]
config = "{config}"
"""


class Refused(click.ClickException):
    """A model, contract or file the draft cannot be made from: one line, exit code 2."""

    exit_code = 2


def _scaffolder(name: str) -> Scaffolder | None:
    try:
        return channel_spec(name).scaffold
    except (UnknownChannel, ImportError, TypeError):
        return None


class ScaffoldCommands(click.Group):
    """The subcommands are the registered channels that can draft their file."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in channel_names() if _scaffolder(name) is not None]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        scaffolder = _scaffolder(name)
        return None if scaffolder is None else _command(name, scaffolder)


def _param(parameter: ScaffoldParameter) -> click.Parameter:
    kind: Any = (click.Choice(parameter.choices) if parameter.choices
                 else click.Path(path_type=Path, dir_okay=False, exists=True))
    if parameter.positional:
        return click.Argument([parameter.name], type=kind, required=parameter.required)
    return click.Option([f"--{parameter.name.replace('_', '-')}", parameter.name], type=kind,
                        required=parameter.required, help=parameter.help)


_SHARED = [
    click.Option(["--model"], required=True, help="the model to map onto (scoregate models describe NAME)"),
    click.Option(["--version", "version"], default=None, help="a version of the model [its default]"),
    click.Option(["--models-dir"], type=click.Path(path_type=Path, file_okay=False), default=None,
                 help="where the model is [the demo models]"),
    click.Option(["--core", "target"], default=None, metavar="HOST:PORT", help="ask a running core for the model instead"),
    click.Option(["--out"], type=click.Path(path_type=Path, dir_okay=False), default=None,
                 help="the channel file to write [CHANNEL.toml]"),
    click.Option(["--gateway"], type=click.Path(path_type=Path, dir_okay=False), default=None,
                 help="the gateway file naming it, written unless it exists [gateway.toml beside --out]"),
    click.Option(["--force"], is_flag=True, help="overwrite an existing channel file"),
]


def _command(name: str, scaffolder: Scaffolder) -> click.Command:
    def run(model: str, version: str | None, models_dir: Path | None, target: str | None, out: Path | None,
            gateway: Path | None, force: bool, **arguments: Any) -> None:
        scaffold(name, scaffolder, arguments, model=model, version=version, models_dir=models_dir, target=target,
                 out=out or Path(f"{name}.toml"), gateway=gateway, force=force)

    return click.Command(name, callback=run, params=[*(_param(p) for p in scaffolder.parameters), *_SHARED],
                         help=scaffolder.help)


def scaffold(name: str, scaffolder: Scaffolder, arguments: dict[str, Any], *, model: str, version: str | None,
             models_dir: Path | None, target: str | None, out: Path, gateway: Path | None, force: bool) -> None:
    from scoregate.adapters.placeholders import find_placeholders
    from scoregate.app.config_check import core_lookup, directory_lookup
    from scoregate.app.paths import DEMO_MODELS_DIR

    if out.exists() and not force:
        raise Refused(f"{out} exists: choose another --out, or --force to overwrite it")
    try:
        lookup = core_lookup(target) if target else directory_lookup(models_dir or DEMO_MODELS_DIR)
        description = lookup(model, version)
    except Exception as error:  # noqa: BLE001 - UnknownModel and its kin: the message is the problem
        raise Refused(f"--model: {getattr(error, 'message', error)}") from None
    if description is None:
        raise Refused(f"--core {target}: no core answers there")
    try:
        text = scaffolder.write(ScaffoldRequest(description, out, arguments))
    except ValueError as error:
        raise Refused(" ".join(str(error).split())) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    todos = find_placeholders(out)
    click.echo(f"wrote {out}: {text.count('  # guess')} guesses to check, {len(todos)} TODO placeholders to replace")
    gateway = gateway or out.parent / "gateway.toml"
    config = os.path.relpath(out.resolve(), gateway.resolve().parent)
    if gateway.exists():
        click.echo(f"{gateway} exists and was left as it is; to run the channel, it needs:\n"
                   f"  [channels.{name}]\n  config = \"{config}\"")
    else:
        models = f'models_dir = "{os.path.relpath(models_dir.resolve(), gateway.resolve().parent)}"\n' if models_dir else \
            '# models_dir = "models"        # default: the shipped demo models\n'
        gateway.write_text(GATEWAY_TEXT.format(name=name, gateway=gateway.name, models=models, config=config), encoding="utf-8")
        click.echo(f"wrote {gateway}, naming it")
    click.echo(f"next: replace each TODO, check each guess, then: scoregate config check {gateway}")


@click.group("scaffold", cls=ScaffoldCommands)
def scaffold_group() -> None:
    """Draft a channel file from a contract (a WSDL, a copybook, a message format) for a model."""
