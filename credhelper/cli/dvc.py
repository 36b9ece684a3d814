"""``ds-login dvc ARGS``: run DVC against the ds-login profile so it refreshes credentials itself."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from credhelper import childenv, runner
from credhelper.cli.common import ProfileOption, err_console, provider, resolve_profile

# How AWS and botocore name expired or revoked temporary credentials in errors.
EXPIRED_TOKEN_MARKERS = (b"ExpiredToken", b"InvalidToken", b"token included in the request is expired")


def dvc(
    arguments: Annotated[list[str], typer.Argument(help="Arguments for dvc, such as: pull, or: push -r storage.", show_default=False, metavar="DVC_ARGS")],
    profile: ProfileOption = None,
) -> int:
    """Run dvc with AWS_PROFILE set to the ds-login profile; its output and exit code pass through.

    Credentials are refreshed first when they are close to expiry, and DVC's
    S3 remote runs ds-login's credential_process again during long transfers.
    """
    runner.check_dvc_repository(arguments)
    name = resolve_profile(profile)
    provider().credentials(name)
    env = childenv.with_profile(os.environ, name)
    code, expired = runner.run_watching_stderr([runner.find_dvc(os.environ), *arguments], env, EXPIRED_TOKEN_MARKERS)
    if code != 0 and expired:
        err_console.print(
            f"ds-login: DVC failed because AWS rejected its credentials as expired (ExpiredToken); "
            f"run: ds-login login --profile {name}   then run the DVC command again",
            markup=False,
        )
    return code


def register(app: typer.Typer) -> None:
    app.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})(dvc)
