"""The team file: what is the same for everyone on a team, committed in the team's repository.

A file named ``ds-login.toml`` at the top of the repository (or passed with
``--team``)::

    role_arn = "arn:aws:iam::123456789012:role/developer"
    region = "eu-west-1"
    bucket = "team-dvc-data"          # the DVC bucket, checked by ds-login doctor
    dvc_remote = "storage"            # the DVC remote that points at it
    duration_seconds = 3600
    mfa_required = true               # setup then prompts each person for their MFA device
    profile = "ds-developer"          # the profile name everyone uses

    [endpoints]                       # only for S3-compatible stores or local tests
    sts = "http://127.0.0.1:5000"
    s3 = "http://127.0.0.1:5000"

Every value is checked when the file is read; an error names the file, the
key, the bad value and the expected form.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credhelper import validation
from credhelper.errors import InvalidInputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE_NAME = "ds-login.toml"
_KEYS = {
    "role_arn",
    "region",
    "bucket",
    "dvc_remote",
    "duration_seconds",
    "mfa_required",
    "profile",
    "external_id",
    "allow_insecure_endpoints",
    "endpoints",
}
_ENDPOINT_SERVICES = ("sts", "s3")


@dataclass(frozen=True)
class TeamFile:
    """The settings a team shares, read from one file."""

    path: Path
    role_arn: str
    region: str | None = None
    bucket: str | None = None
    dvc_remote: str | None = None
    duration_seconds: int | None = None
    mfa_required: bool = False
    profile: str | None = None
    external_id: str | None = None
    endpoints: dict[str, str] = field(default_factory=dict)  # service name -> endpoint URL
    allow_insecure_endpoints: bool = False


def discover(start: Path) -> Path | None:
    """Return the nearest ds-login.toml in ``start`` or a parent folder, stopping at a repository's top."""
    for folder in (start, *start.parents):
        candidate = folder / FILE_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists() or (folder / ".dvc").is_dir():
            return None
    return None


def _fail(path: Path, key: str, value: object, expected: str) -> InvalidInputError:
    return InvalidInputError(f"{path}: invalid {key} = {value!r}; expected {expected}")


def _text(path: Path, data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, value, "a non-empty string in double quotes")
    return value.strip()


def _checked(path: Path, key: str, value: str | None, check: Any, expected: str) -> Any:
    if value is None:
        return None
    try:
        return check(value)
    except InvalidInputError:
        raise _fail(path, key, value, expected) from None


def load(path: Path) -> TeamFile:
    """Read and check a team file; raises InvalidInputError naming the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"team file {path} not found; check the path given to --team") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"cannot read team file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(f"{path} is not valid TOML: {error}") from None

    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InvalidInputError(f"{path}: unknown key {unknown[0]!r}; known keys: {', '.join(sorted(_KEYS))}")
    if "role_arn" not in data:
        raise InvalidInputError(f'{path}: role_arn is missing; add role_arn = "arn:aws:iam::<account>:role/<name>"')

    role_arn = _checked(path, "role_arn", _text(path, data, "role_arn"), validation.role_arn, "arn:aws:iam::<12-digit account>:role/<name>")
    region = _checked(path, "region", _text(path, data, "region"), validation.region, 'a region code such as "eu-west-1"')
    bucket = _checked(path, "bucket", _text(path, data, "bucket"), validation.bucket_name, 'an S3 bucket name such as "team-dvc-data"')
    profile = _checked(path, "profile", _text(path, data, "profile"), validation.profile_name, 'a profile name such as "ds-developer"')
    external_id = _checked(path, "external_id", _text(path, data, "external_id"), validation.external_id, "2 to 1224 characters")
    dvc_remote = _text(path, data, "dvc_remote")

    duration = data.get("duration_seconds")
    if duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, int):
            raise _fail(path, "duration_seconds", duration, "a whole number of seconds without quotes, e.g. 3600")
        duration = _checked(path, "duration_seconds", duration, validation.duration_seconds, "900 to 43200")

    mfa_required = data.get("mfa_required", False)
    if not isinstance(mfa_required, bool):
        raise _fail(path, "mfa_required", mfa_required, "true or false, without quotes")
    allow_insecure = data.get("allow_insecure_endpoints", False)
    if not isinstance(allow_insecure, bool):
        raise _fail(path, "allow_insecure_endpoints", allow_insecure, "true or false, without quotes")

    endpoints = data.get("endpoints", {})
    if not isinstance(endpoints, dict):
        raise _fail(path, "endpoints", endpoints, "a table: [endpoints] with sts = and s3 = lines")
    checked_endpoints = {}
    for service, url in endpoints.items():
        if service not in _ENDPOINT_SERVICES:
            raise _fail(path, f"endpoints.{service}", url, f"one of the services {', '.join(_ENDPOINT_SERVICES)}")
        if not isinstance(url, str):
            raise _fail(path, f"endpoints.{service}", url, 'a URL in double quotes, e.g. "https://s3.example.com"')
        checked_endpoints[service] = _checked(
            path,
            f"endpoints.{service}",
            url,
            lambda value: validation.endpoint_url(value, allow_insecure=allow_insecure),
            "an https:// URL (http:// only for 127.0.0.1 or localhost, or with allow_insecure_endpoints = true)",
        )

    return TeamFile(
        path=path,
        role_arn=role_arn,
        region=region,
        bucket=bucket,
        dvc_remote=dvc_remote,
        duration_seconds=duration,
        mfa_required=mfa_required,
        profile=profile,
        external_id=external_id,
        endpoints=checked_endpoints,
        allow_insecure_endpoints=allow_insecure,
    )
