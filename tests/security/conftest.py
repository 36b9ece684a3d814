"""Fixtures for the security tests.

The moto server, the private Secret Service and the ``Cli`` runner come from
the integration tests, so both suites start ds-login the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from credhelper import localaws
from tests.integration.conftest import Cli, base_environment
from tests.integration.conftest import cli, keyring_cli, moto_team, secret_service  # noqa: F401 - fixtures


@pytest.fixture
def offline_cli(tmp_path: Path) -> Cli:
    """ds-login with the plaintext store and fake keys, for tests that must never reach STS.

    The endpoint is a closed port on 127.0.0.1, so a call that should not
    happen fails at once instead of leaving the machine.
    """
    home = tmp_path / "home"
    home.mkdir()
    endpoint = f"http://127.0.0.1:{localaws.free_port()}"
    env = base_environment(home, endpoint)
    env.update({"DS_LOGIN_STORE": "plaintext-file", "AWS_MAX_ATTEMPTS": "1", "DS_LOGIN_STS_TIMEOUT": "1"})
    team = localaws.Team(
        endpoint=endpoint,
        bucket="team-dvc-data",
        user_name="jdoe",
        user_arn=f"arn:aws:iam::{localaws.ACCOUNT_ID}:user/jdoe",
        role_arn=f"arn:aws:iam::{localaws.ACCOUNT_ID}:role/developer",
        access_key_id="AKIAFAKEFAKEFAKE0001",
        secret_access_key="fakeUserSecretKeyForOfflineTests00000001",
    )
    return Cli(home, env, team)
