"""STS AssumeRole with the person's base keys.

boto3 is imported here, lazily, so that serving cached credentials never pays
for it. Endpoints come only from the standard places botocore reads:
``AWS_ENDPOINT_URL_STS``, ``AWS_ENDPOINT_URL`` and a profile's ``endpoint_url``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from credhelper import validation
from credhelper.credentials import BaseKeys, TemporaryCredentials, mask_key_id
from credhelper.errors import AwsDeniedError, AwsUnreachableError, LoginRequiredError
from credhelper.settings import ProfileSettings

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 15
MAX_ATTEMPTS = 4
DEFAULT_STS_REGION = "us-east-1"


def _client(base: BaseKeys, region: str | None, aws_profile: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
    )
    # The profile is named only so that botocore applies its endpoint_url and
    # region; the explicit keys keep botocore from resolving credentials
    # through that profile's credential_process, which is ds-login itself.
    session = boto3.Session(profile_name=aws_profile, region_name=region)
    if session.region_name is None:
        # Every region has an STS endpoint; us-east-1 is the region of the global one.
        log.info("no region configured for STS; using %s", DEFAULT_STS_REGION)
        session = boto3.Session(profile_name=aws_profile, region_name=DEFAULT_STS_REGION)
    return session.client(
        "sts",
        aws_access_key_id=base.access_key_id,
        aws_secret_access_key=base.secret_access_key,
        config=config,
    )


def assume_role(
    base: BaseKeys,
    settings: ProfileSettings,
    *,
    aws_profile: str | None,
    mfa_code: str | None = None,
) -> TemporaryCredentials:
    """Call AssumeRole for ``settings.role_arn`` and return the temporary credentials.

    Raises AwsDeniedError when AWS rejects the keys or the request,
    AwsUnreachableError when AWS cannot be reached, and LoginRequiredError when
    the role needs an MFA code that was not given.
    """
    from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

    session_name = settings.role_session_name or validation.session_name_for_user()
    request: dict[str, Any] = {
        "RoleArn": settings.role_arn,
        "RoleSessionName": session_name,
        "DurationSeconds": settings.duration_seconds,
    }
    if settings.external_id:
        request["ExternalId"] = settings.external_id
    if settings.mfa_serial:
        if not mfa_code:
            raise LoginRequiredError(
                f"role {settings.role_arn} needs an MFA code from {settings.mfa_serial}; "
                f"run: ds-login login --profile {settings.profile}"
            )
        request["SerialNumber"] = settings.mfa_serial
        request["TokenCode"] = mfa_code

    log.info(
        "assuming role %s as session %s with access key %s",
        settings.role_arn,
        session_name,
        mask_key_id(base.access_key_id),
    )
    try:
        client = _client(base, settings.region, aws_profile)
        response = client.assume_role(**request)
    except ClientError as error:
        raise _denied(error, settings, base) from None
    except ProfileNotFound as error:
        raise AwsDeniedError(f"AWS profile {aws_profile!r} not found: {error}") from None
    except BotoCoreError as error:
        raise AwsUnreachableError(
            f"cannot reach AWS STS to assume {settings.role_arn}: {error}; "
            "check your network, proxy and AWS_ENDPOINT_URL* variables, then retry"
        ) from None

    issued = response["Credentials"]
    return TemporaryCredentials(
        access_key_id=issued["AccessKeyId"],
        secret_access_key=issued["SecretAccessKey"],
        session_token=issued["SessionToken"],
        expiration=issued["Expiration"],
        assumed_role_arn=response.get("AssumedRoleUser", {}).get("Arn", ""),
        role_arn=settings.role_arn,
    )


def _denied(error: Any, settings: ProfileSettings, base: BaseKeys) -> Exception:
    """Build the error for a rejected AssumeRole; the message never repeats request data."""
    code = error.response.get("Error", {}).get("Code", "Unknown")
    message = error.response.get("Error", {}).get("Message", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded") or status >= 500:
        return AwsUnreachableError(f"AWS STS returned {code} on each of {MAX_ATTEMPTS} attempts; retry in a few minutes")
    key = mask_key_id(base.access_key_id)
    if code in ("InvalidClientTokenId", "SignatureDoesNotMatch"):
        return AwsDeniedError(
            f"AWS rejected access key {key} ({code}); store a valid key with: "
            f"ds-login setup --profile {settings.profile} --role-arn {settings.role_arn}"
        )
    if code == "ExpiredToken":
        return AwsDeniedError(f"the base credentials for {key} have expired; log in to their source again")
    if code == "AccessDenied":
        return AwsDeniedError(
            f"AWS denied access key {key} the right to assume {settings.role_arn}: {message}; "
            "ask your AWS admin to allow sts:AssumeRole on that role for your user"
        )
    return AwsDeniedError(f"AssumeRole for {settings.role_arn} failed ({code}): {message}")
