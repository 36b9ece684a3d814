"""The exception tree and the exit code of each failure class.

The core raises these; only the command-line layer prints them and exits.
Every message names the value that failed and the command that fixes it,
and never contains a secret access key or a session token.
"""

from __future__ import annotations

# Documented exit codes (docs/troubleshooting.md lists them with their fixes).
EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_LOGIN_REQUIRED = 3
EXIT_CONFIGURATION = 4
EXIT_KEYRING = 5
EXIT_AWS_DENIED = 6
EXIT_AWS_UNREACHABLE = 7
EXIT_COMMAND_NOT_FOUND = 127
EXIT_INTERRUPTED = 130


class CredhelperError(Exception):
    """Root of every error that ds-login reports to a person."""

    exit_code = EXIT_UNEXPECTED


class InvalidInputError(CredhelperError):
    """A flag, environment variable or file value is malformed."""

    exit_code = EXIT_USAGE


class ConfigurationError(CredhelperError):
    """A profile, config file or repository is missing or unusable."""

    exit_code = EXIT_CONFIGURATION


class ProfileNotFoundError(ConfigurationError):
    """No ds-login settings exist for the requested profile."""

    def __init__(self, profile: str, settings_file: object) -> None:
        super().__init__(
            f"profile {profile!r} is not set up for ds-login (no section in "
            f"{settings_file}); run: ds-login setup --profile {profile} --role-arn ARN"
        )
        self.profile = profile


class LoginRequiredError(CredhelperError):
    """Fresh credentials need a person: an MFA code or the base keys."""

    exit_code = EXIT_LOGIN_REQUIRED


class KeyringError(CredhelperError):
    """The secret store cannot be used (missing, locked or failing)."""

    exit_code = EXIT_KEYRING


class KeyringLockedError(KeyringError):
    """The OS keyring exists but is locked; the stored items are still there."""


class AwsDeniedError(CredhelperError):
    """AWS rejected the request: bad keys, no permission, or invalid parameters."""

    exit_code = EXIT_AWS_DENIED


class AwsUnreachableError(CredhelperError):
    """AWS cannot be reached: connection refused, timed out, throttled, or a server error."""

    exit_code = EXIT_AWS_UNREACHABLE


class CommandNotFoundError(CredhelperError):
    """The command to run (``exec``, ``dvc``) is not installed or not on PATH."""

    exit_code = EXIT_COMMAND_NOT_FOUND
