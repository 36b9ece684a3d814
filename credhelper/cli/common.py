"""Helpers shared by every command: consoles, the --profile option, prompts, the provider."""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Annotated, Optional

import typer
from rich.console import Console

from credhelper import settings, validation
from credhelper.errors import InvalidInputError
from credhelper.credentials import TemporaryCredentials
from credhelper.provider import Provider, store_factory_with_prompt

# Messages and progress go to stderr, so stdout carries only a command's product.
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out_console = Console(highlight=False, emoji=False)

ProfileOption = Annotated[
    Optional[str],
    typer.Option(
        "--profile",
        "-p",
        help="ds-login profile to use (default: DS_LOGIN_PROFILE, else AWS_PROFILE if it is a ds-login profile, "
        "else the profile in the repository's ds-login.toml, else ds-developer).",
        show_default=False,
    ),
]


def resolve_profile(profile: str | None) -> str:
    return settings.resolve_profile(profile, os.environ)


MFA_ATTEMPTS = 3


def prompt_mfa(profile_settings: settings.ProfileSettings) -> str:
    """Ask for an MFA code at the terminal (for commands a person runs directly), up to 3 times."""
    if not sys.stdin.isatty():
        from credhelper.terminal import prompt_mfa_on_tty

        return prompt_mfa_on_tty(profile_settings)
    from rich.prompt import Prompt

    for attempt in range(1, MFA_ATTEMPTS + 1):
        code = Prompt.ask(f"MFA code for [bold]{profile_settings.mfa_serial}[/bold]", console=err_console)
        try:
            return validation.mfa_code(code)
        except InvalidInputError as error:
            if attempt == MFA_ATTEMPTS:
                raise
            err_console.print(f"{error}; try again.", markup=False)
    raise AssertionError("unreachable")


def prompt_passphrase(label: str) -> str:
    if sys.stdin.isatty():
        return typer.prompt(label.rstrip(": "), hide_input=True, err=True)
    from credhelper.terminal import prompt_secret_on_tty

    return prompt_secret_on_tty(label)


def provider() -> Provider:
    return Provider(env=os.environ, mfa_prompt=prompt_mfa, store_factory=store_factory_with_prompt(prompt_passphrase))


def describe_expiry(credentials: TemporaryCredentials) -> str:
    remaining = credentials.remaining(dt.datetime.now(dt.timezone.utc))
    minutes = max(0, int(remaining.total_seconds() // 60))
    local = credentials.expiration.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"{local} ({minutes} min left)"
