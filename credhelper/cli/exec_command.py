"""``ds-login exec -- CMD``: run a command with the credentials in its environment."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from credhelper import childenv, runner
from credhelper.cli.common import ProfileOption, provider, resolve_profile
from credhelper.server import CredentialServer


def exec_(
    command: Annotated[list[str], typer.Argument(help="The command and its arguments; put -- before them: ds-login exec -- aws s3 ls.", show_default=False, metavar="COMMAND")],
    profile: ProfileOption = None,
    server: Annotated[
        bool,
        typer.Option(
            "--server",
            help="Give the command a local credential endpoint instead of keys; it refreshes by itself.",
        ),
    ] = False,
) -> int:
    """Run COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN set.

    The exit code is the command's. Credentials go only into the
    environment, never into the command line. With --server the command gets
    AWS_CONTAINER_CREDENTIALS_FULL_URI and a token instead, for as long as it runs.
    """
    name = resolve_profile(profile)
    credhelper_provider = provider()
    credentials = credhelper_provider.credentials(name)
    region = credhelper_provider.settings(name).region
    if not server:
        return runner.run(command, childenv.with_credentials(os.environ, credentials, region))

    credential_server = CredentialServer(lambda: credhelper_provider.credentials(name))
    credential_server.start_in_background()
    try:
        env = childenv.with_credential_server(os.environ, credential_server.client_environment())
        if region:
            env.setdefault("AWS_REGION", region)
            env.setdefault("AWS_DEFAULT_REGION", region)
        return runner.run(command, env)
    finally:
        credential_server.stop()


def register(app: typer.Typer) -> None:
    app.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})(exec_)
