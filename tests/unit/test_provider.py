"""Provider: cache hits, refresh window, MFA and missing keys, with fakes only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from credhelper import settings
from credhelper import store as stores
from credhelper.errors import AwsUnreachableError, KeyringError, LoginRequiredError, ProfileNotFoundError
from credhelper.provider import Provider
from credhelper.settings import ProfileSettings
from tests.unit.fakes import FAKE_KEYS, NOW, FakeSts, MemoryStore

ROLE = "arn:aws:iam::123456789012:role/developer"


def _provider(tmp_path: Path, *, mfa_serial: str | None = None, mfa_prompt=None) -> tuple[Provider, MemoryStore, FakeSts]:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
    settings.save(ProfileSettings("dev", ROLE, region="eu-west-1", mfa_serial=mfa_serial), env)
    store = MemoryStore()
    store.set(stores.base_keys_item("dev"), FAKE_KEYS.to_json())
    sts = FakeSts()
    provider = Provider(
        env=env,
        store_factory=lambda _env, _purpose, _recorded: store,
        clock=lambda: sts.clock[0],
        assume_role=sts,
        mfa_prompt=mfa_prompt,
        aws_profile_exists=lambda _env, _name: False,
    )
    return provider, store, sts


def test_cache_hit_skips_sts(tmp_path: Path) -> None:
    provider, _store, sts = _provider(tmp_path)
    first = provider.credentials("dev")
    second = provider.credentials("dev")
    assert len(sts.calls) == 1
    assert second == first


def test_refresh_inside_window(tmp_path: Path) -> None:
    provider, _store, sts = _provider(tmp_path)
    provider.credentials("dev")
    sts.clock[0] = NOW + dt.timedelta(minutes=44, seconds=30)
    refreshed = provider.credentials("dev")
    assert len(sts.calls) == 2
    assert refreshed.access_key_id.endswith("2")


def test_no_refresh_before_window(tmp_path: Path) -> None:
    provider, _store, sts = _provider(tmp_path)
    provider.credentials("dev")
    sts.clock[0] = NOW + dt.timedelta(minutes=43)
    provider.credentials("dev")
    assert len(sts.calls) == 1


def test_force_calls_sts(tmp_path: Path) -> None:
    provider, _store, sts = _provider(tmp_path)
    provider.credentials("dev")
    provider.credentials("dev", force=True)
    assert len(sts.calls) == 2


def test_damaged_cache_is_miss(tmp_path: Path) -> None:
    provider, store, sts = _provider(tmp_path)
    provider.credentials("dev")
    store.set(stores.session_item("dev"), store.get(stores.session_item("dev"))[:-2])  # type: ignore[index]
    provider.credentials("dev")
    assert len(sts.calls) == 2


def test_other_role_cache_is_miss(tmp_path: Path) -> None:
    provider, _store, sts = _provider(tmp_path)
    provider.credentials("dev")
    settings.save(ProfileSettings("dev", ROLE.replace("developer", "analyst")), provider.env)
    provider.credentials("dev")
    assert len(sts.calls) == 2
    assert sts.calls[1]["role_arn"] == ROLE.replace("developer", "analyst")


def test_mfa_prompt_supplies_code(tmp_path: Path) -> None:
    prompted = []
    provider, _store, sts = _provider(
        tmp_path, mfa_serial="arn:aws:iam::123456789012:mfa/jdoe", mfa_prompt=lambda s: prompted.append(s) or "123456"
    )
    provider.credentials("dev")
    assert len(prompted) == 1
    assert sts.calls[0]["mfa_code"] == "123456"


def test_mfa_without_prompt_needs_login(tmp_path: Path) -> None:
    provider, _store, sts = _provider(tmp_path, mfa_serial="arn:aws:iam::123456789012:mfa/jdoe")
    with pytest.raises(LoginRequiredError, match="ds-login login --profile dev"):
        provider.credentials("dev")
    assert sts.calls == []


def test_missing_base_keys_names_setup(tmp_path: Path) -> None:
    provider, store, _sts = _provider(tmp_path)
    store.delete(stores.base_keys_item("dev"))
    with pytest.raises(LoginRequiredError, match="ds-login setup --profile dev"):
        provider.credentials("dev")


def test_damaged_base_keys_is_keyring_error(tmp_path: Path) -> None:
    provider, store, _sts = _provider(tmp_path)
    store.set(stores.base_keys_item("dev"), "{not json")
    with pytest.raises(KeyringError, match="damaged"):
        provider.credentials("dev")


def test_unknown_profile_raises(tmp_path: Path) -> None:
    provider, _store, _sts = _provider(tmp_path)
    with pytest.raises(ProfileNotFoundError, match="'other'"):
        provider.credentials("other")


def test_logout_all_removes_both_items(tmp_path: Path) -> None:
    provider, store, _sts = _provider(tmp_path)
    provider.credentials("dev")
    removed = provider.logout("dev", forget_base_keys=True)
    assert removed == ["dev:session", "dev:base-keys"]
    assert store.items == {}


def test_unreachable_sts_serves_valid_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    provider, _store, sts = _provider(tmp_path)
    first = provider.credentials("dev")
    sts.clock[0] = NOW + dt.timedelta(minutes=50)

    def unreachable(*_args, **_kwargs):
        raise AwsUnreachableError("cannot reach AWS STS")

    provider.assume_role = unreachable
    served = provider.credentials("dev")
    assert served == first
    assert "serving cached credentials" in caplog.text


def test_unreachable_sts_without_cache_raises(tmp_path: Path) -> None:
    provider, _store, sts = _provider(tmp_path)
    provider.credentials("dev")
    sts.clock[0] = NOW + dt.timedelta(minutes=59)

    def unreachable(*_args, **_kwargs):
        raise AwsUnreachableError("cannot reach AWS STS")

    provider.assume_role = unreachable
    with pytest.raises(AwsUnreachableError):
        provider.credentials("dev")


def test_forced_login_reports_unreachable(tmp_path: Path) -> None:
    provider, _store, sts = _provider(tmp_path)
    provider.credentials("dev")
    sts.clock[0] = NOW + dt.timedelta(minutes=50)

    def unreachable(*_args, **_kwargs):
        raise AwsUnreachableError("cannot reach AWS STS")

    provider.assume_role = unreachable
    with pytest.raises(AwsUnreachableError):
        provider.credentials("dev", force=True)
