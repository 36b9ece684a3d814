"""Credential values: long-lived base keys and temporary role credentials.

Neither class shows its secret parts in ``repr`` or ``str``, so a value that
reaches a log line or a traceback cannot leak them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from credhelper.hotpath import REFRESH_WINDOW_SECONDS

REFRESH_WINDOW = dt.timedelta(seconds=REFRESH_WINDOW_SECONDS)


def mask_key_id(access_key_id: str) -> str:
    """Return an access key id with all but its first 4 and last 4 characters hidden."""
    if len(access_key_id) <= 8:
        return "*" * len(access_key_id)
    return f"{access_key_id[:4]}{'*' * (len(access_key_id) - 8)}{access_key_id[-4:]}"


def format_rfc3339(moment: dt.datetime) -> str:
    """Format an aware datetime as RFC 3339 UTC with a ``Z`` suffix, whole seconds."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> dt.datetime:
    """Parse the RFC 3339 timestamps that STS and botocore write (``Z`` or offset)."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no time zone")
    return moment.astimezone(dt.timezone.utc)


@dataclass(frozen=True)
class BaseKeys:
    """The credentials that call AssumeRole: an IAM user key, or a source profile's credentials.

    ``session_token`` is set only when they are temporary themselves (SSO, a
    role), which makes the AssumeRole call role chaining.
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"BaseKeys(access_key_id={mask_key_id(self.access_key_id)!r})"

    @property
    def temporary(self) -> bool:
        return bool(self.session_token)

    def to_json(self) -> str:
        return json.dumps(
            {"AccessKeyId": self.access_key_id, "SecretAccessKey": self.secret_access_key}
        )

    @classmethod
    def from_json(cls, text: str) -> BaseKeys:
        data = json.loads(text)
        return cls(str(data["AccessKeyId"]), str(data["SecretAccessKey"]))


@dataclass(frozen=True)
class TemporaryCredentials:
    """Role credentials from STS AssumeRole, with their expiry and identity."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: dt.datetime
    assumed_role_arn: str = ""
    role_arn: str = ""

    def __repr__(self) -> str:
        return (
            f"TemporaryCredentials(access_key_id={mask_key_id(self.access_key_id)!r}, "
            f"expiration={format_rfc3339(self.expiration)!r}, "
            f"assumed_role_arn={self.assumed_role_arn!r})"
        )

    def remaining(self, now: dt.datetime) -> dt.timedelta:
        return self.expiration - now

    def is_fresh(self, now: dt.datetime, window: dt.timedelta = REFRESH_WINDOW) -> bool:
        """Tell whether more than ``window`` remains before expiry at ``now``."""
        return self.remaining(now) > window

    @property
    def account_id(self) -> str:
        """The account id from the assumed-role ARN, or "" when unknown."""
        parts = self.assumed_role_arn.split(":")
        return parts[4] if len(parts) > 4 else ""

    def to_process_output(self) -> dict[str, object]:
        """Return the JSON object that botocore expects from a credential_process."""
        return {
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": format_rfc3339(self.expiration),
        }

    def to_environment(self) -> dict[str, str]:
        """Return the standard AWS variables for these credentials."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
            "AWS_CREDENTIAL_EXPIRATION": format_rfc3339(self.expiration),
        }

    def to_json(self) -> str:
        """Serialise for the cache; the inverse of :meth:`from_json`."""
        data = self.to_process_output()
        data["AssumedRoleArn"] = self.assumed_role_arn
        data["RoleArn"] = self.role_arn
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> TemporaryCredentials:
        """Parse a cache entry; raises ValueError, KeyError or TypeError when it is damaged."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("cache entry is not a JSON object")
        return cls(
            access_key_id=str(data["AccessKeyId"]),
            secret_access_key=str(data["SecretAccessKey"]),
            session_token=str(data["SessionToken"]),
            expiration=parse_rfc3339(str(data["Expiration"])),
            assumed_role_arn=str(data.get("AssumedRoleArn", "")),
            role_arn=str(data.get("RoleArn", "")),
        )
