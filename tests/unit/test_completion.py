"""Shell completion: scripts for each shell, and completions computed through the shells' protocol."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DS_LOGIN = str(Path(sys.executable).parent / "ds-login")


def _run(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DS_LOGIN, *arguments], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_script_printed_per_shell(shell: str) -> None:
    completed = _run("completion", shell)
    assert completed.returncode == 0
    assert "_DS_LOGIN_COMPLETE" in completed.stdout


def test_unknown_shell_rejected() -> None:
    completed = _run("completion", "tcsh")
    assert completed.returncode == 2
    assert "invalid shell 'tcsh'" in completed.stderr


def test_bash_completes_commands() -> None:
    completed = _run(env={"_DS_LOGIN_COMPLETE": "complete_bash", "COMP_WORDS": "ds-login lo", "COMP_CWORD": "1"})
    assert completed.stdout.split() == ["login", "logout"]


def test_bash_loads_script() -> None:
    script = _run("completion", "bash").stdout
    completed = subprocess.run(["bash", "-c", f"{script}\ncomplete -p ds-login"], capture_output=True, text=True)
    assert "_ds_login_completion" in completed.stdout


def test_zsh_completes_options() -> None:
    completed = _run(env={"_DS_LOGIN_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "ds-login export --fo"})
    assert "--format" in completed.stdout


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_loads_script() -> None:
    script = _run("completion", "fish").stdout
    completed = subprocess.run(["fish", "-c", f"{script}; complete -C 'ds-login lo'"], capture_output=True, text=True,
                               env={**os.environ, "PATH": f"{Path(DS_LOGIN).parent}:{os.environ['PATH']}"})
    assert "login" in completed.stdout
    assert "logout" in completed.stdout
