"""The credential-process cache-hit path: when it serves, and when it hands over."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from credhelper import hotpath, settings
from credhelper.credentials import TemporaryCredentials
from credhelper.settings import ProfileSettings

ROLE = "arn:aws:iam::123456789012:role/developer"


def _write_cache(tmp_path: Path, minutes_left: float, role_arn: str = ROLE) -> dict[str, str]:
    env = {"HOME": str(tmp_path)}
    settings.save(ProfileSettings("dev", ROLE, session_store="plaintext-file", key_store="plaintext-file"), env)
    credentials = TemporaryCredentials(
        access_key_id="ASIAFAKEFAKEFAKE0001",
        secret_access_key="fakeSessionSecret",
        session_token="fakeSessionToken",
        expiration=dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes_left),
        role_arn=role_arn,
    )
    store = tmp_path / ".local" / "state" / "ds-login" / "plaintext-store.json"
    store.parent.mkdir(parents=True)
    store.write_text(json.dumps({"dev:session": credentials.to_json()}))
    store.chmod(0o600)
    return env


def test_fresh_cache_served(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = _write_cache(tmp_path, minutes_left=50)
    assert hotpath.serve_cached(["--profile", "dev"], env) is True
    output = json.loads(capsys.readouterr().out)
    assert output["Version"] == 1
    assert output["AccessKeyId"] == "ASIAFAKEFAKEFAKE0001"
    assert set(output) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}


def test_profile_equals_form_served(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = _write_cache(tmp_path, minutes_left=50)
    assert hotpath.serve_cached(["--profile=dev"], env) is True


@pytest.mark.parametrize("minutes_left", [15.9, 10, -5])
def test_near_expiry_handed_over(tmp_path: Path, minutes_left: float, capsys: pytest.CaptureFixture[str]) -> None:
    env = _write_cache(tmp_path, minutes_left=minutes_left)
    assert hotpath.serve_cached(["--profile", "dev"], env) is False
    assert capsys.readouterr().out == ""


def test_other_role_handed_over(tmp_path: Path) -> None:
    env = _write_cache(tmp_path, minutes_left=50, role_arn=ROLE.replace("developer", "admin"))
    assert hotpath.serve_cached(["--profile", "dev"], env) is False


@pytest.mark.parametrize("arguments", [["--debug"], ["-v"], ["--help"], ["--profile"], ["--profile", "bad name"]])
def test_unusual_arguments_handed_over(tmp_path: Path, arguments: list[str]) -> None:
    env = _write_cache(tmp_path, minutes_left=50)
    assert hotpath.serve_cached(arguments, {**env, "DS_LOGIN_PROFILE": "dev"}) is False


def test_writable_settings_handed_over(tmp_path: Path) -> None:
    env = _write_cache(tmp_path, minutes_left=50)
    settings_file = settings.paths.settings_file(env)
    os.chmod(settings_file, 0o666)
    assert hotpath.serve_cached(["--profile", "dev"], env) is False


def test_damaged_cache_handed_over(tmp_path: Path) -> None:
    env = _write_cache(tmp_path, minutes_left=50)
    store = tmp_path / ".local" / "state" / "ds-login" / "plaintext-store.json"
    store.write_text(store.read_text()[:-3])
    assert hotpath.serve_cached(["--profile", "dev"], env) is False


def test_unknown_profile_handed_over(tmp_path: Path) -> None:
    env = _write_cache(tmp_path, minutes_left=50)
    assert hotpath.serve_cached(["--profile", "other"], env) is False


def test_refresh_window_matches_credentials() -> None:
    fresh_at_boundary = TemporaryCredentials(
        "ASIAFAKE", "s", "t", dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    )
    just_inside = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc) - dt.timedelta(seconds=hotpath.REFRESH_WINDOW_SECONDS + 1)
    assert fresh_at_boundary.is_fresh(just_inside)
