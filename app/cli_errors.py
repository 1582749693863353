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


class ConfigProblem(click.ClickException):
    """Configuration errors: every line names a file and a key; exit code 2, no traceback."""

    exit_code = 2


class OneLineErrors(click.Group):
    """A click group whose subcommands' user-fixable failures end in one line."""

    def invoke(self, ctx: click.Context) -> Any:
        from scoregate.adapters.configfile import ConfigFileError
        from scoregate.app.runner import CoreDidNotStart

        try:
            return super().invoke(ctx)
        except (CannotListen, CoreDidNotStart) as error:
            raise click.ClickException(str(error)) from None
        except ConfigFileError as error:  # unreadable, bad syntax, a variable not set
            raise ConfigProblem(str(error)) from None
        except ValidationError as error:  # a file of a command that does not name its own errors
            lines = [f"{error.title}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in error.errors()]
            raise ConfigProblem("\n".join(lines)) from None
