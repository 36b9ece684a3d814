"""The typer application: parse, call the core, render, map errors to exit codes."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from credhelper import __version__, logsetup
from credhelper.cli import access, completion, demo, dvc, exec_command, export, serve, setup, status, write_profile
from credhelper.cli import doctor
from credhelper.cli.common import err_console
from credhelper.errors import EXIT_INTERRUPTED, EXIT_UNEXPECTED, EXIT_USAGE, CredhelperError

log = logging.getLogger(__name__)

app = typer.Typer(
    name="ds-login",
    help="Temporary AWS role credentials for your team's DVC bucket, kept in the OS keyring or another secret store.",
    no_args_is_help=False,
    # Also registers typer's completion classes, which the scripts of
    # ds-login completion SHELL call back into.
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        print(f"ds-login {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(
    context: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Log every step and show tracebacks on errors.")] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="Log progress (where credentials come from).", show_default=False)] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Log in with no command; see each command's --help."""
    _state["debug"] = debug
    logsetup.configure(2 if debug else verbose)
    if context.invoked_subcommand is None:
        access.login(profile=None, force=True, mfa_code=None)


setup.register(app)
access.register(app)
export.register(app)
exec_command.register(app)
dvc.register(app)
status.register(app)
doctor.register(app)
serve.register(app)
write_profile.register(app)
demo.register(app)
completion.register(app)


def run(arguments: list[str]) -> None:
    """Run the application and exit with the documented code for its outcome."""
    try:
        result = app(args=arguments, prog_name="ds-login", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except typer.Exit as exit_request:
        code = exit_request.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print()
        code = EXIT_INTERRUPTED
    except CredhelperError as error:
        if _state["debug"]:
            log.debug("traceback", exc_info=True)
        err_console.print(f"ds-login: {error}", markup=False)
        code = error.exit_code
    except typer.TyperException as error:
        # typer 0.29 bundles its own click, whose usage errors derive from
        # TyperException and know how to print themselves.
        show = getattr(error, "show", None)
        if show is not None:
            show(file=sys.stderr)
        else:
            err_console.print(f"ds-login: {error}", markup=False)
        code = getattr(error, "exit_code", EXIT_USAGE)
    except Exception as error:  # noqa: BLE001 - last resort: one line, traceback only with --debug
        if _state["debug"]:
            raise
        err_console.print(f"ds-login: unexpected {type(error).__name__}; rerun with --debug for details", markup=False)
        code = EXIT_UNEXPECTED
    sys.exit(code)
