"""``ds-login doctor`` against a moto server with IAM enforced: a healthy setup, and one broken link per test."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from credhelper import localaws
from tests.integration.conftest import Cli, init_dvc_project
from tests.integration.proxy import AwsProxy

pytestmark = pytest.mark.integration

CHECKS = [
    "install",
    "secret-store",
    "base-keys",
    "user-identity",
    "least-privilege",
    "assume-role",
    "bucket-access",
    "dvc-remote",
    "clock-skew",
    "environment",
]
FAKE_KEY_ID = "AKIAFAKEFAKEFAKE9876"
FAKE_SECRET = "fakeSecretForDoctorTestsOnly000000000000"


def _dvc_project(cli: Cli, project: Path, remote_url: str) -> Path:
    project.mkdir()
    init_dvc_project(cli, project, remote_url)
    return project


@pytest.fixture
def project(cli: Cli, tmp_path: Path) -> Path:
    """A DVC repository whose default remote is a folder of the team's bucket."""
    return _dvc_project(cli, tmp_path / "project", f"s3://{cli.team.bucket}/files")


def _doctor(cli: Cli, *arguments: str, **options: object) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, str]]]:
    completed = cli.ds_login("doctor", "--json", *arguments, **options)  # type: ignore[arg-type]
    report = json.loads(completed.stdout)
    return completed, {row["check"]: row for row in report["checks"]}


def test_healthy_setup_passes(cli: Cli, project: Path) -> None:
    cli.setup()
    assert cli.ds_login("login").returncode == 0

    completed, rows = _doctor(cli, "--bucket", cli.team.bucket, cwd=project)

    assert completed.returncode == 0, completed.stdout
    assert {name: row["status"] for name, row in rows.items()} == dict.fromkeys(CHECKS, "pass")
    assert cli.team.user_arn in rows["user-identity"]["detail"]
    assert "assumed-role/developer/" in rows["assume-role"]["detail"]
    assert "(cached)" in rows["assume-role"]["detail"]
    assert "as the admin intended" in rows["least-privilege"]["detail"]


def test_keyring_setup_passes(keyring_cli: Cli) -> None:
    keyring_cli.setup()

    completed, rows = _doctor(keyring_cli, "--bucket", keyring_cli.team.bucket)

    assert completed.returncode == 0, completed.stdout
    assert rows["secret-store"]["status"] == "pass"
    assert "SecretService" in rows["secret-store"]["detail"]
    assert rows["bucket-access"]["status"] == "pass"


def test_json_rows_in_order(cli: Cli, project: Path) -> None:
    cli.setup()

    completed = cli.ds_login("doctor", "--json", "--bucket", cli.team.bucket, cwd=project)
    report = json.loads(completed.stdout)

    assert [row["check"] for row in report["checks"]] == CHECKS
    assert report["ok"] is True
    assert report["profile"] == "ds-developer"
    assert report["bucket"] == cli.team.bucket


def test_table_names_every_check(cli: Cli, project: Path) -> None:
    cli.setup()

    completed = cli.ds_login("doctor", "--bucket", cli.team.bucket, cwd=project, extra={"COLUMNS": "200"})

    assert completed.returncode == 0, completed.stdout
    for name in CHECKS:
        assert name in completed.stdout
    assert "No check failed." in completed.stdout


def test_bucket_from_team_file(cli: Cli, project: Path) -> None:
    cli.setup()
    (project / "ds-login.toml").write_text(
        f'role_arn = "{cli.team.role_arn}"\nbucket = "{cli.team.bucket}"\ndvc_remote = "storage"\n', encoding="utf-8"
    )

    completed, rows = _doctor(cli, cwd=project)

    assert completed.returncode == 0, completed.stdout
    assert rows["bucket-access"]["status"] == "pass"
    assert "ds-login.toml" in rows["install"]["detail"]


def test_no_bucket_skips_bucket_checks(cli: Cli) -> None:
    cli.setup()

    completed, rows = _doctor(cli)

    assert completed.returncode == 0, completed.stdout
    assert rows["least-privilege"]["status"] == "skip"
    assert rows["bucket-access"]["status"] == "skip"
    assert "--bucket" in rows["bucket-access"]["fix"]
    assert rows["dvc-remote"]["status"] == "skip"


def test_stale_access_key_fails(cli: Cli, project: Path) -> None:
    cli.setup()
    stale = {"AWS_ACCESS_KEY_ID": FAKE_KEY_ID, "AWS_SECRET_ACCESS_KEY": FAKE_SECRET}

    completed, rows = _doctor(cli, "--bucket", cli.team.bucket, cwd=project, extra=stale)

    assert completed.returncode == 1
    assert rows["environment"]["status"] == "fail"
    assert "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY" in rows["environment"]["fix"]
    assert FAKE_KEY_ID not in completed.stdout
    assert FAKE_SECRET not in completed.stdout
    assert rows["assume-role"]["status"] == "pass"


def test_other_aws_profile_warns(cli: Cli, project: Path) -> None:
    cli.setup()

    completed, rows = _doctor(cli, "--bucket", cli.team.bucket, cwd=project, extra={"AWS_PROFILE": "other"})

    assert completed.returncode == 0, completed.stdout
    assert rows["environment"]["status"] == "warn"
    assert "export AWS_PROFILE=ds-developer" in rows["environment"]["fix"]


def test_no_stored_key_fails(cli: Cli, project: Path) -> None:
    cli.setup()
    assert cli.ds_login("logout", "--all", "--yes").returncode == 0

    completed, rows = _doctor(cli, "--bucket", cli.team.bucket, cwd=project)

    assert completed.returncode == 1
    assert rows["secret-store"]["status"] == "pass"
    assert rows["base-keys"]["status"] == "fail"
    assert "ds-login setup" in rows["base-keys"]["fix"]
    assert rows["user-identity"]["detail"] == "needs base-keys"
    assert rows["assume-role"]["status"] == "skip"


def test_role_not_assumable_fails(cli: Cli, project: Path) -> None:
    forbidden_role = f"arn:aws:iam::{localaws.ACCOUNT_ID}:role/admin"
    setup = cli.ds_login("setup", "--role-arn", forbidden_role, "--region", localaws.REGION, extra=cli.user_keys)
    assert setup.returncode == 0, setup.stderr

    completed, rows = _doctor(cli, "--bucket", cli.team.bucket, cwd=project)

    assert completed.returncode == 1
    assert rows["user-identity"]["status"] == "pass"
    assert rows["assume-role"]["status"] == "fail"
    assert "the right to assume" in rows["assume-role"]["detail"]
    assert "sts:AssumeRole" in rows["assume-role"]["fix"]
    assert rows["bucket-access"]["detail"] == "needs assume-role"


def test_unlisted_bucket_fails(cli: Cli, project: Path) -> None:
    cli.setup()

    completed, rows = _doctor(cli, "--bucket", "other-bucket", cwd=project)

    assert completed.returncode == 1
    assert rows["bucket-access"]["status"] == "fail"
    assert "AccessDenied" in rows["bucket-access"]["detail"]
    assert "docs/admin-guide.md" in rows["bucket-access"]["fix"]
    assert rows["least-privilege"]["status"] == "pass"


def test_remote_other_bucket_fails(cli: Cli, tmp_path: Path) -> None:
    cli.setup()
    project = _dvc_project(cli, tmp_path / "project", "s3://other-bucket/files")

    completed, rows = _doctor(cli, "--bucket", cli.team.bucket, cwd=project)

    assert completed.returncode == 1
    assert rows["dvc-remote"]["status"] == "fail"
    assert rows["dvc-remote"]["fix"] == f"run: dvc remote modify storage url s3://{cli.team.bucket}/files"
    assert rows["bucket-access"]["status"] == "pass"


@pytest.fixture
def proxy(cli: Cli) -> Iterator[AwsProxy]:
    """A proxy in front of moto, through which the ds-login CLI sends its STS and S3 requests."""
    with AwsProxy(cli.team.endpoint) as running:
        cli.env["AWS_ENDPOINT_URL"] = running.endpoint
        yield running


def test_clock_skew_fails(cli: Cli, proxy: AwsProxy, project: Path) -> None:
    cli.setup()
    proxy.state.date_shift_seconds = 3600

    completed, rows = _doctor(cli, "--bucket", cli.team.bucket, cwd=project)

    assert completed.returncode == 1
    assert rows["clock-skew"]["status"] == "fail"
    assert "behind AWS" in rows["clock-skew"]["detail"]
    assert "timedatectl set-ntp true" in rows["clock-skew"]["fix"]


def test_invalid_bucket_is_usage_error(cli: Cli) -> None:
    completed = cli.ds_login("doctor", "--bucket", "Not_A_Bucket")

    assert completed.returncode == 2
    assert "invalid --bucket" in completed.stderr
