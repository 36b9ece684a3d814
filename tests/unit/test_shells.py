"""Tests that every export format reads back byte for byte and never runs a value.

The bash, zsh and fish tests run the rendered text in the real shell, the way
the user does (``eval "$(ds-login export)"`` or ``ds-login export -f fish | source``),
and read the exported variables back with ``env -0``.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import dotenv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credhelper import shells

# Each command reads the rendered text on stdin, applies it, then prints the
# environment with NUL separators so that values with newlines split cleanly.
SHELL_COMMANDS = {
    "bash": ["bash", "--noprofile", "--norc", "-c", 'eval "$(cat)"; exec env -0'],
    "zsh": ["zsh", "-f", "-c", 'eval "$(cat)"; exec env -0'],
    "fish": ["fish", "--no-config", "-c", "cat | source; exec env -0"],
}
SHELLS = [
    pytest.param(name, marks=pytest.mark.skipif(shutil.which(name) is None, reason=f"{name} is not installed"))
    for name in SHELL_COMMANDS
]

NASTY_VALUES = [
    "it's",
    'say "hi"',
    "$HOME",
    "${HOME}",
    "`id`",
    "$(id)",
    "(id)",
    "line1\nline2",
    "ends with newlines\n\n",
    "\nstarts with a newline",
    "semi;colon && or || pipe | amp &",
    "back\\slash",
    "\\'",
    "\\",
    "'",
    "''",
    "ünïcödé ✓ 🙂 日本",
    "",
    " ",
    "-n",
    "--",
    "-e",
    "tab\there",
    "cr\rhere",
    "glob *?[a]",
    "~root",
    "!!",
    "%s%n",
    "{a,b}",
    "a=b",
    "# not a comment",
    "\x1b[31mred\x1b[0m",
    "FakeSessionToken//+/=AQoDYXdzEJr",
]
# Half of the characters come from the set that shells treat specially, so
# that short values often combine them (a backslash before a quote, say).
ENV_VALUES = st.text(
    alphabet=st.one_of(
        st.sampled_from("'\"\\$`;&|<>(){}[]*?!#~%= \t\n\r"),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    ),
    max_size=30,
)


def run_shell(shell: str, script: str, home: Path) -> tuple[int, bytes, dict[str, str]]:
    """Run ``script`` in ``shell`` and return its exit status, stderr and exported environment."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LC_ALL": "C.UTF-8"}
    completed = subprocess.run(
        SHELL_COMMANDS[shell],
        input=script.encode(),
        capture_output=True,
        env=environment,
        cwd=home,
        timeout=20,
    )
    exported = {}
    for item in completed.stdout.split(b"\0"):
        name, _, value = item.decode("utf-8", "surrogateescape").partition("=")
        exported[name] = value
    return completed.returncode, completed.stderr, exported



@pytest.mark.parametrize("shell", SHELLS)
def test_nasty_values_round_trip(shell, tmp_path):
    variables = {f"VALUE_{index}": value for index, value in enumerate(NASTY_VALUES)}

    status, stderr, exported = run_shell(shell, shells.render(variables, shell), tmp_path)

    assert status == 0, stderr
    for name, value in variables.items():
        assert exported.get(name) == value, name


@pytest.mark.parametrize("shell", SHELLS)
def test_injection_never_runs(shell, tmp_path):
    canary = tmp_path / "canary"
    attacks = [
        f"$(touch {canary})",
        f"`touch {canary}`",
        f"'; touch {canary}; '",
        f'"; touch {canary}; "',
        f"\\'; touch {canary}; #",
        f"\ntouch {canary}\n",
        f"(touch {canary})",
        f"'\ntouch {canary}\n'",
    ]
    variables = {f"ATTACK_{index}": value for index, value in enumerate(attacks)}

    status, stderr, exported = run_shell(shell, shells.render(variables, shell), tmp_path)

    assert status == 0, stderr
    assert not canary.exists()
    for name, value in variables.items():
        assert exported.get(name) == value, name


@pytest.mark.parametrize("shell", SHELLS)
def test_generated_values_round_trip(shell):
    @settings(max_examples=30, deadline=None)
    @given(access_key=ENV_VALUES, secret=ENV_VALUES, token=ENV_VALUES)
    def check(access_key, secret, token):
        variables = {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token}
        with tempfile.TemporaryDirectory() as home:
            status, stderr, exported = run_shell(shell, shells.render(variables, shell), Path(home))

        assert status == 0, stderr
        for name, value in variables.items():
            assert exported.get(name) == value, name

    check()


def test_json_round_trip():
    variables = {f"VALUE_{index}": value for index, value in enumerate(NASTY_VALUES)}

    assert json.loads(shells.render(variables, "json")) == variables


@given(variables=st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True), ENV_VALUES, max_size=4))
def test_json_generated_round_trip(variables):
    assert json.loads(shells.render(variables, "json")) == variables


def _read_dotenv(text):
    return dict(dotenv.dotenv_values(stream=io.StringIO(text), interpolate=True))


def _dotenv_safe(value):
    return "'" not in value and "\\" not in value and "${" not in value


def test_dotenv_read_by_python_dotenv():
    variables = {f"VALUE_{index}": value for index, value in enumerate(NASTY_VALUES) if _dotenv_safe(value)}

    assert _read_dotenv(shells.render(variables, "dotenv")) == variables


def test_dotenv_sourced_by_sh(tmp_path):
    variables = {f"VALUE_{index}": value for index, value in enumerate(NASTY_VALUES) if _dotenv_safe(value)}
    env_file = tmp_path / "creds.env"
    env_file.write_text(shells.render(variables, "dotenv"))
    script = f"set -a; . {env_file}; env -0"
    completed = subprocess.run(["sh", "-c", script], capture_output=True, env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    read_back = dict(entry.split("=", 1) for entry in completed.stdout.decode().split("\0") if "=" in entry)

    assert {name: read_back.get(name) for name in variables} == variables


@pytest.mark.parametrize("value", ["it's", "back\\slash", "${HOME}"])
def test_dotenv_rejects_unsafe_value(value):
    with pytest.raises(ValueError, match="--format json"):
        shells.render({"A": value}, "dotenv")


@given(variables=st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True), ENV_VALUES.filter(_dotenv_safe), max_size=4))
def test_dotenv_generated_round_trip(variables):
    assert _read_dotenv(shells.render(variables, "dotenv")) == variables


def test_fish_quote_escapes_backslash_quote():
    assert shells.quote_fish("a\\b'c$d\ne") == "'a\\\\b\\'c$d\ne'"


@pytest.mark.parametrize("name", ["1ABC", "BAD-NAME", "A B", "", "A=B", "Ä"])
def test_render_rejects_invalid_name(name):
    with pytest.raises(ValueError):
        shells.render({name: "x"}, "bash")


def test_render_rejects_unknown_format():
    with pytest.raises(ValueError):
        shells.render({"A": "x"}, "tcsh")
