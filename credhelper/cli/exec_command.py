"""``ds-login exec -- CMD``: run a command with the credentials in its environment."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from credhelper import childenv, runner
from credhelper.cli.common import ProfileOption, provider, resolve_profile


def exec_(
    command: Annotated[list[str], typer.Argument(help="The command and its arguments, after --.", show_default=False)],
    profile: ProfileOption = None,
) -> int:
    """Run COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN set.

    The exit code is the command's. Credentials go only into the
    environment, never into the command line.
    """
    name = resolve_profile(profile)
    credhelper_provider = provider()
    credentials = credhelper_provider.credentials(name)
    env = childenv.with_credentials(os.environ, credentials, credhelper_provider.settings(name).region)
    return runner.run(command, env)


def register(app: typer.Typer) -> None:
    app.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})(exec_)
