"""``ds-login export``: print the credentials as variables for a shell or a .env file."""

from __future__ import annotations

from typing import Annotated

import typer

from credhelper import shells
from credhelper.cli.common import ProfileOption, provider, resolve_profile


def export(
    profile: ProfileOption = None,
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help=f"One of: {', '.join(shells.FORMATS)}.", show_default=True),
    ] = "bash",
) -> None:
    """Print the credentials as variables for a shell or a .env file.

    In bash or zsh: eval "$(ds-login export)".

    Static variables do not refresh themselves: prefer the AWS profile, or
    ds-login exec, for anything that runs longer than the credentials.
    """
    if output_format not in shells.FORMATS:
        raise typer.BadParameter(
            f"invalid format {output_format!r}; expected one of: {', '.join(shells.FORMATS)}", param_hint="--format"
        )
    name = resolve_profile(profile)
    credhelper_provider = provider()
    credentials = credhelper_provider.credentials(name)
    variables = credentials.to_environment()
    region = credhelper_provider.settings(name).region
    if region:
        variables["AWS_REGION"] = region
        variables["AWS_DEFAULT_REGION"] = region
    try:
        text = shells.render(variables, output_format)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--format") from None
    print(text, end="")


def register(app: typer.Typer) -> None:
    app.command()(export)
