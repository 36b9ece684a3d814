"""``ds-login write-profile``: static credentials for tools that cannot run a process."""

from __future__ import annotations

import dataclasses
import os
from typing import Annotated, Optional

import typer

from credhelper import settings, static_profile, validation
from credhelper.cli.common import ProfileOption, describe_expiry, err_console, provider, resolve_profile


def write_profile(
    profile: ProfileOption = None,
    target: Annotated[
        Optional[str], typer.Option("--target", help="Section to write in ~/.aws/credentials (default: PROFILE-static).")
    ] = None,
) -> None:
    """Write the current credentials as a static profile in the shared credentials file.

    Tools that read that profile do not refresh it: run this again before the
    credentials expire. ds-login logout removes the section.
    """
    name = resolve_profile(profile)
    section = validation.profile_name(target) if target else static_profile.default_target(name)
    credhelper_provider = provider()
    credentials = credhelper_provider.credentials(name)
    path = static_profile.write(os.environ, name, section, credentials)
    profile_settings = credhelper_provider.settings(name)
    if profile_settings.static_profile != section:
        if profile_settings.static_profile:
            static_profile.remove(os.environ, profile_settings.static_profile)
        settings.save(dataclasses.replace(profile_settings, static_profile=section), os.environ)
    err_console.print(f"Wrote [{section}] to {path}; valid until {describe_expiry(credentials)}.", markup=False)
    err_console.print(f"Use it with --profile {section}; ds-login logout --profile {name} removes it.", markup=False)


def register(app: typer.Typer) -> None:
    app.command("write-profile")(write_profile)
