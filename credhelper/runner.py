"""Running another program with ds-login's credentials, passing its output and exit code through."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from credhelper.errors import CommandNotFoundError, ConfigurationError

# DVC subcommands that work outside a repository.
_DVC_OUTSIDE_REPO = {"init", "get", "get-url", "import", "import-url", "list", "ls", "ls-url", "version", "doctor", "completion", "config", "remote"}


def run(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``argv`` with inherited stdin, stdout and stderr; return its exit code.

    While the child runs, Ctrl-C reaches it from the terminal and this process
    waits for it, so the child decides how to stop. A child killed by a
    signal gets the shell's exit code for it, 128 plus the signal number.
    """
    if not argv:
        raise CommandNotFoundError("no command given; usage: ds-login exec -- COMMAND [ARGS...]")
    program = shutil.which(argv[0], path=env.get("PATH"))
    if program is None:
        raise CommandNotFoundError(f"command {argv[0]!r} not found on PATH; install it or give its full path")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = subprocess.Popen([program, *argv[1:]], env=dict(env))
        code = process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return 128 - code if code < 0 else code


def find_dvc(env: Mapping[str, str]) -> str:
    """Return the dvc program: DS_LOGIN_DVC, else dvc on PATH, else the one installed beside ds-login."""
    if env.get("DS_LOGIN_DVC"):
        return env["DS_LOGIN_DVC"]
    on_path = shutil.which("dvc", path=env.get("PATH"))
    if on_path:
        return on_path
    beside = Path(sys.executable).parent / "dvc"
    if beside.exists():
        return str(beside)
    raise CommandNotFoundError("dvc not found on PATH; install it with: pip install 'dvc[s3]'")


def check_dvc_repository(arguments: Sequence[str], cwd: Path | None = None) -> None:
    """Raise ConfigurationError when a DVC command needs a repository and none is found upward."""
    subcommand = next((argument for argument in arguments if not argument.startswith("-")), None)
    if subcommand is None or subcommand in _DVC_OUTSIDE_REPO:
        return
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / ".dvc").is_dir():
            return
    raise ConfigurationError(
        f"{start} is not inside a DVC repository (no .dvc folder here or above); "
        "cd into your project, or run: dvc init"
    )
