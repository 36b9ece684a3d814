"""Helpers for the security tests: the secrets a run must not show, file scans, a running ``ds-login serve``."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.client
import ipaddress
import json
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from credhelper import localaws
from credhelper.credentials import TemporaryCredentials
from credhelper.store import session_item
from credhelper.store.plaintext_file import PlaintextFileStore
from tests.integration.conftest import BIN_DIR, Cli

DS_LOGIN = str(BIN_DIR / "ds-login")
AWS = str(BIN_DIR / "aws")
PROFILE = "ds-developer"
SERVE_START_TIMEOUT_SECONDS = 60


FAKE_SESSION = TemporaryCredentials(
    access_key_id="ASIAFAKEFAKEFAKE0001",
    secret_access_key="fakeSessionSecretKeyForTests000000000001",
    session_token="fakeSessionTokenForTests" * 8,
    expiration=dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc),
    assumed_role_arn=f"arn:aws:sts::{localaws.ACCOUNT_ID}:assumed-role/developer/jdoe",
    role_arn=f"arn:aws:iam::{localaws.ACCOUNT_ID}:role/developer",
)


def cache_fake_session(env: Mapping[str, str], profile: str = PROFILE) -> None:
    """Put FAKE_SESSION in the plaintext store under ``env``'s XDG_STATE_HOME, as a login would."""
    store = PlaintextFileStore(Path(env["XDG_STATE_HOME"]) / "ds-login" / "plaintext-store.json")
    store.set(session_item(profile), FAKE_SESSION.to_json())


def issued_sessions(team: localaws.Team) -> list[dict[str, str]]:
    """Return every set of role credentials the moto server has issued so far.

    moto's state dump lists each AssumeRole result with its secret key and
    session token, so a test can look for every session secret, also those
    of sessions that a later login replaced.
    """
    with urllib.request.urlopen(f"{team.endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    return list(data.get("sts", {}).get("AssumedRole", []))


def session_secrets(team: localaws.Team) -> dict[str, str]:
    """Return every session secret key and token issued so far, keyed by names for assertion messages."""
    secrets = {}
    for number, session in enumerate(issued_sessions(team)):
        secrets[f"secret key of session {number}"] = session["secret_access_key"]
        secrets[f"token of session {number}"] = session["session_token"]
    return secrets


def session_key_ids(team: localaws.Team) -> list[str]:
    return [session["access_key_id"] for session in issued_sessions(team)]


def files_containing(root: Path, secrets: Mapping[str, str]) -> dict[str, list[str]]:
    """Map each file under ``root`` that contains a secret to the names of the secrets it contains."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            content = path.read_bytes()
            names = [name for name, value in secrets.items() if value.encode() in content]
            if names:
                found[str(path.relative_to(root))] = names
    return found


def tree_snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Return each path under ``root`` with its mode and, for files, the SHA-256 of its content."""
    snapshot = {}
    for path in sorted(root.rglob("*")):
        status = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        snapshot[str(path.relative_to(root))] = (status.st_mode, digest)
    return snapshot


def own_ipv4_addresses() -> list[str]:
    """Return this machine's IPv4 addresses other than loopback ones, from /proc/net/fib_trie (Linux).

    Tests may send traffic to these addresses: it never leaves the machine.
    """
    try:
        lines = Path("/proc/net/fib_trie").read_text(encoding="ascii").splitlines()
    except OSError:
        return []
    found = []
    for previous, line in zip(lines, lines[1:]):
        if line.strip() == "/32 host LOCAL":
            address = previous.strip().removeprefix("|-- ")
            if not ipaddress.ip_address(address).is_loopback and address not in found:
                found.append(address)
    return found


@dataclass
class Response:
    status: int
    body: bytes


def http_get(url: str, headers: Mapping[str, str] | None = None) -> Response:
    """Send one GET to ``url`` and return the status and body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=dict(headers or {}))
        reply = connection.getresponse()
        return Response(reply.status, reply.read())
    finally:
        connection.close()


@dataclass
class Served:
    """A running ``ds-login serve``: what it printed on stdout, and its stderr once stopped."""

    process: subprocess.Popen[str]
    url: str
    token: str
    stdout: str
    stderr: str = ""
    later_stdout: str = ""


@contextlib.contextmanager
def running_server(cli: Cli, *global_options: str, profile: str | None = None) -> Iterator[Served]:
    """Start ``ds-login [OPTIONS] serve --format json`` and stop it on exit.

    The server is killed when it has not printed its variables within
    SERVE_START_TIMEOUT_SECONDS, so a hang fails the test instead of blocking it.
    """
    argv = [DS_LOGIN, *global_options, "serve", "--format", "json"]
    if profile is not None:
        argv += ["--profile", profile]
    process = subprocess.Popen(
        argv,
        env=cli.env,
        cwd=cli.home,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    watchdog = threading.Timer(SERVE_START_TIMEOUT_SECONDS, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        lines = []
        while not "".join(lines).rstrip().endswith("}"):
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
    finally:
        watchdog.cancel()
    text = "".join(lines)
    if not text.rstrip().endswith("}"):
        if process.poll() is None:
            process.kill()
        _, stderr = process.communicate(timeout=10)
        raise AssertionError(f"ds-login serve ended with code {process.returncode} before printing its variables: {stderr}")

    variables = json.loads(text)
    served = Served(
        process,
        variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
        variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"],
        text,
    )
    try:
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
        served.later_stdout, served.stderr = process.communicate(timeout=10)
