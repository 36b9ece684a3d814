"""``eval "$(ds-login export)"`` runs no code, whatever the exported values contain.

The exported values are the credentials from STS (whatever server responds
at the configured endpoint) and the region from ds-login's settings file,
which a person or a program can edit by hand. These tests feed shell syntax
through both, run the export in the real shells as docs/getting-started.md
shows, and check that nothing ran and that each value arrived byte for
byte. Property tests of the quoting functions alone are in
tests/unit/test_shells.py.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import xml.sax.saxutils
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from credhelper import localaws
from tests.integration.conftest import Cli, base_environment
from tests.security.helpers import DS_LOGIN

pytestmark = pytest.mark.integration

# Each command evaluates `ds-login export --format FORMAT` as docs/getting-started.md shows,
# then prints the environment with NUL separators.
SHELL_COMMANDS = {
    "bash": ["bash", "--noprofile", "--norc", "-c", f'eval "$({DS_LOGIN} export --format bash)"; exec env -0'],
    "zsh": ["zsh", "-f", "-c", f'eval "$({DS_LOGIN} export --format zsh)"; exec env -0'],
    "fish": ["fish", "--no-config", "-c", f"{DS_LOGIN} export --format fish | source; exec env -0"],
    # NOTE: not run here, because pwsh is not installed and PowerShell is not in Debian's archive.
    "powershell": [
        "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command",
        f"& '{DS_LOGIN}' export --format powershell | Out-String | Invoke-Expression; "
        "Get-ChildItem Env: | ForEach-Object { [Console]::Out.Write($_.Name + '=' + $_.Value + [char]0) }",
    ],
    "dotenv": ["sh", "-c", f'{DS_LOGIN} export --format dotenv > env.txt; set -a; . ./env.txt; exec env -0'],
}
PROGRAMS = {"bash": "bash", "zsh": "zsh", "fish": "fish", "powershell": "pwsh", "dotenv": "sh"}
SHELLS = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            shutil.which(PROGRAMS[name]) is None,
            reason=f"{PROGRAMS[name]} is not installed"
            + ("; PowerShell is not in Debian's archive" if name == "powershell" else ""),
        ),
    )
    for name in SHELL_COMMANDS
]
EXPORTED = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def _payload(markers: Path, tag: str) -> str:
    """Return text that runs `touch` in some shell if evaluated unquoted, or quoted the wrong way."""
    return (
        f"FAKE{tag}'\"$(touch {markers}/{tag}-dollar)`touch {markers}/{tag}-backtick`;"
        f"touch {markers}/{tag}-semicolon;(touch {markers}/{tag}-fish)\n"
        f"$HOME\\'\\\u2019; touch {markers}/{tag}-newline #"
    )


class _FakeStsHandler(BaseHTTPRequestHandler):
    server: _FakeSts

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base class signature
        return

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = self.server.response.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _FakeSts(ThreadingHTTPServer):
    """Returns one AssumeRole result, whose credentials are shell syntax, to every request."""

    daemon_threads = True

    def __init__(self, credentials: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _FakeStsHandler)
        expiration = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        escape = xml.sax.saxutils.escape
        self.response = (
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
            "<AssumedRoleUser><AssumedRoleId>AROAFAKE:fake</AssumedRoleId>"
            f"<Arn>arn:aws:sts::{localaws.ACCOUNT_ID}:assumed-role/developer/fake</Arn></AssumedRoleUser>"
            f"<Credentials><AccessKeyId>{escape(credentials['AccessKeyId'])}</AccessKeyId>"
            f"<SecretAccessKey>{escape(credentials['SecretAccessKey'])}</SecretAccessKey>"
            f"<SessionToken>{escape(credentials['SessionToken'])}</SessionToken>"
            f"<Expiration>{expiration}</Expiration></Credentials>"
            "</AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>"
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def hostile_sts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, Path]]:
    """ds-login set up against a fake STS that returns shell syntax as credentials, and the marker folder.

    Any code that ran would leave a file in the marker folder.
    """
    folder = tmp_path_factory.mktemp("hostile-sts")
    markers = folder / "markers"
    markers.mkdir()
    credentials = {name: _payload(markers, name) for name in ("AccessKeyId", "SecretAccessKey", "SessionToken")}
    server = _FakeSts(credentials)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    home = folder / "home"
    home.mkdir()
    env = base_environment(home, server.endpoint)
    env["DS_LOGIN_STORE"] = "plaintext-file"
    team = localaws.Team(
        endpoint=server.endpoint,
        bucket="unused",
        user_name="jdoe",
        user_arn=f"arn:aws:iam::{localaws.ACCOUNT_ID}:user/jdoe",
        role_arn=f"arn:aws:iam::{localaws.ACCOUNT_ID}:role/developer",
        access_key_id="AKIAFAKEFAKEFAKE0007",
        secret_access_key="fakeUserSecretKeyForExportTests00000007",
    )
    cli = Cli(home, env, team)
    cli.setup()
    yield cli, markers
    server.shutdown()
    server.server_close()


def _environment(output: str) -> dict[str, str]:
    entries = [entry for entry in output.split("\0") if entry]
    return dict(entry.split("=", 1) for entry in entries)


def _marker_names(markers: Path) -> list[str]:
    return sorted(path.name for path in markers.iterdir())


@pytest.mark.parametrize("shell", SHELLS)
def test_hostile_credentials_stay_data(hostile_sts: tuple[Cli, Path], tmp_path: Path, shell: str) -> None:
    cli, markers = hostile_sts
    exported = cli.ds_login("export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    values = json.loads(exported.stdout)
    assert "$(touch" in values["AWS_SECRET_ACCESS_KEY"]

    completed = cli.run(*SHELL_COMMANDS[shell], cwd=tmp_path)

    assert _marker_names(markers) == []
    if shell == "dotenv":
        # The dotenv format cannot carry quotes safely, so it must refuse rather than print.
        assert (tmp_path / "env.txt").read_text() == ""
        return
    assert completed.returncode == 0, completed.stderr
    environment = _environment(completed.stdout)
    for name in EXPORTED:
        assert environment.get(name) == values[name], name


def test_hostile_region_rejected(cli: Cli, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    cli.setup()
    assert cli.ds_login("login").returncode == 0
    settings_file = cli.home / ".config" / "ds-login" / "config"
    text = settings_file.read_text(encoding="utf-8")
    region_line = f"region = {localaws.REGION}\n"
    assert region_line in text
    poisoned = (
        f"region = {localaws.REGION}$(touch {markers}/dollar)`touch {markers}/backtick`;"
        f"touch {markers}/semicolon;(touch {markers}/fish)\n"
    )
    settings_file.write_text(text.replace(region_line, poisoned), encoding="utf-8")

    for output_format in ("bash", "zsh", "fish", "powershell", "dotenv", "json"):
        completed = cli.ds_login("export", "--format", output_format)
        assert completed.returncode == 4, output_format
        assert completed.stdout == "", output_format
        assert str(settings_file) in completed.stderr, output_format
        assert "region" in completed.stderr, output_format
        assert "Traceback" not in completed.stderr, output_format

    for shell in SHELL_COMMANDS:
        if shutil.which(PROGRAMS[shell]) is None:
            continue
        cli.run(*SHELL_COMMANDS[shell], cwd=tmp_path)
        assert _marker_names(markers) == [], shell


def test_hostile_profile_rejected(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    # The endpoint is a closed port, because the profile name must be rejected before any STS call.
    cli = Cli(home, base_environment(home, "http://127.0.0.1:9"), team=None)  # type: ignore[arg-type]
    profile = f"x$(touch {markers}/dollar)`touch {markers}/backtick`;touch {markers}/semicolon\n(touch {markers}/fish)"

    for source in ("--profile", "DS_LOGIN_PROFILE"):
        if source == "--profile":
            direct = cli.ds_login("export", "--profile", profile)
        else:
            direct = cli.ds_login("export", extra={"DS_LOGIN_PROFILE": profile})
        assert direct.returncode == 2, source
        assert direct.stdout == "", source
        assert repr(profile) in direct.stderr, source

        for shell in SHELL_COMMANDS:
            if shutil.which(PROGRAMS[shell]) is None:
                continue
            if source == "--profile":
                argv = [part.replace(" export ", " export --profile \"$P\" ", 1) for part in SHELL_COMMANDS[shell]]
                if shell == "powershell":
                    argv = [part.replace('"$P"', "$Env:P") for part in argv]
                elif shell == "fish":
                    argv = [part.replace('"$P"', "$P") for part in argv]
                completed = cli.run(*argv, cwd=tmp_path, extra={"P": profile})
            else:
                completed = cli.run(*SHELL_COMMANDS[shell], cwd=tmp_path, extra={"DS_LOGIN_PROFILE": profile})
            assert "AWS_SECRET_ACCESS_KEY=" not in completed.stdout, f"{source} in {shell}"
        assert _marker_names(markers) == [], source
    # fish makes its own folders in the home, but ds-login must have made none.
    assert not (home / ".config" / "ds-login").exists()
    assert not (home / ".local" / "state").exists()
    assert not (home / ".aws").exists()
