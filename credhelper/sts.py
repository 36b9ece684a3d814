"""STS AssumeRole with the person's base keys.

boto3 is imported here, lazily, so that serving cached credentials never pays
for it. Endpoints come only from the standard places botocore reads:
``AWS_ENDPOINT_URL_STS``, ``AWS_ENDPOINT_URL`` and a profile's ``endpoint_url``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
from typing import Any

from credhelper import validation
from credhelper.credentials import BaseKeys, TemporaryCredentials, mask_key_id
from credhelper.errors import AwsDeniedError, AwsUnreachableError, LoginRequiredError
from credhelper.settings import ProfileSettings

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 15
# Sets both timeouts, in seconds, for networks where the defaults do not fit.
TIMEOUT_VARIABLE = "DS_LOGIN_STS_TIMEOUT"
# Total attempts per call, as AWS_MAX_ATTEMPTS sets it for every AWS SDK.
DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_STS_REGION = "us-east-1"
# Set to 1 to use a plain-http endpoint on a host other than a loopback address.
INSECURE_ENDPOINT_VARIABLE = "DS_LOGIN_ALLOW_INSECURE_ENDPOINT"
# AWS caps sessions assumed with temporary credentials (role chaining) at one hour.
MAX_CHAINED_SECONDS = 3600
# SigV4 requests signed more than 5 minutes off AWS's clock are rejected.
MAX_CLOCK_SKEW_SECONDS = 300
_SKEW_CODES = ("RequestExpired", "RequestTimeTooSkewed", "SignatureDoesNotMatch", "InvalidSignatureException")


def max_attempts() -> int:
    value = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_ATTEMPTS


def _timeouts() -> tuple[float, float]:
    value = os.environ.get(TIMEOUT_VARIABLE)
    if value:
        try:
            seconds = float(value)
        except ValueError:
            seconds = 0
        if seconds > 0:
            return seconds, seconds
        log.warning("ignoring invalid %s=%r; expected seconds greater than 0", TIMEOUT_VARIABLE, value)
    return CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS


def clock_offset_seconds(headers: dict[str, str], now: dt.datetime | None = None) -> float | None:
    """Return AWS's clock minus this machine's, from a response's Date header, or None without one."""
    value = headers.get("date")
    if not value:
        return None
    try:
        server_time = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    local_time = now or dt.datetime.now(dt.timezone.utc)
    return (server_time - local_time).total_seconds()


def describe_skew(offset: float) -> str:
    direction = "behind" if offset > 0 else "ahead of"
    return (
        f"this machine's clock is {abs(offset):.0f} s {direction} AWS's; AWS rejects requests more than "
        f"{MAX_CLOCK_SKEW_SECONDS // 60} minutes off, so turn on time synchronisation (e.g. timedatectl set-ntp true)"
    )


def client(
    service: str, base: BaseKeys, region: str | None, aws_profile: str | None, *, allow_insecure: bool = False
) -> Any:
    """Return a boto3 client for ``service`` signed with ``base``, with bounded timeouts and retries.

    Raises InvalidInputError when the endpoint is plain http to a non-loopback
    host, unless ``allow_insecure`` or DS_LOGIN_ALLOW_INSECURE_ENDPOINT=1.
    """
    import boto3
    from botocore.config import Config

    connect_timeout, read_timeout = _timeouts()
    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "max_attempts": max_attempts()},
    )
    # The profile is named only so that botocore applies its endpoint_url and
    # region. The explicit keys keep botocore from resolving credentials
    # through that profile's credential_process, which is ds-login itself.
    session = boto3.Session(profile_name=aws_profile, region_name=region)
    if session.region_name is None:
        # Every region has an STS endpoint; us-east-1 is the region of the global one.
        log.info("no region configured for STS; using %s", DEFAULT_STS_REGION)
        session = boto3.Session(profile_name=aws_profile, region_name=DEFAULT_STS_REGION)
    created = session.client(
        service,
        aws_access_key_id=base.access_key_id,
        aws_secret_access_key=base.secret_access_key,
        aws_session_token=base.session_token or None,
        config=config,
    )
    # The endpoint as botocore resolved it: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile, or AWS's own.
    insecure_allowed = allow_insecure or os.environ.get(INSECURE_ENDPOINT_VARIABLE) == "1"
    validation.endpoint_url(created.meta.endpoint_url, allow_insecure=insecure_allowed)
    return created


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
    if settings.source_identity:
        request["SourceIdentity"] = settings.source_identity
    if settings.tags:
        request["Tags"] = [{"Key": key, "Value": value} for key, value in settings.tags]
    if base.temporary and settings.duration_seconds > MAX_CHAINED_SECONDS:
        log.warning(
            "role %s is assumed with temporary credentials (role chaining), which AWS limits to %d s; "
            "using %d s instead of the configured %d s",
            settings.role_arn,
            MAX_CHAINED_SECONDS,
            MAX_CHAINED_SECONDS,
            settings.duration_seconds,
        )
        request["DurationSeconds"] = MAX_CHAINED_SECONDS
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
        sts_client = client(
            "sts", base, settings.region, aws_profile, allow_insecure=settings.allow_insecure_endpoints
        )
        response = sts_client.assume_role(**request)
    except ClientError as error:
        raise _denied(error, settings, base) from None
    except ProfileNotFound as error:
        raise AwsDeniedError(f"AWS profile {aws_profile!r} not found: {error}") from None
    except BotoCoreError as error:
        raise AwsUnreachableError(
            f"cannot reach AWS STS to assume {settings.role_arn}: {error}; "
            "check your network, proxy and AWS_ENDPOINT_URL* variables, then retry"
        ) from None

    offset = clock_offset_seconds(response.get("ResponseMetadata", {}).get("HTTPHeaders", {}))
    if offset is not None and abs(offset) > MAX_CLOCK_SKEW_SECONDS:
        log.warning("%s", describe_skew(offset))

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
    metadata = error.response.get("ResponseMetadata", {})
    status = metadata.get("HTTPStatusCode", 0)
    if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded") or status >= 500:
        return AwsUnreachableError(
            f"AWS STS returned {code} on each of {max_attempts()} attempts; retry in a few minutes"
        )
    offset = clock_offset_seconds(metadata.get("HTTPHeaders", {}))
    if code in _SKEW_CODES and offset is not None and abs(offset) > MAX_CLOCK_SKEW_SECONDS:
        return AwsDeniedError(f"AWS rejected the request ({code}) because {describe_skew(offset)}")
    if code == "ValidationError" and "role chaining" in message:
        return AwsDeniedError(
            f"AWS limits sessions assumed with temporary credentials to {MAX_CHAINED_SECONDS} s ({message}); "
            f"run: ds-login setup --profile {settings.profile} --role-arn {settings.role_arn} --duration 3600"
        )
    if code == "ValidationError" and "DurationSeconds" in message:
        return AwsDeniedError(
            f"role {settings.role_arn} does not allow sessions of {settings.duration_seconds} s ({message}); "
            f"choose a shorter one with: ds-login setup --profile {settings.profile} --role-arn {settings.role_arn} "
            "--duration 3600"
        )
    key = mask_key_id(base.access_key_id)
    if code in ("InvalidClientTokenId", "SignatureDoesNotMatch"):
        return AwsDeniedError(
            f"AWS rejected access key {key} ({code}); store a valid key with: "
            f"ds-login setup --profile {settings.profile} --role-arn {settings.role_arn}"
        )
    if code == "ExpiredToken":
        return AwsDeniedError(f"the base credentials for {key} have expired; log in to their source again")
    if code == "AccessDenied" and "MultiFactorAuthentication" in message:
        return AwsDeniedError(
            f"AWS rejected the MFA code for {settings.mfa_serial}: it is wrong, expired, or was already used "
            f"(each code works once); wait for the next code and run: ds-login login --profile {settings.profile}"
        )
    if code == "AccessDenied":
        return AwsDeniedError(
            f"AWS denied access key {key} the right to assume {settings.role_arn}: {message}; "
            "ask your AWS admin to allow sts:AssumeRole on that role for your user"
        )
    return AwsDeniedError(f"AssumeRole for {settings.role_arn} failed ({code}): {message}")
