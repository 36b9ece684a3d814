"""``ds-login demo``: the whole job on a local AWS, in a throw-away home folder.

The steps run real programs (ds-login itself, dvc, boto3) against a moto
server on 127.0.0.1, exactly as a person would on their machine. Progress goes
to a ``report`` callback, so this module never prints.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from credhelper import localaws, localkeyring
from credhelper.errors import CredhelperError

PROFILE = "ds-developer"
DATA_SIZE_BYTES = 256 * 1024


class DemoStepError(CredhelperError):
    """A demo step did not give the result the demo expects."""


@dataclass(frozen=True)
class Event:
    kind: str  # "step", "command", "output", "ok" or "info"
    text: str


Report = Callable[[Event], None]


def _clean_environment(home: Path, endpoint: str) -> dict[str, str]:
    """Return an environment in which nothing of the person's own AWS setup leaks in."""
    keep = ("PATH", "LANG", "LC_ALL", "TERM", "TMPDIR", "SYSTEMROOT")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "DVC_NO_ANALYTICS": "1",
            "GIT_AUTHOR_NAME": "ds-login demo",
            "GIT_AUTHOR_EMAIL": "demo@example.invalid",
            "GIT_COMMITTER_NAME": "ds-login demo",
            "GIT_COMMITTER_EMAIL": "demo@example.invalid",
        }
    )
    return env


class Demo:
    def __init__(self, report: Report, keep: bool = False) -> None:
        self.report = report
        self.keep = keep
        self.ds_login = [sys.executable, "-m", "credhelper"]

    def run(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="ds-login-demo-"))
        keyring_service: localkeyring.PrivateSecretService | None = None
        server = localaws.MotoServer()
        try:
            self.report(Event("step", "Start a local AWS (moto server) on 127.0.0.1"))
            server.start()
            team = localaws.provision_team(server.endpoint)
            server.set_auth(True)
            self.report(Event("info", f"endpoint {server.endpoint}, bucket s3://{team.bucket}, role {team.role_arn}"))
            self.report(Event("info", f"IAM user {team.user_name} may only call sts:AssumeRole on that role"))

            home = folder / "home"
            home.mkdir(mode=0o700)
            env = _clean_environment(home, server.endpoint)
            keyring_service = self._choose_keyring(folder, env)

            self._show_access_denied(team, env)
            self._setup_and_login(team, env)
            self._dvc_round_trip(folder / "project", team, env)
            self._boto3_through_profile(team, env)
        finally:
            if keyring_service is not None:
                keyring_service.stop()
            server.stop()
            if self.keep:
                self.report(Event("info", f"kept {folder} as asked"))
            else:
                shutil.rmtree(folder, ignore_errors=True)
                self.report(Event("info", f"removed {folder} and stopped the local servers; nothing is left behind"))

    def _choose_keyring(self, folder: Path, env: dict[str, str]) -> localkeyring.PrivateSecretService | None:
        if not localkeyring.missing_programs():
            service = localkeyring.PrivateSecretService(folder / "keyring")
            env.update(service.start())
            self.report(Event("info", "keyring: a private gnome-keyring Secret Service, deleted at the end"))
            return service
        env["DS_LOGIN_STORE"] = "plaintext-file"
        self.report(
            Event(
                "info",
                "keyring: no Secret Service programs here, so a plaintext file inside the throw-away "
                "home stands in for the OS keyring (DS_LOGIN_STORE=plaintext-file)",
            )
        )
        return None

    def _show_access_denied(self, team: localaws.Team, env: dict[str, str]) -> None:
        import boto3
        from botocore.exceptions import ClientError

        self.report(Event("step", "Before ds-login: the IAM user's own key cannot read the bucket"))
        client = boto3.client(
            "s3",
            endpoint_url=team.endpoint,
            region_name=localaws.REGION,
            aws_access_key_id=team.access_key_id,
            aws_secret_access_key=team.secret_access_key,
        )
        try:
            client.list_objects_v2(Bucket=team.bucket)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code != "AccessDenied":
                raise DemoStepError(f"expected AccessDenied from the bucket, got {code}") from None
            self.report(Event("ok", f"ListObjectsV2 on s3://{team.bucket} with the user's key: AccessDenied"))
            return
        raise DemoStepError("the user's own key could list the bucket; the local AWS is not enforcing IAM")

    def _setup_and_login(self, team: localaws.Team, env: dict[str, str]) -> None:
        self.report(Event("step", "ds-login setup: key into the keyring, profile into ~/.aws/config"))
        setup_env = dict(env, AWS_ACCESS_KEY_ID=team.access_key_id, AWS_SECRET_ACCESS_KEY=team.secret_access_key)
        self._run(
            [*self.ds_login, "setup", "--profile", PROFILE, "--role-arn", team.role_arn, "--region", localaws.REGION],
            setup_env,
            shown=["ds-login", "setup", "--profile", PROFILE, "--role-arn", team.role_arn, "--region", localaws.REGION],
        )
        config = (Path(env["HOME"]) / ".aws" / "config").read_text(encoding="utf-8")
        for line in config.splitlines():
            self.report(Event("output", f"~/.aws/config: {line}"))

        self.report(Event("step", "ds-login login: assume the developer role"))
        self._run([*self.ds_login, "login", "--profile", PROFILE], env, shown=["ds-login", "login"])

    def _dvc_round_trip(self, project: Path, team: localaws.Team, env: dict[str, str]) -> None:
        self.report(Event("step", "DVC through ds-login: push, delete local copies, pull, compare"))
        project.mkdir()
        dvc = shutil.which("dvc", path=env["PATH"])
        if dvc is None:
            raise DemoStepError("dvc is not installed next to ds-login; reinstall with ./install.sh")
        if shutil.which("git", path=env["PATH"]):
            self._run(["git", "init", "-q"], env, cwd=project)
            self._run([dvc, "init", "-q"], env, cwd=project, shown=["dvc", "init"])
        else:
            self._run([dvc, "init", "-q", "--no-scm"], env, cwd=project, shown=["dvc", "init", "--no-scm"])
        self._run([dvc, "config", "core.check_update", "false"], env, cwd=project, shown=["dvc", "config", "core.check_update", "false"])
        remote = f"s3://{team.bucket}/files"
        self._run([dvc, "remote", "add", "-d", "storage", remote], env, cwd=project, shown=["dvc", "remote", "add", "-d", "storage", remote])

        data = project / "measurements.bin"
        data.write_bytes(os.urandom(DATA_SIZE_BYTES))
        digest = hashlib.sha256(data.read_bytes()).hexdigest()
        self._run([dvc, "add", "-q", data.name], env, cwd=project, shown=["dvc", "add", data.name])
        self._run([*self.ds_login, "dvc", "push"], env, cwd=project, shown=["ds-login", "dvc", "push"])

        data.unlink()
        shutil.rmtree(project / ".dvc" / "cache")
        self.report(Event("info", f"deleted {data.name} and the DVC cache"))
        self._run([*self.ds_login, "dvc", "pull"], env, cwd=project, shown=["ds-login", "dvc", "pull"])
        if hashlib.sha256(data.read_bytes()).hexdigest() != digest:
            raise DemoStepError(f"{data.name} came back from the bucket with different content")
        self.report(Event("ok", f"{data.name} ({DATA_SIZE_BYTES} bytes) came back identical (sha256 {digest[:12]}...)"))

    def _boto3_through_profile(self, team: localaws.Team, env: dict[str, str]) -> None:
        self.report(Event("step", "boto3 with the profile, as in a notebook"))
        code = (
            "import boto3\n"
            f"s3 = boto3.Session(profile_name={PROFILE!r}).client('s3')\n"
            f"keys = [item['Key'] for item in s3.list_objects_v2(Bucket={team.bucket!r}).get('Contents', [])]\n"
            "print(f'{len(keys)} object(s) in the bucket, e.g. {keys[0]}')\n"
        )
        self._run([sys.executable, "-c", code], env, shown=["python", "-c", f"boto3.Session(profile_name={PROFILE!r}).client('s3')..."])

    def _run(self, argv: Sequence[str], env: dict[str, str], *, cwd: Path | None = None, shown: Sequence[str] | None = None) -> str:
        if shown is not None:
            self.report(Event("command", " ".join(shown)))
        completed = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        output = (completed.stdout + completed.stderr).strip()
        if shown is not None:
            for line in output.splitlines():
                self.report(Event("output", line))
        if completed.returncode != 0:
            if shown is None:
                for line in output.splitlines()[-10:]:
                    self.report(Event("output", line))
            raise DemoStepError(f"{' '.join(shown or argv[:2])} failed with exit code {completed.returncode}")
        return output
