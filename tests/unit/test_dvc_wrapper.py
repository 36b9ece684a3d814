"""Parsing of ``ds-login dvc [--profile NAME] ARGS`` on the fast path."""

from __future__ import annotations

import pytest

from credhelper.dvc_wrapper import _split_profile
from credhelper.errors import InvalidInputError


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["pull"], ("ds-developer", ["pull"])),
        (["--profile", "team", "push", "-r", "storage"], ("team", ["push", "-r", "storage"])),
        (["-p", "team", "pull"], ("team", ["pull"])),
        (["--profile=team", "pull"], ("team", ["pull"])),
        (["pull", "--profile", "x"], ("ds-developer", ["pull", "--profile", "x"])),
    ],
)
def test_profile_split_from_dvc_arguments(arguments, expected):
    assert _split_profile(arguments, {}) == expected


def test_environment_profile_default():
    assert _split_profile(["pull"], {"DS_LOGIN_PROFILE": "other"}) == ("other", ["pull"])


def test_invalid_profile_rejected():
    with pytest.raises(InvalidInputError, match="'bad name'"):
        _split_profile(["--profile", "bad name", "pull"], {})


ROLE_LINE = 'role_arn = "arn:aws:iam::123456789012:role/developer"\n'


@pytest.mark.parametrize(
    ("team_text", "env", "expected"),
    [
        (None, {}, "ds-developer"),
        (f'{ROLE_LINE}profile = "team-ml"\n', {}, "team-ml"),
        (f'{ROLE_LINE}profile = "team-ml"\n', {"DS_LOGIN_PROFILE": "mine"}, "mine"),
        (ROLE_LINE, {}, "ds-developer"),
    ],
)
def test_fast_resolution_matches_settings(tmp_path, monkeypatch, team_text, env, expected):
    from credhelper import settings

    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    if team_text is not None:
        (repository / "ds-login.toml").write_text(team_text)
    monkeypatch.chdir(repository)
    full_env = {"HOME": str(tmp_path), **env}
    assert _split_profile(["pull"], full_env) == (expected, ["pull"])
    assert settings.resolve_profile(None, full_env, cwd=repository) == expected
