"""Files ds-login creates are private, and it rejects its files once other users may change or read them.

The commands run under umask 000, so a file or folder only ends up private
when ds-login sets its mode itself.
"""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import Cli
from tests.security.helpers import DS_LOGIN, PROFILE, cache_fake_session

pytestmark = pytest.mark.integration

PASSPHRASE = "fake-passphrase-for-file-mode-tests"
# Runs the command after it with umask 000.
UMASK_ZERO = ("sh", "-c", 'umask 000 && exec "$@"', "sh")
SETTINGS_FILE = Path(".config/ds-login/config")
PLAINTEXT_STORE = Path(".local/state/ds-login/plaintext-store.json")
ENCRYPTED_STORE = Path(".local/state/ds-login/encrypted-store.json")

def _run_umask_zero(cli: Cli, *arguments: str, **options: object) -> subprocess.CompletedProcess[str]:
    completed = cli.run(*UMASK_ZERO, DS_LOGIN, *arguments, **options)  # type: ignore[arg-type]
    assert completed.returncode == 0, f"ds-login {' '.join(arguments)}: {completed.stderr}"
    return completed


def test_created_files_private(cli: Cli) -> None:
    setup = ("setup", "--role-arn", cli.team.role_arn, "--region", "us-east-1")
    _run_umask_zero(cli, *setup, extra=cli.user_keys)
    _run_umask_zero(cli, *setup, "--duration", "7200", extra=cli.user_keys)  # the second edit leaves .bak files
    _run_umask_zero(cli, "login")
    _run_umask_zero(cli, "credential-process")
    _run_umask_zero(cli, "write-profile")
    vault = {"DS_LOGIN_STORE": "encrypted-file", "DS_LOGIN_PASSPHRASE": PASSPHRASE}
    _run_umask_zero(cli, *setup, "--profile", "vault", extra={**cli.user_keys, **vault})
    _run_umask_zero(cli, "login", "--profile", "vault", extra=vault)

    created = sorted(cli.home.rglob("*"))
    names = {str(path.relative_to(cli.home)) for path in created}
    for expected in (
        str(SETTINGS_FILE),
        str(SETTINGS_FILE) + ".bak",
        ".aws/config",
        ".aws/config.bak",
        ".aws/credentials",
        str(PLAINTEXT_STORE),
        str(ENCRYPTED_STORE),
        ".local/state/ds-login/locks/ds-developer.lock",
    ):
        assert expected in names
    for path in created:
        mode = stat.S_IMODE(path.lstat().st_mode)
        expected_mode = 0o700 if path.is_dir() else 0o600
        assert mode == expected_mode, f"{path.relative_to(cli.home)} has mode {mode:o}"


def test_writable_settings_rejected(offline_cli: Cli) -> None:
    cli = offline_cli
    cli.setup()
    cache_fake_session(cli.env)
    settings_file = cli.home / SETTINGS_FILE
    assert cli.ds_login("credential-process").returncode == 0

    for mode in (0o666, 0o620, 0o602):
        settings_file.chmod(mode)
        for arguments in (("credential-process",), ("login",), ("export",)):
            completed = cli.ds_login(*arguments)
            label = f"{' '.join(arguments)} with mode {mode:o}"
            assert completed.returncode == 4, label
            assert completed.stdout == "", label
            assert str(settings_file) in completed.stderr, label
            assert "chmod 600" in completed.stderr, label


def _plaintext_store(cli: Cli) -> Path:
    cli.setup()
    cache_fake_session(cli.env)
    assert cli.ds_login("credential-process").returncode == 0
    return cli.home / PLAINTEXT_STORE


def test_open_plaintext_store_rejected(offline_cli: Cli) -> None:
    cli = offline_cli
    store = _plaintext_store(cli)

    for mode in (0o666, 0o644, 0o640, 0o604):
        store.chmod(mode)
        completed = cli.ds_login("login", "--reuse")
        assert completed.returncode == 5, f"mode {mode:o}"
        assert str(store) in completed.stderr, f"mode {mode:o}"
        assert "chmod 600" in completed.stderr, f"mode {mode:o}"


def test_cache_hit_rejects_writable_store(offline_cli: Cli) -> None:
    cli = offline_cli
    store = _plaintext_store(cli)
    store.chmod(0o666)

    for arguments in (("credential-process",), ("credential-process", "--profile", PROFILE)):
        completed = cli.ds_login(*arguments)
        assert completed.returncode == 5, arguments
        assert completed.stdout == "", arguments
        assert str(store) in completed.stderr, arguments


def test_cache_hit_rejects_readable_store(offline_cli: Cli) -> None:
    cli = offline_cli
    store = _plaintext_store(cli)

    for mode in (0o644, 0o640, 0o604):
        store.chmod(mode)
        # The form that ~/.aws/config runs, which takes the cache-hit path.
        completed = cli.ds_login("credential-process", "--profile", PROFILE)
        assert completed.returncode == 5, f"mode {mode:o}"
        assert completed.stdout == "", f"mode {mode:o}"
        assert str(store) in completed.stderr, f"mode {mode:o}"


def test_open_encrypted_store_rejected(offline_cli: Cli) -> None:
    cli = offline_cli
    vault = {"DS_LOGIN_STORE": "encrypted-file", "DS_LOGIN_PASSPHRASE": PASSPHRASE}
    setup = cli.ds_login("setup", "--role-arn", cli.team.role_arn, extra={**cli.user_keys, **vault})
    assert setup.returncode == 0, setup.stderr
    store = cli.home / ENCRYPTED_STORE

    for mode in (0o666, 0o644):
        store.chmod(mode)
        completed = cli.ds_login("login", extra=vault)
        assert completed.returncode == 5, f"mode {mode:o}"
        assert str(store) in completed.stderr, f"mode {mode:o}"
        assert "chmod 600" in completed.stderr, f"mode {mode:o}"
