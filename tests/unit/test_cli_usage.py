"""Usage errors: exit code 2 and a message on stderr, before anything is read or written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DS_LOGIN = str(Path(sys.executable).parent / "ds-login")


def _run(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "DS_LOGIN_STORE": "plaintext-file"}
    return subprocess.run(
        [DS_LOGIN, *arguments], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["setup"], "no role given"),
        (["export", "--format", "tcsh"], "invalid format 'tcsh'"),
        (["no-such-command"], "No such command 'no-such-command'"),
        (["logout", "--all"], "add --yes"),
        (["login", "--mfa-code", "12ab56"], "invalid MFA code"),
        (["credential-process", "--profile", "bad name"], "invalid profile name 'bad name'"),
        (["credential-process", "--unknown"], "unrecognized arguments"),
        (["setup", "--role-arn", "arn:aws:iam::123456789012:user/jdoe"], "invalid role ARN"),
        (["setup", "--role-arn", "arn:aws:iam::123456789012:role/dev", "--duration", "60"], "invalid duration 60"),
    ],
)
def test_usage_error_exits_2(tmp_path: Path, arguments: list[str], message: str) -> None:
    completed = _run(tmp_path, *arguments)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_version_printed(tmp_path: Path) -> None:
    completed = _run(tmp_path, "--version")
    assert completed.returncode == 0
    assert completed.stdout.startswith("ds-login ")
