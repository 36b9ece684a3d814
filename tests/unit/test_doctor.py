"""The doctor's core with fakes: a locked keyring, a crashing check, masked variables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from credhelper import checks, doctor, settings
from credhelper import store as stores
from credhelper.errors import KeyringError, KeyringLockedError
from credhelper.provider import Provider
from credhelper.settings import ProfileSettings
from tests.unit.fakes import FAKE_KEYS, FakeSts, MemoryStore

ROLE = "arn:aws:iam::123456789012:role/developer"
PROFILE = "dev"


class LockedStore(MemoryStore):
    def get(self, item: str) -> str | None:
        raise KeyringLockedError(f"the OS keyring is locked, so ds-login cannot read {item!r}; unlock it and retry")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
    settings.save(ProfileSettings(PROFILE, ROLE, region="eu-west-1"), env)
    config = tmp_path / ".aws" / "config"
    config.parent.mkdir()
    config.write_text(f"[profile {PROFILE}]\ncredential_process = {sys.executable} -m credhelper credential-process\n")
    return env


def _doctor(tmp_path: Path, store: MemoryStore, client_factory: Any = None) -> doctor.Doctor:
    provider = Provider(
        env=_env(tmp_path),
        store_factory=lambda _env, _purpose, _recorded: store,
        assume_role=FakeSts(),
        aws_profile_exists=lambda _env, _name: False,
    )
    checker = doctor.Doctor(provider, PROFILE, cwd=tmp_path)
    if client_factory is not None:
        checker.client_factory = client_factory
    return checker


def _rows(checker: doctor.Doctor) -> dict[str, checks.CheckResult]:
    return {result.name: result for result in checker.run()}


def test_install_passes_with_profile(tmp_path: Path) -> None:
    rows = _rows(_doctor(tmp_path, LockedStore()))
    assert rows[checks.INSTALL].status == checks.PASS


def test_locked_keyring_reported_locked(tmp_path: Path) -> None:
    rows = _rows(_doctor(tmp_path, LockedStore()))
    assert rows[checks.SECRET_STORE].status == checks.FAIL
    assert rows[checks.SECRET_STORE].detail == "memory store is locked"
    assert rows[checks.SECRET_STORE].fix.startswith("unlock")
    assert rows[checks.BASE_KEYS].detail == "needs secret-store"


def test_crashing_check_names_type_only(tmp_path: Path) -> None:
    store = MemoryStore()
    store.set(stores.base_keys_item(PROFILE), FAKE_KEYS.to_json())

    def crash(*_arguments: object) -> Any:
        raise RuntimeError(FAKE_KEYS.secret_access_key)

    rows = _rows(_doctor(tmp_path, store, crash))
    assert rows[checks.USER_IDENTITY].status == checks.FAIL
    assert rows[checks.USER_IDENTITY].detail == "the check raised RuntimeError"
    assert rows[checks.ASSUME_ROLE].detail == "needs user-identity"


def test_rows_follow_check_order(tmp_path: Path) -> None:
    names = [result.name for result in _doctor(tmp_path, LockedStore()).run()]
    assert names == [
        checks.INSTALL,
        checks.SECRET_STORE,
        checks.BASE_KEYS,
        checks.USER_IDENTITY,
        checks.LEAST_PRIVILEGE,
        checks.ASSUME_ROLE,
        checks.BUCKET_ACCESS,
        checks.DVC_REMOTE,
        checks.CLOCK_SKEW,
        checks.ENVIRONMENT,
    ]


def test_missing_program_fails_install(tmp_path: Path) -> None:
    env = _env(tmp_path)
    (tmp_path / ".aws" / "config").write_text(f"[profile {PROFILE}]\ncredential_process = /nonexistent/ds-login credential-process\n")
    _program, problems = checks.check_credential_process(env, PROFILE, "run: ds-login setup")
    assert [problem.status for problem in problems] == [checks.FAIL]
    assert "does not exist" in problems[0].detail


def test_shadowing_key_fails_install(tmp_path: Path) -> None:
    env = _env(tmp_path)
    with open(tmp_path / ".aws" / "config", "a", encoding="utf-8") as config:
        config.write("role_arn = arn:aws:iam::123456789012:role/other\n")
    _program, problems = checks.check_credential_process(env, PROFILE, "run: ds-login setup")
    assert "role_arn" in problems[0].detail


def test_environment_masks_key_id() -> None:
    env = {"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE0001", "AWS_SECRET_ACCESS_KEY": "fakeSecretForTestsOnly"}
    result = checks.check_environment(env, PROFILE)
    assert result.status == checks.FAIL
    assert "AKIAFAKEFAKEFAKE0001" not in result.detail
    assert "fakeSecretForTestsOnly" not in result.detail
    assert "AKIA************0001" in result.detail


def test_environment_accepts_own_profile() -> None:
    result = checks.check_environment({"AWS_PROFILE": PROFILE}, PROFILE)
    assert result.status == checks.PASS


def test_split_message_takes_last_clause() -> None:
    detail, fix = checks.split_message(KeyringError("cannot read x; delete it; run setup"), "fallback")
    assert detail == "cannot read x; delete it"
    assert fix == "run setup"
