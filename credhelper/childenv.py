"""Environments for the commands ds-login runs (``exec``, ``dvc``).

Credentials travel only in the environment, never in a child's argv, where
any user on the machine could read them from /proc.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for annotations: ds-login dvc imports this module on its fast path.
    from credhelper.credentials import TemporaryCredentials

# Variables that would override a profile in botocore's credential chain.
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)


def with_credentials(
    env: Mapping[str, str], credentials: TemporaryCredentials, region: str | None
) -> dict[str, str]:
    """Return ``env`` plus the temporary credentials as the standard AWS variables."""
    child = {key: value for key, value in env.items() if key not in CREDENTIAL_VARIABLES}
    child.pop("AWS_PROFILE", None)
    child.update(credentials.to_environment())
    if region:
        child.setdefault("AWS_REGION", region)
        child.setdefault("AWS_DEFAULT_REGION", region)
    return child


def with_profile(env: Mapping[str, str], profile: str) -> dict[str, str]:
    """Return ``env`` set to use the ds-login profile, without stale keys that would shadow it.

    Tools that read the profile (DVC's S3 remote through aiobotocore, boto3,
    the AWS CLI) run ds-login's credential_process again when the
    credentials near expiry, which static keys in the environment never do.
    """
    child = {key: value for key, value in env.items() if key not in CREDENTIAL_VARIABLES}
    child["AWS_PROFILE"] = profile
    child.pop("AWS_DEFAULT_PROFILE", None)
    return child


def with_credential_server(env: Mapping[str, str], server_variables: Mapping[str, str]) -> dict[str, str]:
    """Return ``env`` pointed at a local credential server, with no keys and no profile that would win over it."""
    child = {key: value for key, value in env.items() if key not in CREDENTIAL_VARIABLES}
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        child.pop(name, None)
    child.update(server_variables)
    return child
