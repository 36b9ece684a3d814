"""Prompting on the controlling terminal, for callers whose stdin and stderr are captured.

botocore runs a credential_process with stdout and stderr captured and shows
stderr only after a non-zero exit, so a prompt written there would look like a
hang. ``/dev/tty`` reaches the person at the keyboard whatever was redirected.
"""

from __future__ import annotations

from credhelper import validation
from credhelper.errors import LoginRequiredError
from credhelper.settings import ProfileSettings


def prompt_mfa_on_tty(settings: ProfileSettings) -> str:
    """Ask for the MFA code on /dev/tty; raise LoginRequiredError when there is no terminal."""
    try:
        tty = open("/dev/tty", "r+", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError:
        raise LoginRequiredError(
            f"profile {settings.profile!r} needs an MFA code and there is no terminal to ask on; "
            f"run: ds-login login --profile {settings.profile}"
        ) from None
    with tty:
        tty.write(f"ds-login: MFA code for {settings.mfa_serial}: ")
        tty.flush()
        return validation.mfa_code(tty.readline())
