"""``login``, ``logout`` and ``credential-process``: getting and dropping credentials."""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import Annotated, Optional

import typer

from credhelper import settings, static_profile, validation
from credhelper.store.choice import SESSION
from credhelper.cli.common import ProfileOption, describe_expiry, err_console, provider, resolve_profile


def login(
    profile: ProfileOption = None,
    force: Annotated[bool, typer.Option("--force/--reuse", help="Call STS even when cached credentials are fresh (default), or reuse them.", show_default=False)] = True,
    mfa_code: Annotated[Optional[str], typer.Option("--mfa-code", help="Six-digit MFA code, for scripts.")] = None,
) -> None:
    """Assume the role with your stored key and cache the temporary credentials in the secret store."""
    name = resolve_profile(profile)
    code = validation.mfa_code(mfa_code) if mfa_code else None
    credhelper_provider = provider()
    with err_console.status(f"Assuming role for profile {name}...", spinner="dots"):
        credentials = credhelper_provider.credentials(name, force=force, mfa_code=code)
    err_console.print(f"Logged in as {credentials.assumed_role_arn}", markup=False)
    err_console.print(f"  account  {credentials.account_id}", markup=False)
    err_console.print(f"  expires  {describe_expiry(credentials)}", markup=False)
    session_store = credhelper_provider.store(SESSION, credhelper_provider.settings(name))
    err_console.print(f"  stored   {session_store.describe()}", markup=False)


def logout(
    profile: ProfileOption = None,
    all_items: Annotated[
        bool, typer.Option("--all", help="Also delete the stored long-lived access key (asks first unless --yes).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the cached temporary credentials; with --all, the stored access key too."""
    name = resolve_profile(profile)
    if all_items and not yes:
        if not sys.stdin.isatty():
            raise typer.BadParameter("--all deletes your stored access key; add --yes to confirm without a terminal")
        typer.confirm(
            f"Delete the stored access key of profile {name}? You will need it again for ds-login setup.",
            abort=True,
            err=True,
        )
    credhelper_provider = provider()
    removed = credhelper_provider.logout(name, forget_base_keys=all_items)
    if removed:
        err_console.print(f"Deleted {', '.join(removed)} from the secret store.", markup=False)
    else:
        err_console.print(f"Nothing stored for profile {name}.", markup=False)
    profile_settings = credhelper_provider.settings(name)
    if profile_settings.static_profile:
        if static_profile.remove(os.environ, profile_settings.static_profile):
            err_console.print(f"Removed [{profile_settings.static_profile}] from the shared credentials file.", markup=False)
        settings.save(dataclasses.replace(profile_settings, static_profile=None), os.environ)


def credential_process(profile: ProfileOption = None) -> None:
    """Print credentials as JSON for botocore's credential_process (used by AWS tools, not people)."""
    from credhelper.credential_process import main as process_main

    arguments = ["--profile", profile] if profile else []
    raise typer.Exit(process_main(arguments))


def register(app: typer.Typer) -> None:
    app.command()(login)
    app.command()(logout)
    app.command("credential-process")(credential_process)
