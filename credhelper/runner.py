"""Running another program with ds-login's credentials, passing its output and exit code through."""

from __future__ import annotations

import os
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


def run_watching_stderr(argv: Sequence[str], env: Mapping[str, str], needles: Sequence[bytes]) -> tuple[int, bool]:
    """Run like :func:`run`, copying the child's stderr byte for byte while looking for ``needles``.

    Returns the exit code and whether any needle appeared. When our stderr is
    a terminal the child writes to a pseudo-terminal, so it still draws its
    progress bars as it would on the terminal itself.
    """
    if not argv:
        raise CommandNotFoundError("no command given")
    program = shutil.which(argv[0], path=env.get("PATH"))
    if program is None:
        raise CommandNotFoundError(f"command {argv[0]!r} not found on PATH; install it or give its full path")

    use_pty = sys.stderr.isatty()
    if use_pty:
        import pty

        reader, writer = pty.openpty()
        _copy_window_size(sys.stderr.fileno(), writer)
    else:
        reader, writer = os.pipe()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    found = False
    tail = b""
    longest = max(len(needle) for needle in needles)
    try:
        process = subprocess.Popen([program, *argv[1:]], env=dict(env), stderr=writer)
        os.close(writer)
        while True:
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # a pseudo-terminal raises EIO once the child has closed it
                chunk = b""
            if not chunk:
                break
            os.write(sys.stderr.fileno(), chunk)
            window = tail + chunk
            found = found or any(needle in window for needle in needles)
            tail = window[-longest:]
        code = process.wait()
    finally:
        os.close(reader)
        signal.signal(signal.SIGINT, previous)
    return (128 - code if code < 0 else code), found


def _copy_window_size(source: int, target: int) -> None:
    import fcntl
    import termios

    try:
        size = fcntl.ioctl(source, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(target, termios.TIOCSWINSZ, size)
    except OSError:
        pass


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
