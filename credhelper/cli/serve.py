"""``ds-login serve``: a local credential endpoint for containers and notebook kernels."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from credhelper import shells
from credhelper.cli.common import ProfileOption, err_console, provider, resolve_profile
from credhelper.server import CredentialServer


def serve(
    profile: ProfileOption = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 picks a free one.", min=0, max=65535)] = 0,
    output_format: Annotated[str, typer.Option("--format", "-f", help=f"Format of the variables: {', '.join(shells.FORMATS)}.")] = "bash",
) -> None:
    """Serve credentials on 127.0.0.1 in the ECS container format until Ctrl-C.

    Prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN
    for the client; requests without that token are rejected.
    """
    if output_format not in shells.FORMATS:
        raise typer.BadParameter(f"invalid format {output_format!r}; expected one of: {', '.join(shells.FORMATS)}")
    name = resolve_profile(profile)
    credhelper_provider = provider()
    credhelper_provider.credentials(name)
    credential_server = CredentialServer(lambda: credhelper_provider.credentials(name), port=port)
    print(shells.render(credential_server.client_environment(), output_format), end="", flush=True)
    err_console.print(f"Serving profile {name} on {credential_server.url}; Ctrl-C stops.", markup=False)
    credential_server.start_in_background()
    try:
        threading.Event().wait()
    finally:
        credential_server.stop()


def register(app: typer.Typer) -> None:
    app.command()(serve)
