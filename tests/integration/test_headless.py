"""Headless Linux: no Secret Service, so the kernel keyring and an encrypted file take over."""

from __future__ import annotations

import json
import uuid

import pytest

from credhelper import localaws
from credhelper.store import keyctl
from tests.integration.conftest import BIN_DIR, IN_CI, Cli

pytestmark = pytest.mark.integration

PASSPHRASE = "fake-passphrase-for-tests"
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture
def headless_profile(cli: Cli):
    reason = keyctl.unusable_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    profile = f"headless-{uuid.uuid4().hex[:8]}"
    cli.env.pop("DS_LOGIN_STORE")
    cli.env.update(NO_KEYRING)
    yield profile
    cli.ds_login("logout", "--all", "--yes", "--profile", profile, extra={"DS_LOGIN_PASSPHRASE": PASSPHRASE})


def test_headless_choice_and_login(cli: Cli, headless_profile: str) -> None:
    setup = cli.ds_login(
        "setup", "--profile", headless_profile, "--role-arn", cli.team.role_arn, "--region", localaws.REGION,
        extra={**cli.user_keys, "DS_LOGIN_PASSPHRASE": PASSPHRASE},
    )
    assert setup.returncode == 0, setup.stderr
    assert "encrypted file" in setup.stderr
    assert "kernel keyring" in setup.stderr

    login = cli.ds_login("login", "--profile", headless_profile, extra={"DS_LOGIN_PASSPHRASE": PASSPHRASE})
    assert login.returncode == 0, login.stderr

    # The cache hit needs neither the passphrase nor the keyring package.
    served = cli.ds_login("credential-process", "--profile", headless_profile)
    assert served.returncode == 0, served.stderr
    secret = json.loads(served.stdout)["SecretAccessKey"]

    listing = cli.run(str(BIN_DIR / "aws"), "s3", "ls", f"s3://{cli.team.bucket}", "--profile", headless_profile)
    assert listing.returncode == 0, listing.stderr

    for path in cli.home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert cli.team.secret_access_key.encode() not in content
            assert secret.encode() not in content


def test_headless_miss_without_passphrase(cli: Cli, headless_profile: str) -> None:
    setup = cli.ds_login(
        "setup", "--profile", headless_profile, "--role-arn", cli.team.role_arn,
        extra={**cli.user_keys, "DS_LOGIN_PASSPHRASE": PASSPHRASE},
    )
    assert setup.returncode == 0, setup.stderr

    completed = cli.ds_login("credential-process", "--profile", headless_profile, timeout=30)
    assert completed.returncode == 5
    assert completed.stdout == ""
    assert "DS_LOGIN_PASSPHRASE" in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1


def test_headless_wrong_passphrase(cli: Cli, headless_profile: str) -> None:
    setup = cli.ds_login(
        "setup", "--profile", headless_profile, "--role-arn", cli.team.role_arn,
        extra={**cli.user_keys, "DS_LOGIN_PASSPHRASE": PASSPHRASE},
    )
    assert setup.returncode == 0, setup.stderr
    completed = cli.ds_login("login", "--profile", headless_profile, extra={"DS_LOGIN_PASSPHRASE": "wrong-passphrase"})
    assert completed.returncode == 5
    assert "wrong passphrase" in completed.stderr

