"""Throw-away home folders for the benchmarks: a clean environment and the AWS CLI's native profile."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from credhelper import localaws

BIN = Path(sys.executable).parent


def environment(home: Path, endpoint: str) -> dict[str, str]:
    """Return an environment that points every AWS tool at ``endpoint`` and leaks nothing in from this machine."""
    return {
        "PATH": os.pathsep.join([str(BIN), "/usr/bin", "/bin"]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "DVC_NO_ANALYTICS": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }


def user_keys(team: localaws.Team) -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": team.access_key_id, "AWS_SECRET_ACCESS_KEY": team.secret_access_key}


def add_native_profile(home: Path, team: localaws.Team) -> None:
    """Add the AWS CLI's own assume-role profile ``native``, with the user's key in plaintext as it requires."""
    aws_dir = home / ".aws"
    with open(aws_dir / "credentials", "a", encoding="utf-8") as handle:
        handle.write(f"[base]\naws_access_key_id = {team.access_key_id}\naws_secret_access_key = {team.secret_access_key}\n")
    with open(aws_dir / "config", "a", encoding="utf-8") as handle:
        handle.write(f"\n[profile native]\nrole_arn = {team.role_arn}\nsource_profile = base\nregion = {localaws.REGION}\n")
