"""No secret in the argv of a process ds-login starts, or of one started through its profile.

Any user on the machine can read ``/proc/<pid>/cmdline``, so credentials
must travel only in the environment. Each probe below records the command
lines of all processes in its session while it runs: ds-login, the probe
itself, its parent, and any wrapper still running. The test compares them
with every secret the moto server issued. A wrapper that replaced itself
with ``exec`` before the probe ran is gone by then and cannot be seen.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Cli
from tests.security.helpers import AWS, PROFILE, session_secrets

pytestmark = pytest.mark.integration

# Python lines that record the command line of every process in the caller's
# session (ds-login and everything it started, since the test starts ds-login
# in a session of its own) as files <name>-<pid> in ARGV_DUMP_DIR.
RECORD_SESSION = """\
import os, pathlib
def record_session(name):
    dump = pathlib.Path(os.environ["ARGV_DUMP_DIR"])
    session = os.getsid(0)
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(status.rsplit(")", 1)[1].split()[3]) == session:
            dump.joinpath(f"{name}-{entry.name}").write_bytes(cmdline)
    dump.joinpath(f"{name}-parent").write_bytes(open(f"/proc/{os.getppid()}/cmdline", "rb").read())
"""

# A child for `exec`: records the session, then exits 0.
PROBE = RECORD_SESSION + """\
import sys
record_session(sys.argv[1])
"""

# A stand-in for dvc: records the session and AWS_PROFILE, then runs the AWS
# CLI, which reaches ds-login through AWS_PROFILE like DVC's S3 remote.
FAKE_DVC = f"#!{sys.executable}\n" + RECORD_SESSION + f"""\
import subprocess, sys
record_session("dvc")
pathlib.Path(os.environ["ARGV_DUMP_DIR"], "dvc-profile.txt").write_text(os.environ.get("AWS_PROFILE", ""))
sys.exit(subprocess.run([{AWS!r}, "sts", "get-caller-identity"], stdout=subprocess.DEVNULL).returncode)
"""

# Put in front of the profile's credential_process: records the session,
# including the command line the AWS CLI gave it, then runs the real command.
RECORDER = f"#!{sys.executable}\n" + RECORD_SESSION + """\
import sys
record_session(f"credential-process-{os.getpid()}")
os.execv(sys.argv[1], sys.argv[1:])
"""


def _script(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o700)
    return path


def _record_credential_process(cli: Cli, recorder: Path) -> None:
    """Prefix the profile's credential_process in ~/.aws/config with the recorder."""
    config = cli.home / ".aws" / "config"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    rewritten = [
        line.replace("credential_process = ", f"credential_process = {recorder} ", 1)
        if line.startswith("credential_process = ")
        else line
        for line in lines
    ]
    assert rewritten != lines
    config.write_text("".join(rewritten), encoding="utf-8")


def _assert_no_secret(dumps: Path, secrets: dict[str, str]) -> None:
    files = sorted(path for path in dumps.iterdir() if path.suffix != ".txt")
    assert len(files) >= 2
    for path in files:
        cmdline = path.read_bytes()
        assert cmdline
        for name, value in secrets.items():
            assert value.encode() not in cmdline, f"{name} in the argv recorded as {path.name}"


@pytest.fixture
def dumps(cli: Cli, tmp_path: Path) -> Path:
    folder = tmp_path / "argv-dumps"
    folder.mkdir()
    cli.env["ARGV_DUMP_DIR"] = str(folder)
    return folder


def test_exec_argv_has_no_secret(cli: Cli, dumps: Path, tmp_path: Path) -> None:
    cli.setup()
    probe = _script(tmp_path / "probe.py", PROBE)

    keys = cli.ds_login("exec", "--", sys.executable, str(probe), "exec")
    server = cli.ds_login("exec", "--server", "--", sys.executable, str(probe), "exec-server")
    assert keys.returncode == 0, keys.stderr
    assert server.returncode == 0, server.stderr

    assert b"exec" in (dumps / "exec-parent").read_bytes()
    secrets = {"user secret key": cli.team.secret_access_key, **session_secrets(cli.team)}
    _assert_no_secret(dumps, secrets)


def test_exec_server_token_not_in_argv(cli: Cli, dumps: Path, tmp_path: Path) -> None:
    cli.setup()
    probe = _script(
        tmp_path / "token-probe.py",
        PROBE + 'pathlib.Path(os.environ["ARGV_DUMP_DIR"], "token.txt").write_text(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"])\n',
    )
    completed = cli.ds_login("exec", "--server", "--", sys.executable, str(probe), "token-probe")
    assert completed.returncode == 0, completed.stderr

    token = (dumps / "token.txt").read_text()
    assert len(token) >= 32
    _assert_no_secret(dumps, {"server token": token})


def test_dvc_and_aws_cli_argv_have_no_secret(cli: Cli, dumps: Path, tmp_path: Path) -> None:
    cli.setup()
    fake_dvc = _script(tmp_path / "fake-dvc", FAKE_DVC)
    recorder = _script(tmp_path / "recorder", RECORDER)
    _record_credential_process(cli, recorder)
    project = tmp_path / "project"
    (project / ".dvc").mkdir(parents=True)

    completed = cli.ds_login("dvc", "status", cwd=project, extra={"DS_LOGIN_DVC": str(fake_dvc)})
    assert completed.returncode == 0, completed.stderr

    assert (dumps / "dvc-profile.txt").read_text() == PROFILE
    [aws_cli] = dumps.glob("credential-process-*-parent")
    assert b"sts\x00get-caller-identity" in aws_cli.read_bytes()
    assert b"credential-process" in b"".join(path.read_bytes() for path in dumps.glob("credential-process-*"))
    secrets = {"user secret key": cli.team.secret_access_key, **session_secrets(cli.team)}
    assert len(secrets) >= 3
    _assert_no_secret(dumps, secrets)
