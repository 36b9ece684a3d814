"""Prompting on the controlling terminal, for callers whose stdin and stderr are captured.

botocore runs a credential_process with stdout and stderr captured and shows
stderr only after a non-zero exit, so a prompt written there would look like a
hang. ``/dev/tty`` reaches the person at the keyboard whatever was redirected.
"""

from __future__ import annotations

import getpass

from credhelper import validation
from credhelper.errors import KeyringError, LoginRequiredError
from credhelper.settings import ProfileSettings


def prompt_mfa_on_tty(settings: ProfileSettings) -> str:
    """Ask for the MFA code on /dev/tty; raise LoginRequiredError when there is no terminal."""
    # Unbuffered binary mode: a text or buffered "r+" stream needs a seekable
    # file, which a terminal is not.
    try:
        tty = open("/dev/tty", "r+b", buffering=0)  # noqa: SIM115 - closed below
    except OSError:
        raise LoginRequiredError(
            f"profile {settings.profile!r} needs an MFA code and there is no terminal to ask on; "
            f"run: ds-login login --profile {settings.profile}"
        ) from None
    with tty:
        tty.write(f"ds-login: MFA code for {settings.mfa_serial}: ".encode())
        return validation.mfa_code(tty.readline().decode("utf-8", errors="replace"))


def prompt_secret_on_tty(label: str) -> str:
    """Ask for a hidden value (the encrypted store's passphrase) on /dev/tty."""
    try:
        with open("/dev/tty", "r+b", buffering=0):
            pass
    except OSError:
        raise KeyringError(
            "the encrypted key file needs its passphrase and there is no terminal to ask on; set DS_LOGIN_PASSPHRASE"
        ) from None
    # getpass reads from /dev/tty itself when it can open it.
    return getpass.getpass(f"ds-login: {label}")
