"""Reading and editing the AWS config and shared credentials files.

Values are read with botocore's own loader, so ds-login reads the same values
as the AWS CLI and boto3. Edits go through the round-trip editor in ``inifile``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from credhelper import paths
from credhelper.credentials import BaseKeys
from credhelper.errors import ConfigurationError, LoginRequiredError
from credhelper.inifile import IniDocument, botocore_identity

# Keys that make botocore take credentials from somewhere other than
# credential_process, because its providers for them run first.
SHADOWING_KEYS = (
    "role_arn",
    "source_profile",
    "credential_source",
    "web_identity_token_file",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
)


def _config_section(profile: str) -> str:
    return "default" if profile == "default" else f"profile {profile}"


def load_config_profiles(env: Mapping[str, str]) -> dict[str, dict[str, object]]:
    """Return the profiles of the AWS config file as botocore parses them."""
    from botocore.configloader import load_config
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    path = paths.aws_config_file(env)
    try:
        return dict(load_config(str(path)).get("profiles", {}))
    except ConfigNotFound:
        return {}
    except ConfigParseError as error:
        raise ConfigurationError(f"cannot parse {path}: {error}; fix that file and retry") from error


def load_credentials_profiles(env: Mapping[str, str]) -> dict[str, dict[str, object]]:
    """Return the sections of the shared credentials file as botocore parses them."""
    from botocore.configloader import raw_config_parse
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    path = paths.aws_credentials_file(env)
    try:
        return dict(raw_config_parse(str(path)))
    except ConfigNotFound:
        return {}
    except ConfigParseError as error:
        raise ConfigurationError(f"cannot parse {path}: {error}; fix that file and retry") from error


def aws_profile_exists(env: Mapping[str, str], profile: str) -> bool:
    return profile in load_config_profiles(env) or profile in load_credentials_profiles(env)


def profile_credentials(profile: str) -> BaseKeys:
    """Resolve a profile's credentials exactly as botocore does: static keys, SSO, credential_process or a role.

    Raises LoginRequiredError when the profile yields none (an SSO session
    that needs ``aws sso login``, for example).
    """
    import botocore.session
    from botocore.exceptions import BotoCoreError

    try:
        credentials = botocore.session.Session(profile=profile).get_credentials()
    except BotoCoreError as error:
        raise LoginRequiredError(
            f"cannot get credentials from AWS profile {profile!r}: {error}; log in to that profile "
            f"(for SSO: aws sso login --profile {profile}) and retry"
        ) from None
    if credentials is None:
        raise LoginRequiredError(f"AWS profile {profile!r} has no credentials; log in to it and retry")
    frozen = credentials.get_frozen_credentials()
    return BaseKeys(frozen.access_key, frozen.secret_key, frozen.token or "")


def read_static_keys(env: Mapping[str, str], profile: str) -> BaseKeys | None:
    """Return the long-lived keys a profile has in plaintext, credentials file first."""
    for section in (load_credentials_profiles(env).get(profile), load_config_profiles(env).get(profile)):
        if section and section.get("aws_access_key_id") and section.get("aws_secret_access_key"):
            return BaseKeys(str(section["aws_access_key_id"]), str(section["aws_secret_access_key"]))
    return None


def read_region(env: Mapping[str, str], profile: str) -> str | None:
    """Return a profile's region from the config file, else from the credentials file."""
    for section in (load_config_profiles(env).get(profile), load_credentials_profiles(env).get(profile)):
        if section and section.get("region"):
            return str(section["region"])
    return None


def check_editable(env: Mapping[str, str]) -> None:
    """Raise ConfigurationError now when the AWS config or credentials file could not be edited later."""
    IniDocument.load(paths.aws_config_file(env), botocore_identity)
    IniDocument.load(paths.aws_credentials_file(env))


def services_section_name(profile: str) -> str:
    return f"ds-login-{profile}"


def write_process_profile(
    env: Mapping[str, str],
    profile: str,
    command: str,
    region: str | None,
    endpoints: Mapping[str, str] | None = None,
) -> tuple[Path, list[str]]:
    """Point ``profile`` in the AWS config file at ds-login; return the file and the keys removed.

    Keys that would make botocore ignore credential_process are removed from
    that one section; every other line of the file stays as it was.
    ``endpoints`` (service name to URL, e.g. from a team file) go into a
    ``[services ds-login-PROFILE]`` section that the profile names, the
    standard place for per-service ``endpoint_url`` since botocore 1.31.
    """
    path = paths.aws_config_file(env)
    document = IniDocument.load(path, botocore_identity)
    section = _config_section(profile)
    present = document.keys(section)
    removed = [key for key in SHADOWING_KEYS if key in present]
    values: dict[str, str | dict[str, str]] = {"credential_process": command}
    if region:
        values["region"] = region
    if endpoints:
        services = services_section_name(profile)
        values["services"] = services
        document.set_values(
            f"services {services}", {service: {"endpoint_url": url} for service, url in sorted(endpoints.items())}
        )
    document.set_values(section, values, remove=tuple(removed))
    document.save(path)
    return path, removed


def remove_process_profile(env: Mapping[str, str], profile: str) -> bool:
    path = paths.aws_config_file(env)
    if not path.exists():
        return False
    document = IniDocument.load(path, botocore_identity)
    if not document.remove_section(_config_section(profile)):
        return False
    document.save(path)
    return True


def remove_static_keys(env: Mapping[str, str], profile: str) -> Path | None:
    """Delete a profile's plaintext key lines from the shared credentials file.

    The section goes too when nothing else is left in it. Returns the file
    changed, or None when it held no keys for ``profile``.
    """
    path = paths.aws_credentials_file(env)
    sections = load_credentials_profiles(env)
    if profile not in sections:
        return None
    document = IniDocument.load(path)
    remaining = set(sections[profile]) - {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
    if remaining:
        document.set_values(profile, {}, remove=("aws_access_key_id", "aws_secret_access_key", "aws_session_token"))
    else:
        document.remove_section(profile)
    # No .bak here: a backup would keep the very secret this removes.
    document.save(path, backup=False)
    return path
