"""``ds-login dvc ARGS``: run DVC against the ds-login profile so it refreshes credentials itself."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from credhelper import dvc_wrapper
from credhelper.cli.common import ProfileOption, err_console, resolve_profile


def dvc(
    arguments: Annotated[list[str], typer.Argument(help="Arguments for dvc, such as: pull, or: push -r storage.", show_default=False, metavar="DVC_ARGS")],
    profile: ProfileOption = None,
) -> int:
    """Run dvc with AWS_PROFILE set to the ds-login profile; its output and exit code pass through.

    Credentials are refreshed first when they are close to expiry, and DVC's
    S3 remote runs ds-login's credential_process again during long transfers.
    The console script handles this command without typer, so this function
    runs only for help and for the command reference.
    """
    name = resolve_profile(profile)
    code, expired = dvc_wrapper.run_dvc(name, arguments, os.environ)
    if code != 0 and expired:
        err_console.print(dvc_wrapper.expired_message(name), markup=False)
    return code


def register(app: typer.Typer) -> None:
    app.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})(dvc)
