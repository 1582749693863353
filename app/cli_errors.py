"""One readable line for every mistake a user can fix, never a traceback (the CLI's error boundary).

Commands raise what they raise; the ``scoregate`` group turns the exceptions that are the user's
to fix into click's one-line ``Error: ...`` and an exit code: 2 for configuration (a file, a
variable), 1 for the environment (a port taken, a core that would not start). Anything else is a
bug and keeps its traceback. ``tests/app/test_cli_errors.py`` runs each case as a real process.
"""

from __future__ import annotations

from typing import Any

import click
from pydantic import ValidationError

from scoregate.core.ports import CannotListen


class ConfigError(click.ClickException):
    """A configuration file or setting the user must correct (exit code 2, as a usage error)."""

    exit_code = 2


def config_error(error: ValidationError, where: str = "") -> ConfigError:
    """Every error of a validation, one line each, with the dotted path of the offending key."""
    prefix = f"{where}: " if where else f"{error.title}: "
    lines = [f"{prefix}{'.'.join(str(p) for p in item['loc']) or '(top)'}: {item['msg']}" for item in error.errors()]
    return ConfigError("\n".join(lines))


class OneLineErrors(click.Group):
    """A click group whose subcommands' user-fixable failures end in one line."""

    def invoke(self, ctx: click.Context) -> Any:
        from scoregate.adapters.configfile import MissingVariable
        from scoregate.app.runner import CoreDidNotStart

        try:
            return super().invoke(ctx)
        except (CannotListen, CoreDidNotStart) as error:
            raise click.ClickException(str(error)) from None
        except MissingVariable as error:
            raise ConfigError(str(error)) from None
        except ValidationError as error:
            raise config_error(error) from None
