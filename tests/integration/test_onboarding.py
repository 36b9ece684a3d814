"""The first hour: a new joiner with the team file, MFA prompts at a real terminal (pexpect)."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from credhelper import localaws
from tests.integration.conftest import BIN_DIR, Cli, base_environment, init_dvc_project
from tests.integration.proxy import AwsProxy

pytestmark = pytest.mark.integration

DS_LOGIN = str(BIN_DIR / "ds-login")
MFA_SERIAL = f"arn:aws:iam::{localaws.ACCOUNT_ID}:mfa/jdoe"
PROMPT_TIMEOUT = 60


@pytest.fixture
def proxy(cli: Cli) -> Iterator[AwsProxy]:
    with AwsProxy(cli.team.endpoint) as running:
        cli.env["AWS_ENDPOINT_URL"] = running.endpoint
        yield running


def _team_repository(cli: Cli, folder: Path, endpoint: str, mfa_required: bool, profile: str) -> dict[str, str]:
    """Create the team's repository with data pushed by a teammate; return file name -> sha256."""
    folder.mkdir()
    (folder / "ds-login.toml").write_text(
        f'role_arn = "{cli.team.role_arn}"\n'
        f'region = "{localaws.REGION}"\n'
        f'bucket = "{cli.team.bucket}"\n'
        'dvc_remote = "storage"\n'
        "duration_seconds = 3600\n"
        f"mfa_required = {'true' if mfa_required else 'false'}\n"
        f'profile = "{profile}"\n'
        "\n[endpoints]\n"
        f'sts = "{endpoint}"\n'
        f's3 = "{endpoint}"\n'
    )
    init_dvc_project(cli, folder)
    dvc = str(BIN_DIR / "dvc")
    data = folder / "data"
    data.mkdir()
    digests = {}
    for number in range(5):
        content = os.urandom(4096)
        (data / f"sample-{number}.bin").write_bytes(content)
        digests[f"sample-{number}.bin"] = hashlib.sha256(content).hexdigest()
    assert cli.run(dvc, "add", "-q", "data", cwd=folder).returncode == 0

    # The teammate pushes with their own ds-login setup (no MFA for them).
    teammate = cli.setup("--profile", profile)
    assert teammate.returncode == 0
    pushed = cli.ds_login("dvc", "push", cwd=folder)
    assert pushed.returncode == 0, pushed.stderr
    return digests


def _new_joiner_checkout(repository: Path, destination: Path) -> None:
    shutil.copytree(repository, destination, ignore=shutil.ignore_patterns("cache", "data"))


def _spawn(argv: list[str], env: dict[str, str], cwd: Path) -> pexpect.spawn:
    return pexpect.spawn(argv[0], argv[1:], env=env, cwd=str(cwd), encoding="utf-8", timeout=PROMPT_TIMEOUT)


def test_new_joiner_two_commands(
    cli: Cli, proxy: AwsProxy, secret_service: dict[str, str], tmp_path: Path
) -> None:
    # A profile name of its own: the session's Secret Service may hold other tests' items.
    digests = _team_repository(
        cli, tmp_path / "team-repo", proxy.endpoint, mfa_required=True, profile=f"team-{uuid.uuid4().hex[:8]}"
    )
    checkout = tmp_path / "joiner" / "team-repo"
    _new_joiner_checkout(tmp_path / "team-repo", checkout)

    home = tmp_path / "joiner-home"
    home.mkdir()
    env = base_environment(home, endpoint=proxy.endpoint)
    # The joiner has no endpoint variables: the team file's endpoints reach STS and S3.
    del env["AWS_ENDPOINT_URL"]
    env.update(secret_service)

    started = time.monotonic()
    setup = _spawn([DS_LOGIN, "setup"], env, checkout)
    setup.expect("Using team file")
    setup.expect("AWS access key id")
    setup.sendline(cli.team.access_key_id)
    setup.expect("AWS secret access key")
    setup.sendline(cli.team.secret_access_key)
    setup.expect(r"MFA device ARN")
    setup.sendline(MFA_SERIAL)
    setup.expect(pexpect.EOF)
    setup.close()
    assert setup.exitstatus == 0, setup.before

    pull = _spawn([DS_LOGIN, "dvc", "pull"], env, checkout)
    pull.expect("MFA code for")
    pull.sendline("123456")
    pull.expect(pexpect.EOF)
    pull.close()
    elapsed = time.monotonic() - started
    assert pull.exitstatus == 0, pull.before

    for name, digest in digests.items():
        assert hashlib.sha256((checkout / "data" / name).read_bytes()).hexdigest() == digest
    joiner_requests = [request for request in proxy.state.assume_role_requests if request.get("SerialNumber")]
    assert joiner_requests[0]["SerialNumber"] == MFA_SERIAL
    assert joiner_requests[0]["TokenCode"] == "123456"
    print(f"new joiner: setup and dvc pull in {elapsed:.1f} s of wall time, prompts answered at once")


def _mfa_profile(cli: Cli) -> None:
    completed = cli.ds_login(
        "setup", "--role-arn", cli.team.role_arn, "--region", localaws.REGION, "--mfa-serial", MFA_SERIAL,
        extra=cli.user_keys,
    )
    assert completed.returncode == 0, completed.stderr


def test_aws_cli_prompt_on_terminal(cli: Cli, proxy: AwsProxy) -> None:
    _mfa_profile(cli)
    aws = _spawn([str(BIN_DIR / "aws"), "sts", "get-caller-identity", "--profile", "ds-developer"], cli.env, cli.home)
    aws.expect(f"MFA code for {MFA_SERIAL}")
    aws.sendline("654321")
    aws.expect(pexpect.EOF)
    aws.close()
    assert aws.exitstatus == 0, aws.before
    assert "assumed-role/developer" in aws.before
    assert proxy.state.assume_role_requests[-1]["TokenCode"] == "654321"
    assert proxy.state.assume_role_requests[-1]["SerialNumber"] == MFA_SERIAL


def test_mfa_without_terminal_names_login(cli: Cli, proxy: AwsProxy) -> None:
    _mfa_profile(cli)
    completed = cli.ds_login("credential-process", timeout=30)
    assert completed.returncode == 3
    assert completed.stdout == ""
    assert len(completed.stderr.strip().splitlines()) == 1
    assert "ds-login login" in completed.stderr
    assert proxy.assume_role_count == 0


def test_mfa_code_flag_for_scripts(cli: Cli, proxy: AwsProxy) -> None:
    _mfa_profile(cli)
    login = cli.ds_login("login", "--mfa-code", "246810")
    assert login.returncode == 0, login.stderr
    assert proxy.state.assume_role_requests[-1]["TokenCode"] == "246810"


def test_rejected_mfa_code_explained(cli: Cli, proxy: AwsProxy) -> None:
    _mfa_profile(cli)
    proxy.state.mfa_rejected_codes.add("000000")
    login = cli.ds_login("login", "--mfa-code", "000000")
    assert login.returncode == 6
    assert "wrong, expired, or was already used" in login.stderr
    assert "Traceback" not in login.stderr


def test_login_prompt_repeats_bad_format(cli: Cli, proxy: AwsProxy) -> None:
    _mfa_profile(cli)
    login = _spawn([DS_LOGIN, "login"], cli.env, cli.home)
    login.expect("MFA code for")
    login.sendline("12ab")
    login.expect("invalid MFA code")
    login.expect("MFA code for")
    login.sendline("135790")
    login.expect(pexpect.EOF)
    login.close()
    assert login.exitstatus == 0, login.before
    assert proxy.state.assume_role_requests[-1]["TokenCode"] == "135790"
