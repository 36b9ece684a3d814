"""Every malformed flag or variable is rejected before anything is written.

Hypothesis throws malformed values at each setup flag, at ``login
--mfa-code`` and at DS_LOGIN_PROFILE. Each case must exit with code 2, name
the value in its message (as its repr or literally), print no raw control
character, and leave the test home byte for byte as it was. The commands run
in-process through the console entry ``credhelper.entry.main``, which also
dispatches ``credential-process`` and ``dvc`` without typer, because a
process per example would take minutes.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credhelper import entry, localaws
from tests.integration.conftest import base_environment
from tests.security.helpers import tree_snapshot

ROLE_ARN = f"arn:aws:iam::{localaws.ACCOUNT_ID}:role/developer"
FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE0003", "AWS_SECRET_ACCESS_KEY": "fakeUserSecretKeyForValidation000000003"}
# Characters that no identifier, ARN, region or code accepts. Tags accept spaces,
# and strip white space around "=", so they get the set without white space.
NEVER_VALID = "\"'$`;|&<>(){}[]*?!#~%^\\\x1b\x7f"
WHITE_SPACE = " \t\n"
EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


@dataclass
class Home:
    """A throw-away home folder with one profile set up, and the environment that points at it."""

    path: Path
    env: dict[str, str]
    template: Path | None = None  # a copy of the home as set up, restored before each example

    def run(self, *arguments: str, extra: dict[str, str] | None = None) -> Result:
        return run_in_process(list(arguments), {**self.env, **(extra or {})}, self.path)

    def reset(self) -> dict[str, tuple[int, str]]:
        """Restore the home as it was set up and return its snapshot.

        An example that wrongly wrote a file then cannot make later examples fail for another reason.
        """
        assert self.template is not None
        shutil.rmtree(self.path)
        shutil.copytree(self.template, self.path, symlinks=True)
        return tree_snapshot(self.path)


@contextlib.contextmanager
def _saved_logging() -> Iterator[None]:
    """Restore credhelper's logger afterwards, because each command points it at the stderr of that run."""
    logger = logging.getLogger("credhelper")
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    try:
        yield
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def run_in_process(arguments: list[str], env: dict[str, str], cwd: Path) -> Result:
    """Run ``ds-login ARGUMENTS`` through the console entry in this process and return its outcome."""
    stdout, stderr = io.StringIO(), io.StringIO()
    previous_cwd = os.getcwd()
    os.chdir(cwd)
    try:
        with (
            mock.patch.dict(os.environ, env, clear=True),
            mock.patch.object(sys, "argv", ["ds-login", *arguments]),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
            _saved_logging(),
        ):
            try:
                entry.main()
                code = 0
            except SystemExit as exit_request:
                code = exit_request.code if isinstance(exit_request.code, int) else int(exit_request.code is not None)
    finally:
        os.chdir(previous_cwd)
    return Result(code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def home(tmp_path: Path) -> Home:
    folder = tmp_path / "home"
    folder.mkdir()
    # A closed port: a command that wrongly got as far as STS fails here instead of leaving the machine.
    env = base_environment(folder, f"http://127.0.0.1:{localaws.free_port()}")
    env.update({"DS_LOGIN_STORE": "plaintext-file", "AWS_MAX_ATTEMPTS": "1", "DS_LOGIN_STS_TIMEOUT": "1"})
    prepared = Home(folder, env)
    setup = prepared.run("setup", f"--role-arn={ROLE_ARN}", "--region=eu-west-1", extra=FAKE_KEYS)
    assert setup.code == 0, setup.stderr
    (folder / ".dvc").mkdir()  # so that `ds-login dvc status` gets past its repository check
    prepared.template = tmp_path / "template"
    shutil.copytree(folder, prepared.template, symlinks=True)
    return prepared


def _inserted(valid: str, characters: str) -> st.SearchStrategy[str]:
    """Return ``valid`` with one of ``characters`` inserted strictly inside it, where stripping cannot drop it."""
    return st.builds(
        lambda position, character: valid[:position] + character + valid[position:],
        st.integers(min_value=1, max_value=len(valid) - 1),
        st.sampled_from(characters),
    )


def _assert_rejected(home: Home, before: dict[str, tuple[int, str]], result: Result, value: str) -> None:
    assert result.code == 2, result.stderr
    assert result.stdout == ""
    named = (value, repr(value), repr(value.strip()))
    assert any(form in result.stderr for form in named), result.stderr
    assert _CONTROL_RE.search(result.stderr) is None, repr(result.stderr)
    assert "Traceback" not in result.stderr
    assert tree_snapshot(home.path) == before


IDENTIFIER_BAD = NEVER_VALID + WHITE_SPACE + "\u00e9\u2019"
SETUP_FLAGS = {
    "--role-arn": st.one_of(
        _inserted(ROLE_ARN, IDENTIFIER_BAD),
        st.from_regex(r"arn:aws:iam::([0-9]{1,11}|[0-9]{13,20}):role/developer", fullmatch=True),
        st.text(min_size=1, max_size=40).filter(lambda text: text.strip() and not text.strip().startswith("arn:")),
    ),
    "--region": st.one_of(
        _inserted("eu-west-1", IDENTIFIER_BAD),
        st.sampled_from(["EU-WEST-1", "eu_west_1", "eu-west-100", "europe", "eu-west-1a", "1-west-eu"]),
    ),
    "--mfa-serial": st.one_of(
        _inserted(f"arn:aws:iam::{localaws.ACCOUNT_ID}:mfa/jdoe", IDENTIFIER_BAD),
        st.text(alphabet="abcdef0123456789", min_size=1, max_size=8),
    ),
    "--profile": st.one_of(
        _inserted("ds-developer", IDENTIFIER_BAD + ":/,="),
        st.sampled_from(["-leading-dash", ".hidden", "_under", "x" * 65]),
    ),
    "--source-profile": _inserted("old-profile", IDENTIFIER_BAD + ":/,="),
    "--external-id": _inserted("fake-external-id", IDENTIFIER_BAD),
    "--role-session-name": _inserted("jdoe-laptop", IDENTIFIER_BAD + ":/"),
    "--source-identity": _inserted("jdoe-laptop", IDENTIFIER_BAD + ":/"),
    "--tag": _inserted("team=data", NEVER_VALID + ","),
}


@pytest.mark.parametrize("flag", sorted(SETUP_FLAGS))
def test_setup_rejects_bad_value(home: Home, flag: str) -> None:
    @EXAMPLES
    @given(value=SETUP_FLAGS[flag])
    def check(value: str) -> None:
        before = home.reset()
        arguments = [f"{flag}={value}"]
        if flag != "--role-arn":
            arguments.append(f"--role-arn={ROLE_ARN}")
        result = home.run("setup", *arguments, extra=FAKE_KEYS)
        _assert_rejected(home, before, result, value)

    check()


@EXAMPLES
@given(seconds=st.integers().filter(lambda seconds: not 900 <= seconds <= 43200))
def test_setup_rejects_duration_out_of_range(home: Home, seconds: int) -> None:
    before = home.reset()
    result = home.run("setup", f"--role-arn={ROLE_ARN}", f"--duration={seconds}", extra=FAKE_KEYS)
    assert re.search(rf"(?<![\w-]){seconds}(?!\w)", result.stderr), result.stderr
    _assert_rejected(home, before, result, str(seconds))


def _not_an_integer(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return True
    return False


@settings(EXAMPLES, report_multiple_bugs=False)
@given(text=st.one_of(st.sampled_from(["1h", "3600s", "3600.0", "1e3", "0x10", "ten"]), st.text(max_size=12).filter(_not_an_integer)))
def test_setup_names_non_integer_duration(home: Home, text: str) -> None:
    before = home.reset()
    result = home.run("setup", f"--role-arn={ROLE_ARN}", f"--duration={text}", extra=FAKE_KEYS)
    _assert_rejected(home, before, result, text)


@EXAMPLES
@given(
    code=st.one_of(
        st.text(alphabet="0123456789", min_size=1, max_size=12).filter(lambda digits: len(digits) != 6),
        _inserted("123456", NEVER_VALID + "a\u0663"),
        st.sampled_from(["12345a", "１２３４５６", "12 34 56", "123-456"]),
    )
)
def test_login_rejects_bad_mfa_code(home: Home, code: str) -> None:
    before = home.reset()
    result = home.run("login", f"--mfa-code={code}")
    # The code is not repeated: people paste passwords into MFA prompts by mistake.
    assert result.code == 2, result.stderr
    assert "invalid MFA code" in result.stderr
    assert result.stdout == ""
    assert tree_snapshot(home.path) == before


PROFILE_COMMANDS = [
    ("credential-process",),
    ("dvc", "status"),
    ("login",),
    ("export",),
    ("exec", "--", "true"),
    ("logout",),
    ("serve",),
    ("write-profile",),
    ("setup", f"--role-arn={ROLE_ARN}"),
]


@EXAMPLES
@given(profile=st.one_of(_inserted("ds-developer", IDENTIFIER_BAD + ":/,="), st.sampled_from(["-x", ".x", "x" * 65])))
def test_bad_profile_variable_rejected(home: Home, profile: str) -> None:
    before = home.reset()
    for command in PROFILE_COMMANDS:
        result = home.run(*command, extra={"DS_LOGIN_PROFILE": profile, **FAKE_KEYS})
        assert result.code == 2, f"{command}: {result.stderr}"
        _assert_rejected(home, before, result, profile)


def test_message_quotes_value_exactly(home: Home) -> None:
    before = home.reset()
    result = home.run("login", extra={"DS_LOGIN_PROFILE": "bad:fire:name!"})
    _assert_rejected(home, before, result, "bad:fire:name!")
