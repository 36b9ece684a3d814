"""Setup: where keys come from, validation before any write, the AWS profile it writes."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from credhelper import settings
from credhelper import store as stores
from credhelper.credentials import BaseKeys
from credhelper.errors import InvalidInputError
from credhelper.profile_setup import Prompts, SetupRequest, run_setup
from tests.unit.fakes import FAKE_KEYS, MemoryStore


def _factory(store: MemoryStore):
    return lambda _env, _purpose, _recorded: store

ROLE = "arn:aws:iam::123456789012:role/developer"
COMMAND = "/opt/ds-login/bin/ds-login"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(tmp_path), **extra}


def _key_env(tmp_path: Path) -> dict[str, str]:
    return _env(tmp_path, AWS_ACCESS_KEY_ID=FAKE_KEYS.access_key_id, AWS_SECRET_ACCESS_KEY=FAKE_KEYS.secret_access_key)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_keys_from_environment_stored(tmp_path: Path) -> None:
    store = MemoryStore()
    result = run_setup(SetupRequest("dev", ROLE, region="eu-west-1"), _key_env(tmp_path), Prompts(), COMMAND, _factory(store))
    assert result.key_source == "environment"
    assert BaseKeys.from_json(store.items["dev:base-keys"]) == FAKE_KEYS


def test_aws_profile_runs_ds_login(tmp_path: Path) -> None:
    run_setup(SetupRequest("dev", ROLE, region="eu-west-1"), _key_env(tmp_path), Prompts(), COMMAND, _factory(MemoryStore()))
    parser = configparser.RawConfigParser()
    parser.read(tmp_path / ".aws" / "config")
    assert parser.get("profile dev", "credential_process") == f"{COMMAND} credential-process --profile dev"
    assert parser.get("profile dev", "region") == "eu-west-1"
    assert not parser.has_option("profile dev", "role_arn")


def test_shadowing_keys_removed_from_profile(tmp_path: Path) -> None:
    config = tmp_path / ".aws" / "config"
    config.parent.mkdir()
    config.write_text("# mine\n[profile dev]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\noutput = json\n")
    result = run_setup(SetupRequest("dev", ROLE), _key_env(tmp_path), Prompts(), COMMAND, _factory(MemoryStore()))
    text = config.read_text()
    assert result.removed_keys == ["role_arn", "source_profile"]
    assert "role_arn" not in text
    assert "output = json" in text
    assert text.startswith("# mine\n")


def test_invalid_arn_writes_nothing(tmp_path: Path) -> None:
    store = MemoryStore()
    before = _tree(tmp_path)
    with pytest.raises(InvalidInputError, match="arn:aws:iam::1:role/dev"):
        run_setup(SetupRequest("dev", "arn:aws:iam::1:role/dev"), _key_env(tmp_path), Prompts(), COMMAND, _factory(store))
    assert _tree(tmp_path) == before
    assert store.items == {}


def test_temporary_key_rejected(tmp_path: Path) -> None:
    env = _env(tmp_path, AWS_ACCESS_KEY_ID="ASIAFAKEFAKEFAKE0001", AWS_SECRET_ACCESS_KEY="fakeSecret")
    with pytest.raises(InvalidInputError, match="temporary"):
        run_setup(SetupRequest("dev", ROLE), env, Prompts(), COMMAND, _factory(MemoryStore()))


def test_session_token_in_environment_rejected(tmp_path: Path) -> None:
    env = {**_key_env(tmp_path), "AWS_SESSION_TOKEN": "fakeToken"}
    with pytest.raises(InvalidInputError, match="AWS_SESSION_TOKEN"):
        run_setup(SetupRequest("dev", ROLE), env, Prompts(), COMMAND, _factory(MemoryStore()))


def test_no_terminal_names_variables(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="AWS_ACCESS_KEY_ID"):
        run_setup(SetupRequest("dev", ROLE), _env(tmp_path), Prompts(), COMMAND, _factory(MemoryStore()))


def test_prompt_used_at_terminal(tmp_path: Path) -> None:
    answers = iter([FAKE_KEYS.access_key_id, FAKE_KEYS.secret_access_key])
    store = MemoryStore()
    result = run_setup(SetupRequest("dev", ROLE), _env(tmp_path), Prompts(secret=lambda _label: next(answers)), COMMAND, _factory(store))
    assert result.key_source == "prompt"
    assert BaseKeys.from_json(store.items["dev:base-keys"]) == FAKE_KEYS


def test_rerun_keeps_stored_keys(tmp_path: Path) -> None:
    store = MemoryStore()
    run_setup(SetupRequest("dev", ROLE, region="eu-west-1"), _key_env(tmp_path), Prompts(), COMMAND, _factory(store))
    result = run_setup(SetupRequest("dev", ROLE, duration_seconds=7200), _env(tmp_path), Prompts(), COMMAND, _factory(store))
    assert result.key_source == "already stored"
    loaded = settings.load("dev", _env(tmp_path))
    assert loaded.duration_seconds == 7200
    assert loaded.region == "eu-west-1"
    assert (tmp_path / ".aws" / "config").read_text().count("[profile dev]") == 1


def test_new_keys_drop_cached_session(tmp_path: Path) -> None:
    store = MemoryStore()
    store.set(stores.session_item("dev"), "{}")
    run_setup(SetupRequest("dev", ROLE), _key_env(tmp_path), Prompts(), COMMAND, _factory(store))
    assert "dev:session" not in store.items


def test_source_profile_missing_keys(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="'nokeys'"):
        run_setup(SetupRequest("dev", ROLE, source_profile="nokeys"), _env(tmp_path), Prompts(), COMMAND, _factory(MemoryStore()))


def test_source_profile_region_inherited(tmp_path: Path) -> None:
    credentials = tmp_path / ".aws" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text(
        f"[old]\naws_access_key_id = {FAKE_KEYS.access_key_id}\n"
        f"aws_secret_access_key = {FAKE_KEYS.secret_access_key}\nregion=eu-west-1"
    )
    result = run_setup(SetupRequest("dev", ROLE, source_profile="old", remove_plaintext=True), _env(tmp_path), Prompts(), COMMAND, _factory(MemoryStore()))
    assert result.settings.region == "eu-west-1"
    assert result.plaintext_removed_from == credentials
    assert FAKE_KEYS.secret_access_key not in credentials.read_text()
    assert not (tmp_path / ".aws" / "credentials.bak").exists()


def test_new_passphrase_asked_twice(tmp_path: Path) -> None:
    from credhelper.errors import KeyringError
    from credhelper.store.encrypted_file import EncryptedFileStore, passphrase_source

    answers = iter(["fake-one", "fake-two"])
    store = EncryptedFileStore(tmp_path / "store.json", passphrase_source({}, lambda _label: next(answers)))
    with pytest.raises(KeyringError, match="differ"):
        store.set("item", "value")
    assert not (tmp_path / "store.json").exists()


def test_existing_passphrase_asked_once(tmp_path: Path) -> None:
    from credhelper.store.encrypted_file import EncryptedFileStore, passphrase_source

    labels: list[str] = []

    def prompt(label: str) -> str:
        labels.append(label)
        return "fake-passphrase"

    EncryptedFileStore(tmp_path / "store.json", passphrase_source({}, prompt)).set("item", "value")
    assert EncryptedFileStore(tmp_path / "store.json", passphrase_source({}, prompt)).get("item") == "value"
    assert len(labels) == 3
