"""The cache-hit path of ``credential-process``, kept to a few standard-library imports.

botocore, the AWS CLI and DVC run ``ds-login credential-process`` for every
new client, so a hit on fresh cached credentials must cost little more than
starting Python. This module reads the profile's recorded session store
directly (the Secret Service over D-Bus with jeepney, the kernel keyring, or
the explicit plaintext file) without importing typer, rich, boto3, the
keyring package or its backend discovery.

In any doubtful case the functions here return False or None, and the caller
takes the full path. That path returns the same credentials more slowly, or
raises the proper error. Doubtful cases: an unusual argument, an unreadable or
unsafe settings file, a store this path cannot read, and a missing, damaged,
chunked or nearly expired entry.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping

# botocore runs a credential_process again once fewer than 15 minutes remain
# (botocore.credentials, advisory refresh timeout of 900 s), so cached
# credentials are served only while more than 15 minutes plus a margin remain.
REFRESH_WINDOW_SECONDS = 15 * 60 + 60

_PROFILE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@+-")
_OUTPUT_KEYS = ("Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")


def _profile_from(arguments: list[str], env: Mapping[str, str]) -> str | None:
    if not arguments:
        # Without --profile, AWS_PROFILE or a team file may choose; the full path resolves that.
        profile = env.get("DS_LOGIN_PROFILE")
        if not profile:
            return None
    elif len(arguments) == 2 and arguments[0] == "--profile":
        profile = arguments[1]
    elif len(arguments) == 1 and arguments[0].startswith("--profile="):
        profile = arguments[0][len("--profile=") :]
    else:
        return None
    return profile if is_valid_profile_name(profile) else None


def _settings_path(env: Mapping[str, str]) -> str:
    if env.get("DS_LOGIN_CONFIG"):
        return os.path.expanduser(env["DS_LOGIN_CONFIG"])
    home = env.get("HOME") or os.path.expanduser("~")
    base = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return os.path.join(base, "ds-login", "config")


def _state_dir(env: Mapping[str, str]) -> str:
    home = env.get("HOME") or os.path.expanduser("~")
    base = env.get("XDG_STATE_HOME") or os.path.join(home, ".local", "state")
    return os.path.join(base, "ds-login")


def _read_private_text(path: str, forbidden_bits: int = 0o022) -> str | None:
    """Return a file's text unless its mode has any of ``forbidden_bits`` or another user owns it.

    None sends the caller to the full path, which reports the problem.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            status = os.fstat(handle.fileno())
            if status.st_mode & forbidden_bits or status.st_uid != os.geteuid():
                return None
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _profile_settings(path: str, profile: str) -> dict[str, str] | None:
    """Read ``[profile NAME]`` from the settings file that ds-login writes, or None when unsure."""
    text = _read_private_text(path)
    if text is None:
        return None
    header = f"[profile {profile}]"
    values: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            if values is not None:
                break
            if line == header:
                values = {}
            continue
        if values is not None:
            if raw[0] in " \t" or "=" not in line:
                return None
            key, _, value = line.partition("=")
            values[key.strip().lower()] = value.strip()
    return values


def _read_session(store: str, item: str, env: Mapping[str, str]) -> str | None:
    if store == "keyring":
        if not sys.platform.startswith("linux") or env.get("PYTHON_KEYRING_BACKEND"):
            return None
        address = env.get("DBUS_SESSION_BUS_ADDRESS")
        if not address:
            return None
        from credhelper.store.secret_service_reader import read_item

        return read_item(address, "ds-login", item)
    if store == "keyctl":
        from credhelper.store.keyctl import KeyctlStore

        return KeyctlStore().get(item)
    if store == "plaintext-file":
        # A file of secrets must not be readable by others either, as store.filecheck.check_private requires.
        text = _read_private_text(os.path.join(_state_dir(env), "plaintext-store.json"), forbidden_bits=0o077)
        if text is None:
            return None
        value = json.loads(text).get(item)
        return value if isinstance(value, str) else None
    return None


def _seconds_left(expiration: str) -> float:
    import datetime as dt

    moment = dt.datetime.fromisoformat(expiration.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("timestamp without time zone")
    return (moment - dt.datetime.now(dt.timezone.utc)).total_seconds()


def read_fresh(profile: str, env: Mapping[str, str]) -> dict[str, object] | None:
    """Return the cached credentials' JSON object when fresh, else None, which a failure also gives."""
    settings = _profile_settings(_settings_path(env), profile)
    if not settings or "role_arn" not in settings:
        return None
    store = env.get("DS_LOGIN_SESSION_STORE") or env.get("DS_LOGIN_STORE") or settings.get("session_store")
    if not store:
        return None
    try:
        text = _read_session(store, f"{profile}:session", env)
        if text is None:
            return None
        cached = json.loads(text)
        if cached.get("RoleArn") != settings["role_arn"]:
            return None
        if _seconds_left(cached["Expiration"]) <= REFRESH_WINDOW_SECONDS:
            return None
        return {key: cached[key] for key in _OUTPUT_KEYS}
    except Exception:  # noqa: BLE001 - any failure here is answered by the full path
        return None


def serve_cached(arguments: list[str], env: Mapping[str, str] | None = None) -> bool:
    """Print fresh cached credentials for botocore and return True, else return False."""
    environment = os.environ if env is None else env
    profile = _profile_from(arguments, environment)
    if profile is None:
        return False
    output = read_fresh(profile, environment)
    if output is None:
        return False
    sys.stdout.write(json.dumps(output) + "\n")
    sys.stdout.flush()
    return True


def resolve_profile(env: Mapping[str, str], cwd: str) -> str | None:
    """Resolve the default profile as ``settings.resolve_profile`` does, or return None when unsure.

    The order is the same: DS_LOGIN_PROFILE, AWS_PROFILE when the settings
    file has that profile, the ``profile`` of the nearest ds-login.toml, the
    default name. None (an invalid name, an unreadable team file) sends the
    caller to ``settings.resolve_profile``, which raises the proper error.
    """
    if env.get("DS_LOGIN_PROFILE"):
        profile = env["DS_LOGIN_PROFILE"]
        return profile if is_valid_profile_name(profile) else None
    aws_profile = env.get("AWS_PROFILE")
    if aws_profile and is_valid_profile_name(aws_profile):
        if _profile_settings(_settings_path(env), aws_profile) is not None:
            return aws_profile
    team_file = _find_team_file(cwd)
    if team_file is None:
        return "ds-developer"
    try:
        import tomllib

        with open(team_file, "rb") as handle:
            profile = tomllib.load(handle).get("profile", "ds-developer")
    except (OSError, ValueError, ImportError):
        return None
    return profile if isinstance(profile, str) and is_valid_profile_name(profile) else None


def _find_team_file(cwd: str) -> str | None:
    """Return the nearest ds-login.toml upward from ``cwd``, stopping at a repository's top, as teamfile.discover does."""
    folder = os.path.abspath(cwd)
    while True:
        candidate = os.path.join(folder, "ds-login.toml")
        if os.path.isfile(candidate):
            return candidate
        if os.path.exists(os.path.join(folder, ".git")) or os.path.isdir(os.path.join(folder, ".dvc")):
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def is_valid_profile_name(profile: str) -> bool:
    return 0 < len(profile) <= 64 and set(profile) <= _PROFILE_CHARACTERS and profile[0].isalnum()
