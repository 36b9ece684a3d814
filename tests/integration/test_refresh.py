"""Credentials that stay valid: one STS call for many callers, STS faults, clock skew, long DVC transfers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from credhelper import localaws
from tests.integration.conftest import BIN_DIR, Cli, init_dvc_project
from tests.integration.proxy import AwsProxy

pytestmark = pytest.mark.integration

DS_LOGIN = str(BIN_DIR / "ds-login")
FAST_FAILURE = {"DS_LOGIN_STS_TIMEOUT": "1", "AWS_MAX_ATTEMPTS": "2"}


@pytest.fixture
def proxy(cli: Cli) -> Iterator[AwsProxy]:
    """A proxy in front of moto; STS and S3 requests of the ds-login CLI go through it."""
    with AwsProxy(cli.team.endpoint) as running:
        cli.env["AWS_ENDPOINT_URL"] = running.endpoint
        yield running


def test_fifty_cold_callers_one_assume_role(cli: Cli, proxy: AwsProxy) -> None:
    cli.setup()
    env = {**cli.env}
    processes = [
        subprocess.Popen([DS_LOGIN, "credential-process"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(50)
    ]
    outputs = [process.communicate(timeout=180) for process in processes]

    assert [process.returncode for process in processes] == [0] * 50
    key_ids = {json.loads(stdout)["AccessKeyId"] for stdout, _stderr in outputs}
    assert len(key_ids) == 1
    assert proxy.assume_role_count == 1


def test_dead_lock_holder_blocks_nobody(cli: Cli, proxy: AwsProxy) -> None:
    cli.setup()
    proxy.state.sts_fault = "stall"
    proxy.state.stall_seconds = 20
    holder = subprocess.Popen(
        [DS_LOGIN, "credential-process"],
        env={**cli.env, "DS_LOGIN_STS_TIMEOUT": "60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while proxy.assume_role_count == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proxy.assume_role_count == 1
    holder.send_signal(signal.SIGKILL)
    holder.wait()

    proxy.state.sts_fault = None
    follower = cli.ds_login("credential-process", timeout=30)
    assert follower.returncode == 0, follower.stderr
    assert proxy.assume_role_count == 2


@pytest.mark.parametrize("fault", ["stall", "500", "throttle", "refuse"])
def test_sts_fault_is_unreachable(cli: Cli, proxy: AwsProxy, fault: str) -> None:
    cli.setup()
    proxy.state.sts_fault = fault
    proxy.state.stall_seconds = 5
    completed = cli.ds_login("credential-process", extra=FAST_FAILURE, timeout=60)
    assert completed.returncode == 7
    assert completed.stdout == ""
    assert len(completed.stderr.strip().splitlines()) == 1
    # Retried, and bounded: AWS_MAX_ATTEMPTS=2, plus at most one resend of a
    # request whose connection dropped, which urllib3 may do by itself.
    assert proxy.assume_role_count >= 2
    assert proxy.assume_role_count <= 3


def test_closed_port_is_unreachable(cli: Cli) -> None:
    cli.setup()
    closed = f"http://127.0.0.1:{localaws.free_port()}"
    completed = cli.ds_login("credential-process", extra={**FAST_FAILURE, "AWS_ENDPOINT_URL_STS": closed}, timeout=60)
    assert completed.returncode == 7
    assert "cannot reach AWS STS" in completed.stderr


def test_valid_cache_served_while_sts_down(cli: Cli, proxy: AwsProxy) -> None:
    cli.setup()
    # Ten minutes left: valid, but inside the refresh window, so ds-login tries STS first.
    proxy.state.credential_lifetime_seconds = 600
    first = cli.ds_login("credential-process")
    assert first.returncode == 0, first.stderr

    proxy.state.sts_fault = "500"
    served = cli.ds_login("credential-process", extra=FAST_FAILURE, timeout=60)
    assert served.returncode == 0, served.stderr
    assert json.loads(served.stdout)["AccessKeyId"] == json.loads(first.stdout)["AccessKeyId"]
    assert "serving cached credentials" in served.stderr


def test_clock_skew_reported(cli: Cli, proxy: AwsProxy) -> None:
    cli.setup()
    proxy.state.date_shift_seconds = 3600
    login = cli.ds_login("login")
    assert login.returncode == 0, login.stderr
    assert re.search(r"clock is 3[56]\d\d s behind AWS", login.stderr)


def _dvc_project(cli: Cli, project: Path, files: int) -> None:
    project.mkdir()
    init_dvc_project(cli, project)
    dvc = str(BIN_DIR / "dvc")
    data = project / "data"
    data.mkdir()
    for number in range(files):
        (data / f"part-{number:03d}.bin").write_bytes(os.urandom(2048) + bytes([number]))
    assert cli.run(dvc, "add", "data", cwd=project).returncode == 0


def test_long_push_outlives_credentials(cli: Cli, proxy: AwsProxy, tmp_path: Path) -> None:
    cli.setup()
    project = tmp_path / "project"
    _dvc_project(cli, project, files=24)
    proxy.state.credential_lifetime_seconds = 6
    proxy.state.s3_delay_seconds = 0.4

    # Static keys in the environment, as `eval $(... export)` gives, expire
    # mid-transfer: botocore stops on AWS_CREDENTIAL_EXPIRATION, else S3 returns ExpiredToken.
    static = cli.ds_login("exec", "--", str(BIN_DIR / "dvc"), "push", "-j", "1", cwd=project, timeout=300)
    assert static.returncode != 0
    assert "expired" in static.stderr

    pushed = cli.ds_login("dvc", "push", "-j", "1", cwd=project, timeout=300)
    assert pushed.returncode == 0, pushed.stderr
    assert proxy.assume_role_count > 2


def test_expired_token_gets_last_line(cli: Cli, proxy: AwsProxy, tmp_path: Path) -> None:
    cli.setup()
    project = tmp_path / "project"
    _dvc_project(cli, project, files=2)
    # Every key expires before its request reaches S3, whatever DVC does.
    proxy.state.credential_lifetime_seconds = 3
    proxy.state.s3_delay_seconds = 4
    proxy.state.expire_after_delay = True

    failed = cli.ds_login("dvc", "push", cwd=project, timeout=300)
    assert failed.returncode != 0
    last_line = failed.stderr.strip().splitlines()[-1]
    assert "expired" in last_line
    assert "ds-login login" in last_line
