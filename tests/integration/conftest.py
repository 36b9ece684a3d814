"""Fixtures that start real servers on 127.0.0.1 and run ds-login as a person would.

Every environment built here names the moto endpoint, disables the EC2
instance metadata lookup and DVC's analytics, so no request leaves the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from credhelper import localaws, localkeyring

BIN_DIR = Path(sys.executable).parent
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def moto_team() -> Iterator[localaws.Team]:
    """A moto server provisioned like a data team, with IAM enforcement on."""
    with localaws.MotoServer() as server:
        team = localaws.provision_team(server.endpoint)
        server.set_auth(True)
        yield team


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A private gnome-keyring Secret Service; the variables that point clients at it."""
    missing = localkeyring.missing_programs()
    if missing:
        message = f"Secret Service programs not installed: {', '.join(missing)} (Debian: dbus, gnome-keyring)"
        if IN_CI:
            pytest.fail(message + "; .ci/run installs them, so CI must have them")
        pytest.skip(message)
    service = localkeyring.PrivateSecretService(tmp_path_factory.mktemp("secret-service"))
    env = service.start()
    yield env
    service.stop()


@dataclass
class Cli:
    """Runs ds-login and other programs in a throw-away home with a clean environment."""

    home: Path
    env: dict[str, str]
    team: localaws.Team
    calls: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    def run(
        self,
        *argv: str,
        extra: dict[str, str] | None = None,
        drop: tuple[str, ...] = (),
        cwd: Path | None = None,
        input_text: str | None = None,
        timeout: float = 180,
    ) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(extra or {})}
        for name in drop:
            env.pop(name, None)
        completed = subprocess.run(
            list(argv),
            env=env,
            cwd=cwd or self.home,
            capture_output=True,
            text=True,
            input=input_text,
            stdin=None if input_text is not None else subprocess.DEVNULL,
            timeout=timeout,
            # A new session has no controlling terminal, as under CI or a
            # notebook server, so nothing can wait on a /dev/tty prompt.
            start_new_session=True,
        )
        self.calls.append(completed)
        return completed

    def ds_login(self, *arguments: str, **options: object) -> subprocess.CompletedProcess[str]:
        return self.run(str(BIN_DIR / "ds-login"), *arguments, **options)  # type: ignore[arg-type]

    @property
    def user_keys(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.team.access_key_id, "AWS_SECRET_ACCESS_KEY": self.team.secret_access_key}

    def setup(self, *extra_arguments: str) -> subprocess.CompletedProcess[str]:
        completed = self.ds_login(
            "setup", "--role-arn", self.team.role_arn, "--region", localaws.REGION, *extra_arguments, extra=self.user_keys
        )
        assert completed.returncode == 0, completed.stderr
        return completed


def init_dvc_project(cli: Cli, folder: Path, remote_url: str | None = None) -> None:
    """Make ``folder`` a git and DVC repository whose default remote is the team bucket (or ``remote_url``)."""
    dvc = str(BIN_DIR / "dvc")
    url = remote_url or f"s3://{cli.team.bucket}/files"
    for argv in (
        ["git", "init", "-q"],
        [dvc, "init", "-q"],
        # DVC would otherwise look for a newer version on the internet.
        [dvc, "config", "core.check_update", "false"],
        [dvc, "remote", "add", "-d", "storage", url],
    ):
        completed = cli.run(*argv, cwd=folder)
        assert completed.returncode == 0, completed.stderr


def base_environment(home: Path, endpoint: str) -> dict[str, str]:
    env = {
        "PATH": os.pathsep.join([str(BIN_DIR), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "DVC_NO_ANALYTICS": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    return env


@pytest.fixture
def cli(tmp_path: Path, moto_team: localaws.Team) -> Cli:
    """ds-login with the explicit plaintext store, for tests that do not claim keyring behaviour."""
    home = tmp_path / "home"
    home.mkdir()
    env = base_environment(home, moto_team.endpoint)
    env["DS_LOGIN_STORE"] = "plaintext-file"
    return Cli(home, env, moto_team)


@pytest.fixture
def keyring_cli(tmp_path: Path, moto_team: localaws.Team, secret_service: dict[str, str]) -> Cli:
    """ds-login with the real OS keyring: a private gnome-keyring Secret Service."""
    home = tmp_path / "home"
    home.mkdir()
    env = base_environment(home, moto_team.endpoint)
    env.update(secret_service)
    return Cli(home, env, moto_team)
