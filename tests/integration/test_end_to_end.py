"""The main job end to end: moto server with IAM enforced, real keyring, real aws, boto3 and dvc."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from credhelper import localaws
from tests.integration.conftest import BIN_DIR, Cli, init_dvc_project

pytestmark = pytest.mark.integration

PROFILE = "ds-developer"
AWS = str(BIN_DIR / "aws")


def _files_containing(root: Path, secrets: list[str]) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            content = path.read_bytes()
            if any(secret.encode() in content for secret in secrets):
                found.append(path)
    return found


def _session_secrets(cli: Cli) -> list[str]:
    completed = cli.ds_login("credential-process")
    assert completed.returncode == 0, completed.stderr
    output = json.loads(completed.stdout)
    return [output["SecretAccessKey"], output["SessionToken"]]


def test_user_denied_role_allowed_with_keyring(keyring_cli: Cli) -> None:
    cli = keyring_cli
    bucket = f"s3://{cli.team.bucket}"

    before = cli.run(AWS, "s3", "ls", bucket, "--region", localaws.REGION, extra=cli.user_keys)
    assert before.returncode != 0
    assert "AccessDenied" in before.stderr

    setup = cli.setup()
    assert "SecretService" in setup.stderr

    login = cli.ds_login("login")
    assert login.returncode == 0, login.stderr
    assert "assumed-role/developer/" in login.stderr

    listing = cli.run(AWS, "s3", "ls", bucket, "--profile", PROFILE)
    assert listing.returncode == 0, listing.stderr

    upload = cli.run(AWS, "s3", "cp", "-", f"{bucket}/files/hello.txt", "--profile", PROFILE, input_text="hello")
    assert upload.returncode == 0, upload.stderr

    items = cli.run("secret-tool", "search", "--all", "service", "ds-login")
    assert "username = ds-developer:base-keys" in items.stderr
    assert "username = ds-developer:session" in items.stderr

    secrets = [cli.team.secret_access_key, *_session_secrets(cli)]
    assert _files_containing(cli.home, secrets) == []


def test_profile_written_for_botocore(cli: Cli) -> None:
    cli.setup()
    config = (cli.home / ".aws" / "config").read_text(encoding="utf-8")
    assert f"[profile {PROFILE}]" in config
    assert "role_arn" not in config
    assert "source_profile" not in config
    assert f"credential-process --profile {PROFILE}" in config

    read_back = cli.run(AWS, "configure", "get", "region", "--profile", PROFILE)
    assert read_back.stdout.strip() == localaws.REGION

    script = (
        "import boto3\n"
        f"s3 = boto3.Session(profile_name={PROFILE!r}).client('s3')\n"
        f"s3.put_object(Bucket={cli.team.bucket!r}, Key='files/from-boto3', Body=b'data')\n"
        f"print(s3.get_object(Bucket={cli.team.bucket!r}, Key='files/from-boto3')['Body'].read().decode())\n"
    )
    completed = cli.run(sys.executable, "-c", script)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "data"


def test_credential_process_prints_only_json(cli: Cli) -> None:
    cli.setup()
    completed = cli.ds_login("credential-process", "--profile", PROFILE)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    output = json.loads(completed.stdout)
    assert output["Version"] == 1
    assert set(output) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert output["Expiration"].endswith("Z")
    assert completed.stdout.count("\n") == 1


def test_credential_process_reuses_cache(cli: Cli) -> None:
    cli.setup()
    first = json.loads(cli.ds_login("credential-process").stdout)
    second = json.loads(cli.ds_login("credential-process").stdout)
    assert first["AccessKeyId"] == second["AccessKeyId"]

    login = cli.ds_login("login")
    assert login.returncode == 0, login.stderr
    third = json.loads(cli.ds_login("credential-process").stdout)
    assert third["AccessKeyId"] != first["AccessKeyId"]


def test_dvc_round_trip_through_ds_login(cli: Cli, tmp_path: Path) -> None:
    cli.setup()
    project = tmp_path / "project"
    project.mkdir()
    init_dvc_project(cli, project)
    dvc = str(BIN_DIR / "dvc")

    data = project / "data.bin"
    data.write_bytes(os.urandom(300_000))
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    assert cli.run(dvc, "add", "data.bin", cwd=project).returncode == 0

    denied = cli.run(dvc, "push", cwd=project, extra=cli.user_keys)
    assert denied.returncode != 0
    assert "AccessDenied" in denied.stderr or "Forbidden" in denied.stderr

    pushed = cli.ds_login("dvc", "push", cwd=project)
    assert pushed.returncode == 0, pushed.stderr
    assert "1 file pushed" in pushed.stdout

    data.unlink()
    subprocess.run(["rm", "-rf", str(project / ".dvc" / "cache")], check=True)
    pulled = cli.ds_login("dvc", "pull", cwd=project)
    assert pulled.returncode == 0, pulled.stderr
    assert hashlib.sha256(data.read_bytes()).hexdigest() == digest


def test_dvc_exit_code_passes_through(cli: Cli, tmp_path: Path) -> None:
    cli.setup()
    project = tmp_path / "project"
    project.mkdir()
    assert cli.run(str(BIN_DIR / "dvc"), "init", "-q", "--no-scm", cwd=project).returncode == 0
    missing = cli.ds_login("dvc", "checkout", "no-such-file.dvc", cwd=project)
    plain = cli.run(str(BIN_DIR / "dvc"), "checkout", "no-such-file.dvc", cwd=project)
    assert plain.returncode != 0
    assert missing.returncode == plain.returncode


def test_dvc_outside_repository_fails_clearly(cli: Cli, tmp_path: Path) -> None:
    cli.setup()
    empty = tmp_path / "not-a-project"
    empty.mkdir()
    completed = cli.ds_login("dvc", "pull", cwd=empty)
    assert completed.returncode == 4
    assert "not inside a DVC repository" in completed.stderr
    assert str(empty) in completed.stderr
    assert "Traceback" not in completed.stderr


def test_export_evaluated_by_bash(cli: Cli) -> None:
    cli.setup()
    script = f'eval "$({BIN_DIR / "ds-login"} export --format bash)" && {AWS} sts get-caller-identity'
    completed = cli.run("bash", "-c", script)
    assert completed.returncode == 0, completed.stderr
    assert "assumed-role/developer" in completed.stdout


def test_exec_keeps_secrets_out_of_argv(cli: Cli) -> None:
    cli.setup()
    probe = (
        "import os, sys\n"
        "cmdline = open('/proc/self/cmdline', 'rb').read().decode()\n"
        "secret = os.environ['AWS_SECRET_ACCESS_KEY']\n"
        "token = os.environ['AWS_SESSION_TOKEN']\n"
        "print(secret in cmdline, token in cmdline, os.environ['AWS_ACCESS_KEY_ID'][:4])\n"
        "sys.exit(7)\n"
    )
    completed = cli.ds_login("exec", "--", sys.executable, "-c", probe)
    assert completed.returncode == 7
    assert completed.stdout.split() == ["False", "False", "ASIA"]


def test_logout_then_credentials_need_setup(cli: Cli) -> None:
    cli.setup()
    assert cli.ds_login("login").returncode == 0
    assert cli.ds_login("logout").returncode == 0
    again = cli.ds_login("credential-process")
    assert again.returncode == 0, again.stderr

    forgotten = cli.ds_login("logout", "--all", "--yes")
    assert forgotten.returncode == 0, forgotten.stderr
    after = cli.ds_login("credential-process")
    assert after.returncode == 3
    assert after.stdout == ""
    assert "ds-login setup" in after.stderr
    assert len(after.stderr.strip().splitlines()) == 1


def test_setup_from_source_profile_removes_plaintext(cli: Cli) -> None:
    credentials_file = cli.home / ".aws" / "credentials"
    credentials_file.parent.mkdir(mode=0o700)
    credentials_file.write_text(
        "[newjoiner]\n"
        f"aws_access_key_id = {cli.team.access_key_id}\n"
        f"aws_secret_access_key = {cli.team.secret_access_key}\n"
        "region=eu-west-1"
    )
    completed = cli.ds_login(
        "setup", "--role-arn", cli.team.role_arn, "--source-profile", "newjoiner", "--remove-plaintext"
    )
    assert completed.returncode == 0, completed.stderr
    remaining = credentials_file.read_text()
    assert cli.team.secret_access_key not in remaining
    assert "region=eu-west-1" in remaining
    assert cli.ds_login("credential-process").returncode == 0


def test_setup_rejects_bad_role_arn_without_writing(cli: Cli) -> None:
    completed = cli.ds_login("setup", "--role-arn", "arn:aws:iam::12345:role/dev", extra=cli.user_keys)
    assert completed.returncode == 2
    assert "arn:aws:iam::12345:role/dev" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert list(cli.home.iterdir()) == []


def test_setup_without_keys_names_what_is_missing(cli: Cli) -> None:
    completed = cli.ds_login("setup", "--role-arn", cli.team.role_arn)
    assert completed.returncode == 2
    assert "AWS_ACCESS_KEY_ID" in completed.stderr
    assert list(cli.home.iterdir()) == []


def test_unknown_profile_is_configuration_error(cli: Cli) -> None:
    completed = cli.ds_login("credential-process", "--profile", "nobody")
    assert completed.returncode == 4
    assert "'nobody'" in completed.stderr
    assert "ds-login setup --profile nobody" in completed.stderr


def test_role_not_allowed_is_denied(cli: Cli) -> None:
    other_role = cli.team.role_arn.replace("role/developer", "role/admin")
    completed = cli.ds_login(
        "setup", "--role-arn", other_role, "--profile", "admin", extra=cli.user_keys
    )
    assert completed.returncode == 0, completed.stderr
    login = cli.ds_login("login", "--profile", "admin")
    assert login.returncode == 6
    assert "role/admin" in login.stderr
    assert "Traceback" not in login.stderr


def test_no_keyring_is_keyring_error(cli: Cli) -> None:
    env_without_bus = {"DS_LOGIN_STORE": "keyring", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    completed = cli.ds_login("setup", "--role-arn", cli.team.role_arn, extra={**env_without_bus, **cli.user_keys})
    assert completed.returncode == 5
    assert "no OS keyring is available" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_demo_without_secret_service(tmp_path: Path) -> None:
    env = {
        "PATH": str(BIN_DIR),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "DVC_NO_ANALYTICS": "1",
        "LANG": "C.UTF-8",
    }
    completed = subprocess.run(
        [str(BIN_DIR / "ds-login"), "demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "AccessDenied" in completed.stdout
    assert "plaintext file inside the throw-away home" in completed.stdout
    assert "came back identical" in completed.stdout
    assert list(tmp_path.iterdir()) == []


def test_cache_hit_imports_no_heavy_module(keyring_cli: Cli) -> None:
    cli = keyring_cli
    cli.setup()
    assert cli.ds_login("login").returncode == 0
    completed = cli.run(sys.executable, "-X", "importtime", "-m", "credhelper", "credential-process", "--profile", PROFILE)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["Version"] == 1
    imported = {line.split("|")[-1].strip() for line in completed.stderr.splitlines() if line.startswith("import time:")}
    for heavy in ("boto3", "botocore", "keyring", "typer", "rich", "secretstorage"):
        assert heavy not in imported
