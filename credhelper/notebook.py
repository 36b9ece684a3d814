"""The ``%ds_login`` IPython magic: log in from a notebook and point the kernel at the profile."""

from __future__ import annotations

import argparse
import getpass
import os
import shlex
from typing import Any

from credhelper import childenv, settings, validation
from credhelper.errors import CredhelperError
from credhelper.provider import Provider


def _prompt_mfa(profile_settings: settings.ProfileSettings) -> str:
    return validation.mfa_code(getpass.getpass(f"MFA code for {profile_settings.mfa_serial}: "))


def ds_login(line: str, *, environ: Any = None) -> str:
    """Log in for a profile and set AWS_PROFILE in the kernel; return a one-line summary.

    Usage: ``%ds_login [--profile NAME] [--mfa-code CODE] [--force]``. The MFA
    code is asked for in the notebook when the role needs one. Leftover
    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN variables
    are removed from the kernel, because they would override the profile.
    """
    environment = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="%ds_login", add_help=False)
    parser.add_argument("--profile")
    parser.add_argument("--mfa-code")
    parser.add_argument("--force", action="store_true")
    options = parser.parse_args(shlex.split(line))

    name = settings.resolve_profile(options.profile, environment)
    code = validation.mfa_code(options.mfa_code) if options.mfa_code else None
    provider = Provider(env=environment, mfa_prompt=_prompt_mfa)
    credentials = provider.credentials(name, force=options.force, mfa_code=code)

    for variable in childenv.CREDENTIAL_VARIABLES:
        environment.pop(variable, None)
    environment["AWS_PROFILE"] = name
    minutes = int(credentials.remaining(provider.clock()).total_seconds() // 60)
    return f"Logged in as {credentials.assumed_role_arn}, {minutes} min left; AWS_PROFILE={name} in this kernel."


def register(ipython: Any) -> None:
    def magic(line: str) -> None:
        try:
            print(ds_login(line))
        except CredhelperError as error:
            print(f"ds-login: {error}")
        except SystemExit:
            print("usage: %ds_login [--profile NAME] [--mfa-code CODE] [--force]")

    ipython.register_magic_function(magic, magic_kind="line", magic_name="ds_login")
