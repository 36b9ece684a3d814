"""ds-login's per-profile settings and the file that keeps them.

The settings live in ds-login's own INI file (``~/.config/ds-login/config``
by default), in ``[profile NAME]`` sections with the standard assume-role key
names (``role_arn``, ``duration_seconds``, ``mfa_serial``, ``external_id``,
``role_session_name``, ``source_profile``, ...). They are kept out of
``~/.aws/config`` on purpose: botocore assumes the role by itself when a
profile there has ``role_arn``, and would then ignore ds-login.
"""

from __future__ import annotations

import configparser
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from credhelper import paths, validation
from credhelper.errors import ConfigurationError, InvalidInputError, ProfileNotFoundError
from credhelper.inifile import IniDocument

log = logging.getLogger(__name__)

DEFAULT_PROFILE = "ds-developer"

_TEXT_KEYS = (
    "region",
    "mfa_serial",
    "role_session_name",
    "external_id",
    "source_profile",
    "source_identity",
    "key_store",
    "session_store",
    "static_profile",
)
_KNOWN_KEYS = {"role_arn", "duration_seconds", "tags", "allow_insecure_endpoints", *_TEXT_KEYS}


@dataclass(frozen=True)
class ProfileSettings:
    """One profile's settings: the role to assume, how, and where its secrets are kept."""

    profile: str
    role_arn: str
    region: str | None = None
    duration_seconds: int = validation.DEFAULT_DURATION_SECONDS
    mfa_serial: str | None = None
    role_session_name: str | None = None
    external_id: str | None = None
    # An AWS profile whose credentials (static, SSO, credential_process or a
    # role) assume the role, instead of a key kept by ds-login.
    source_profile: str | None = None
    source_identity: str | None = None
    tags: tuple[tuple[str, str], ...] = field(default=())  # session tags, (key, value) pairs
    key_store: str | None = None  # backend that keeps the long-lived key
    session_store: str | None = None  # backend that caches the temporary credentials
    static_profile: str | None = None  # section ds-login write-profile wrote in the credentials file
    # Plain http to a non-loopback endpoint, allowed by the team file that set the endpoints.
    allow_insecure_endpoints: bool = False

    def to_values(self) -> dict[str, str]:
        values = {"role_arn": self.role_arn, "duration_seconds": str(self.duration_seconds)}
        for key in _TEXT_KEYS:
            value = getattr(self, key)
            if value:
                values[key] = value
        if self.tags:
            values["tags"] = validation.format_tags(self.tags)
        if self.allow_insecure_endpoints:
            values["allow_insecure_endpoints"] = "true"
        return values


def resolve_profile(explicit: str | None, env: Mapping[str, str], cwd: Path | None = None) -> str:
    """Pick the profile, first found: the flag, DS_LOGIN_PROFILE, AWS_PROFILE when it names a
    ds-login profile, the ``profile`` of the team file in the current repository, the default."""
    if explicit:
        return validation.profile_name(explicit)
    if env.get("DS_LOGIN_PROFILE"):
        return validation.profile_name(env["DS_LOGIN_PROFILE"])
    aws_profile = env.get("AWS_PROFILE")
    if aws_profile and aws_profile in list_profiles(env):
        log.debug("profile %s taken from AWS_PROFILE", aws_profile)
        return aws_profile
    from credhelper import teamfile

    team_path = teamfile.discover(cwd or Path.cwd())
    if team_path is not None:
        team_profile = teamfile.load(team_path).profile
        if team_profile:
            log.debug("profile %s taken from the team file %s", team_profile, team_path)
            return team_profile
    return DEFAULT_PROFILE


def _section(profile: str) -> str:
    return f"profile {profile}"


def check_file_private(path: Path) -> None:
    """Raise ConfigurationError when the settings file may be changed by other users."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_mode & 0o022:
        raise ConfigurationError(
            f"{path} is writable by other users (mode {status.st_mode & 0o777:o}), so its role and commands "
            f"cannot be trusted; check its content, then run: chmod 600 {path}"
        )


def _read_parser(path: Path) -> configparser.RawConfigParser:
    check_file_private(path)
    parser = configparser.RawConfigParser()
    try:
        with open(path, encoding="utf-8-sig") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        pass
    except (configparser.Error, UnicodeDecodeError) as error:
        raise ConfigurationError(f"cannot read {path}: {error}; fix or remove that file") from error
    return parser


def load(profile: str, env: Mapping[str, str]) -> ProfileSettings:
    """Read one profile's settings; raises ProfileNotFoundError when there are none."""
    path = paths.settings_file(env)
    parser = _read_parser(path)
    section = _section(profile)
    if not parser.has_section(section):
        raise ProfileNotFoundError(profile, path)
    values = dict(parser.items(section))
    try:
        return _from_values(profile, values)
    except InvalidInputError as error:
        raise ConfigurationError(f"{path} [{section}]: {error}") from error


def list_profiles(env: Mapping[str, str]) -> list[str]:
    parser = _read_parser(paths.settings_file(env))
    return [name[len("profile ") :] for name in parser.sections() if name.startswith("profile ")]


def save(settings: ProfileSettings, env: Mapping[str, str]) -> Path:
    """Write one profile's settings in place; other sections stay byte for byte."""
    path = paths.settings_file(env)
    check_file_private(path)
    document = IniDocument.load(path)
    removed = tuple(sorted(_KNOWN_KEYS - settings.to_values().keys()))
    document.set_values(_section(settings.profile), settings.to_values(), remove=removed)
    document.save(path)
    return path


def remove(profile: str, env: Mapping[str, str]) -> bool:
    path = paths.settings_file(env)
    if not os.path.exists(path):
        return False
    document = IniDocument.load(path)
    if not document.remove_section(_section(profile)):
        return False
    document.save(path)
    return True


def _optional(values: Mapping[str, str], key: str, check: object) -> str | None:
    value = values.get(key)
    return check(value) if value else None  # type: ignore[operator]


def _from_values(profile: str, values: Mapping[str, str]) -> ProfileSettings:
    from credhelper.store.choice import check_backend_name

    if "role_arn" not in values:
        raise InvalidInputError("role_arn is missing; run ds-login setup again with --role-arn")
    return ProfileSettings(
        profile=profile,
        role_arn=validation.role_arn(values["role_arn"]),
        region=_optional(values, "region", validation.region),
        duration_seconds=validation.duration_seconds(
            values.get("duration_seconds", validation.DEFAULT_DURATION_SECONDS)
        ),
        mfa_serial=_optional(values, "mfa_serial", validation.mfa_serial),
        role_session_name=_optional(values, "role_session_name", validation.role_session_name),
        external_id=_optional(values, "external_id", validation.external_id),
        source_profile=_optional(values, "source_profile", validation.profile_name),
        source_identity=_optional(values, "source_identity", validation.source_identity),
        tags=validation.tags(values["tags"]) if values.get("tags") else (),
        key_store=_optional(values, "key_store", lambda value: check_backend_name(value, "key_store")),
        session_store=_optional(values, "session_store", lambda value: check_backend_name(value, "session_store")),
        static_profile=_optional(values, "static_profile", validation.profile_name),
        allow_insecure_endpoints=_flag(values, "allow_insecure_endpoints"),
    )


def _flag(values: Mapping[str, str], key: str) -> bool:
    value = values.get(key, "false").strip().lower()
    if value not in ("true", "false"):
        raise InvalidInputError(f"invalid {key} = {value!r}; expected true or false")
    return value == "true"
