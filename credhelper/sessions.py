"""boto3 sessions whose credentials come from ds-login in-process and refresh themselves.

A notebook or a long-running job calls ``credhelper.session()`` once. botocore
then calls ds-login for new credentials whenever fewer than 15 minutes remain,
in the same process instead of through a ``credential-process`` subprocess.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from botocore.credentials import CredentialProvider, RefreshableCredentials

from credhelper import awsfiles, settings
from credhelper.credentials import TemporaryCredentials, format_rfc3339
from credhelper.provider import Provider

log = logging.getLogger(__name__)


class DsLoginCredentialProvider(CredentialProvider):  # type: ignore[misc]
    """A botocore credential provider that gets and refreshes credentials through a ds-login Provider."""

    METHOD = "ds-login"
    CANONICAL_NAME = "ds-login"

    def __init__(self, fetch: Callable[[], TemporaryCredentials]) -> None:
        super().__init__()
        self._fetch = fetch

    def _metadata(self) -> dict[str, str]:
        credentials = self._fetch()
        return {
            "access_key": credentials.access_key_id,
            "secret_key": credentials.secret_access_key,
            "token": credentials.session_token,
            "expiry_time": format_rfc3339(credentials.expiration),
        }

    def load(self) -> RefreshableCredentials:
        return RefreshableCredentials.create_from_metadata(
            metadata=self._metadata(), refresh_using=self._metadata, method=self.METHOD
        )


def session(
    profile: str | None = None, *, region_name: str | None = None, provider: Provider | None = None
) -> Any:
    """Return a boto3 Session that uses ds-login's credentials for ``profile``.

    The profile's region is the default region. When the AWS config file has
    the profile, its other settings (endpoint_url, s3 options) apply too.
    Raises the same errors as ``ds-login credential-process``.
    """
    import boto3
    import botocore.session

    name = settings.resolve_profile(profile, os.environ)
    active = provider or Provider(env=os.environ)
    profile_settings = active.settings(name)

    botocore_session = botocore.session.Session(profile=name if awsfiles.aws_profile_exists(os.environ, name) else None)
    resolver = botocore_session.get_component("credential_provider")
    # First in the chain, ahead of environment variables that may be stale.
    # botocore leaves "env" out of the chain when a profile is named, so the
    # first provider present is the anchor.
    resolver.insert_before(resolver.providers[0].METHOD, DsLoginCredentialProvider(lambda: active.credentials(name)))
    log.debug("boto3 session for profile %s uses ds-login in-process", name)
    return boto3.Session(botocore_session=botocore_session, region_name=region_name or profile_settings.region)
