"""Locations of the files of ds-login and of the AWS tools.

Each function takes the environment as a mapping so that tests and the demo
can point everything at a throw-away home folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def home(env: Mapping[str, str]) -> Path:
    value = env.get("HOME")
    return Path(value) if value else Path.home()


def _expand(value: str, env: Mapping[str, str]) -> Path:
    if value == "~" or value.startswith("~/"):
        return home(env) / value[2:]
    return Path(value)


def aws_config_file(env: Mapping[str, str]) -> Path:
    """Return the AWS config file, honouring AWS_CONFIG_FILE as botocore does."""
    return _expand(env.get("AWS_CONFIG_FILE") or "~/.aws/config", env)


def aws_credentials_file(env: Mapping[str, str]) -> Path:
    """Return the shared credentials file, honouring AWS_SHARED_CREDENTIALS_FILE."""
    return _expand(env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", env)


def settings_file(env: Mapping[str, str]) -> Path:
    """Return ds-login's own settings file (role ARN, duration, MFA device per profile)."""
    if env.get("DS_LOGIN_CONFIG"):
        return _expand(env["DS_LOGIN_CONFIG"], env)
    base = env.get("XDG_CONFIG_HOME") or os.fspath(home(env) / ".config")
    return Path(base) / "ds-login" / "config"


def state_dir(env: Mapping[str, str]) -> Path:
    """Return the folder for lock files and the explicit plaintext store."""
    base = env.get("XDG_STATE_HOME") or os.fspath(home(env) / ".local" / "state")
    return Path(base) / "ds-login"
