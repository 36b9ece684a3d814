"""ds-login's per-profile settings and the file that keeps them.

The settings live in ds-login's own INI file (``~/.config/ds-login/config``
by default), in ``[profile NAME]`` sections with the standard assume-role key
names (``role_arn``, ``duration_seconds``, ``mfa_serial``, ...). They are kept
out of ``~/.aws/config`` on purpose: botocore assumes the role by itself when
a profile there has ``role_arn``, and would then ignore ds-login.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from credhelper import paths, validation
from credhelper.errors import ConfigurationError, InvalidInputError, ProfileNotFoundError
from credhelper.inifile import IniDocument

DEFAULT_PROFILE = "ds-developer"

_KNOWN_KEYS = {
    "role_arn",
    "region",
    "duration_seconds",
    "mfa_serial",
    "role_session_name",
    "external_id",
    "key_store",
    "session_store",
}
_OPTIONAL_TEXT_KEYS = ("mfa_serial", "role_session_name", "external_id", "key_store", "session_store")


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
    key_store: str | None = None  # backend that keeps the long-lived key
    session_store: str | None = None  # backend that caches the temporary credentials

    def to_values(self) -> dict[str, str]:
        values = {"role_arn": self.role_arn, "duration_seconds": str(self.duration_seconds)}
        optional = {
            "region": self.region,
            "mfa_serial": self.mfa_serial,
            "role_session_name": self.role_session_name,
            "external_id": self.external_id,
            "key_store": self.key_store,
            "session_store": self.session_store,
        }
        values.update({key: value for key, value in optional.items() if value})
        return values


def resolve_profile(explicit: str | None, env: Mapping[str, str]) -> str:
    """Pick the profile: the flag, else DS_LOGIN_PROFILE, else the default name."""
    name = explicit or env.get("DS_LOGIN_PROFILE") or DEFAULT_PROFILE
    return validation.profile_name(name)


def _section(profile: str) -> str:
    return f"profile {profile}"


def _read_parser(path: Path) -> configparser.RawConfigParser:
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


def _from_values(profile: str, values: Mapping[str, str]) -> ProfileSettings:
    if "role_arn" not in values:
        raise InvalidInputError("role_arn is missing; run ds-login setup again with --role-arn")
    from credhelper.store.choice import check_backend_name

    optional = {key: values[key] for key in _OPTIONAL_TEXT_KEYS if values.get(key)}
    return ProfileSettings(
        profile=profile,
        role_arn=validation.role_arn(values["role_arn"]),
        region=validation.region(values["region"]) if values.get("region") else None,
        duration_seconds=validation.duration_seconds(
            values.get("duration_seconds", validation.DEFAULT_DURATION_SECONDS)
        ),
        mfa_serial=validation.mfa_serial(optional["mfa_serial"]) if "mfa_serial" in optional else None,
        role_session_name=(
            validation.role_session_name(optional["role_session_name"]) if "role_session_name" in optional else None
        ),
        external_id=validation.external_id(optional["external_id"]) if "external_id" in optional else None,
        key_store=check_backend_name(optional["key_store"], "key_store") if "key_store" in optional else None,
        session_store=(
            check_backend_name(optional["session_store"], "session_store") if "session_store" in optional else None
        ),
    )
