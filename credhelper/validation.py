"""Checks for every value a person can pass to ds-login.

Each check returns the normalised value or raises InvalidInputError naming
the value, the expected form and, where it helps, an example.
"""

from __future__ import annotations

import getpass
import ipaddress
import re
from urllib.parse import urlsplit

from credhelper.errors import InvalidInputError

MIN_DURATION_SECONDS = 900
MAX_DURATION_SECONDS = 43200
DEFAULT_DURATION_SECONDS = 3600

_PARTITIONS = "aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc"
_ROLE_ARN_RE = re.compile(
    rf"arn:(?P<partition>{_PARTITIONS}):iam::(?P<account>\d{{12}}):role"
    r"(?P<path>/(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]{1,64})",
    re.ASCII,
)
_PROFILE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
# STS SerialNumber: 9 to 256 characters of [\w+=/:,.@-] (AssumeRole API reference).
_MFA_SERIAL_RE = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
_SESSION_NAME_INVALID = re.compile(r"[^\w+=,.@-]", re.ASCII)
_SESSION_NAME_VALID = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_EXTERNAL_ID_RE = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)


def role_arn(value: str) -> str:
    value = value.strip()
    if not _ROLE_ARN_RE.fullmatch(value):
        raise InvalidInputError(
            f"invalid role ARN {value!r}; expected arn:aws:iam::<12-digit account>:role/<name>, "
            "for example arn:aws:iam::123456789012:role/developer"
        )
    return value


def profile_name(value: str) -> str:
    if not _PROFILE_RE.fullmatch(value):
        raise InvalidInputError(
            f"invalid profile name {value!r}; use 1 to 64 letters, digits and . _ @ + -, "
            "starting with a letter or digit, for example ds-developer"
        )
    return value


def region(value: str) -> str:
    value = value.strip()
    if not _REGION_RE.fullmatch(value):
        raise InvalidInputError(f"invalid AWS region {value!r}; expected a region code such as eu-west-1")
    return value


def duration_seconds(value: int | str) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"invalid duration {value!r}; expected whole seconds, for example 3600") from None
    if not MIN_DURATION_SECONDS <= seconds <= MAX_DURATION_SECONDS:
        raise InvalidInputError(
            f"invalid duration {seconds}; STS accepts {MIN_DURATION_SECONDS} to {MAX_DURATION_SECONDS} seconds"
        )
    return seconds


def mfa_serial(value: str) -> str:
    value = value.strip()
    if not _MFA_SERIAL_RE.fullmatch(value):
        raise InvalidInputError(
            f"invalid MFA device {value!r}; expected its ARN, for example arn:aws:iam::123456789012:mfa/jdoe"
        )
    return value


def mfa_code(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[0-9]{6}", value):
        raise InvalidInputError("invalid MFA code: expected the 6 digits shown by your authenticator app")
    return value


def external_id(value: str) -> str:
    if not _EXTERNAL_ID_RE.fullmatch(value):
        raise InvalidInputError(
            f"invalid external id {value!r}; STS accepts 2 to 1224 characters of letters, digits and +=,.@:/-"
        )
    return value


def role_session_name(value: str) -> str:
    if not _SESSION_NAME_VALID.fullmatch(value):
        raise InvalidInputError(
            f"invalid role session name {value!r}; STS accepts 2 to 64 letters, digits and +=,.@-"
        )
    return value


def session_name_for_user(user: str | None = None) -> str:
    """Build a valid STS session name from an OS user name such as ``CORP\\jdoe``.

    Characters that STS rejects become ``-``, the result is cut to 64
    characters, and a name shorter than 2 characters is prefixed.
    """
    if user is None:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "user"
    name = _SESSION_NAME_INVALID.sub("-", user.strip()).strip("-")
    if len(name) < 2:
        name = f"ds-login-{name}".rstrip("-")
    return name[:64]


def endpoint_url(value: str, *, allow_insecure: bool = False) -> str:
    """Accept https URLs, and http only for loopback hosts unless ``allow_insecure``."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"invalid endpoint URL {value!r}; expected https://host[:port]")
    if parts.scheme == "http" and not allow_insecure and not _is_loopback(parts.hostname):
        raise InvalidInputError(
            f"endpoint URL {value!r} uses plain http to a non-loopback host; use https, or set "
            "DS_LOGIN_ALLOW_INSECURE_ENDPOINT=1 if the network to that host is trusted"
        )
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Session tags (STS AssumeRole Tags): keys of 1 to 128 and values of up to 256
# letters, digits, spaces and _ . : / = + - @, at most 50 tags per session.
_TAG_TEXT_RE = re.compile(r"[\w .:/=+\-@]*")
MAX_TAGS = 50


def tag(text: str) -> tuple[str, str]:
    """Parse one ``KEY=VALUE`` session tag."""
    key, separator, value = text.partition("=")
    key, value = key.strip(), value.strip()
    if not separator or not 1 <= len(key) <= 128 or len(value) > 256 or "=" in key:
        raise InvalidInputError(f"invalid session tag {text!r}; expected KEY=VALUE, for example team=ml")
    if not _TAG_TEXT_RE.fullmatch(key) or not _TAG_TEXT_RE.fullmatch(value):
        raise InvalidInputError(
            f"invalid session tag {text!r}; STS accepts letters, digits, spaces and _ . : / = + - @"
        )
    return key, value


def tags(text: str) -> tuple[tuple[str, str], ...]:
    """Parse comma-separated ``KEY=VALUE`` session tags, as kept in the settings file."""
    parsed = tuple(tag(part) for part in text.split(",") if part.strip())
    if len(parsed) > MAX_TAGS:
        raise InvalidInputError(f"{len(parsed)} session tags given; STS accepts at most {MAX_TAGS}")
    return parsed


def format_tags(pairs: tuple[tuple[str, str], ...]) -> str:
    return ",".join(f"{key}={value}" for key, value in pairs)


def source_identity(value: str) -> str:
    if not re.fullmatch(r"[\w+=,.@-]{2,64}", value, re.ASCII):
        raise InvalidInputError(
            f"invalid source identity {value!r}; STS accepts 2 to 64 letters, digits and +=,.@-"
        )
    return value


def bucket_name(value: str) -> str:
    """Check an S3 bucket name (an ``s3://`` prefix is dropped): 3 to 63 lower-case letters, digits, . and -."""
    name = value.removeprefix("s3://").rstrip("/")
    valid = 3 <= len(name) <= 63 and all(character.islower() or character.isdigit() or character in ".-" for character in name)
    if not valid or not (name[0].isalnum() and name[-1].isalnum()) or not name.isascii():
        raise InvalidInputError(f"invalid S3 bucket name {value!r}; expected 3 to 63 lower-case letters, digits, . and -")
    return name
