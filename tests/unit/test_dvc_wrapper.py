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
