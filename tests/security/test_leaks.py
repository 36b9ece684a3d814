"""No secret reaches stderr, logs, tracebacks or files, on success and on every failure path.

Each command runs twice, with ``--debug`` (every log record and the
traceback of an error) and with ``-v``. The secrets searched for are the IAM
user's secret key from the fixture, fake secrets the tests make up, and every
session secret key and token that the moto server issued during the test.
Only the stdout of ``export`` and ``credential-process`` may contain session
secrets, and no output may contain the user's secret key. Access key ids may
appear on stderr only masked (``AKIA************ABCD``).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from credhelper import localaws, shells
from credhelper.credentials import BaseKeys
from credhelper.errors import CredhelperError
from credhelper.settings import ProfileSettings
from tests.integration.conftest import BIN_DIR, Cli
from tests.integration.proxy import AwsProxy
from tests.security.helpers import (
    PROFILE,
    files_containing,
    http_get,
    running_server,
    session_key_ids,
    session_secrets,
)

pytestmark = pytest.mark.integration

LOUD_OPTIONS = ("--debug", "-v")
# Commands that change nothing run this many at a time, to keep the suite fast.
CONCURRENT_RUNS = 4
FAST_FAILURE = {"DS_LOGIN_STS_TIMEOUT": "1", "AWS_MAX_ATTEMPTS": "1"}
WRONG_SECRET = "fakeWrongSecretKeyForSecurityTests000001"
UNKNOWN_KEY_ID = "AKIAFAKEFAKEFAKE0042"
TEMPORARY_KEY_ID = "ASIAFAKEFAKEFAKE0042"
PASSPHRASE = "fake-passphrase-for-security-tests"
WRONG_PASSPHRASE = "fake-wrong-passphrase-for-security-tests"
MFA_SERIAL = f"arn:aws:iam::{localaws.ACCOUNT_ID}:mfa/jdoe"
# A child for `exec --server` that fetches credentials from the server and prints nothing.
FETCH_FROM_SERVER = (
    "import os, urllib.request\n"
    "request = urllib.request.Request(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'],"
    " headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})\n"
    "urllib.request.urlopen(request, timeout=10).read()\n"
)
# Writes stdin as an item of service ds-login through the keyring package, as ds-login does.
WRITE_KEYRING_ITEM = "import sys, keyring; keyring.set_password('ds-login', sys.argv[1], sys.stdin.read())"


@dataclass
class Output:
    label: str
    code: int
    stdout: str
    stderr: str
    session_stdout: bool  # whether stdout may carry session credentials


class Transcript:
    """Runs ds-login commands and keeps every output for the checks at the end."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli
        self.outputs: list[Output] = []
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future[None]] = []

    def add(self, label: str, completed: subprocess.CompletedProcess[str], *, session_stdout: bool = False) -> None:
        self.outputs.append(Output(label, completed.returncode, completed.stdout, completed.stderr, session_stdout))

    @contextlib.contextmanager
    def concurrently(self) -> Iterator[None]:
        """Run the commands given inside the block in parallel. Use it only for commands that write nothing."""
        with ThreadPoolExecutor(CONCURRENT_RUNS) as pool:
            self._pool, self._futures = pool, []
            try:
                yield
            finally:
                self._pool = None
        for future in self._futures:
            future.result()

    def plain(self, *arguments: str, expect: int = 0, session_stdout: bool = False, **options: object) -> None:
        if self._pool is not None:
            self._futures.append(self._pool.submit(self._run, arguments, expect, session_stdout, options))
        else:
            self._run(arguments, expect, session_stdout, options)

    def loud(self, *arguments: str, expect: int = 0, session_stdout: bool = False, **options: object) -> None:
        """Run the command once with --debug and once with -v, where each option belongs."""
        for option in LOUD_OPTIONS:
            if arguments[:1] == ("credential-process",):
                argv = (*arguments, option)  # credential-process parses its own options
            else:
                argv = (option, *arguments)
            self.plain(*argv, expect=expect, session_stdout=session_stdout, **options)

    def _run(self, arguments: tuple[str, ...], expect: int, session_stdout: bool, options: dict[str, object]) -> None:
        completed = self.cli.ds_login(*arguments, **options)
        label = "ds-login " + " ".join(arguments)
        assert completed.returncode == expect, f"{label}: exit {completed.returncode}\n{completed.stderr}"
        self.add(label, completed, session_stdout=session_stdout)

    def check(self, secrets: Mapping[str, str], key_ids: list[str], user_secrets: Mapping[str, str]) -> None:
        """Assert that no output shows a secret or an unmasked key id, except where allowed."""
        assert self.outputs
        for output in self.outputs:
            for name, value in secrets.items():
                assert value not in output.stderr, f"{name} on stderr of {output.label}"
            for key_id in key_ids:
                assert key_id not in output.stderr, f"unmasked key id {key_id} on stderr of {output.label}"
            for name, value in user_secrets.items():
                assert value not in output.stdout, f"{name} on stdout of {output.label}"
            if not output.session_stdout:
                for name, value in secrets.items():
                    assert value not in output.stdout, f"{name} on stdout of {output.label}"


def _fake_dvc(folder: Path) -> Path:
    """Write a stand-in for dvc that prints nothing and exits 0."""
    script = folder / "fake-dvc"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(0)\n", encoding="utf-8")
    script.chmod(0o700)
    return script


def _write_keyring_item(cli: Cli, item: str, value: str) -> None:
    completed = cli.run(sys.executable, "-c", WRITE_KEYRING_ITEM, item, input_text=value)
    assert completed.returncode == 0, completed.stderr


def _closed_port_endpoint() -> str:
    return f"http://127.0.0.1:{localaws.free_port()}"


def test_success_paths_show_no_secret(keyring_cli: Cli, tmp_path: Path) -> None:
    cli = keyring_cli
    transcript = Transcript(cli)
    project = tmp_path / "project"
    (project / ".dvc").mkdir(parents=True)
    dvc_env = {"DS_LOGIN_DVC": str(_fake_dvc(tmp_path))}

    transcript.loud("setup", "--role-arn", cli.team.role_arn, "--region", localaws.REGION, extra=cli.user_keys)
    transcript.loud("login")
    transcript.loud()
    with transcript.concurrently():
        transcript.loud("credential-process", session_stdout=True)
        transcript.plain("credential-process", "--profile", PROFILE, session_stdout=True)  # the cache-hit path
        for output_format in shells.FORMATS:
            transcript.loud("export", "--format", output_format, session_stdout=True)
        transcript.loud("exec", "--", "true")
        transcript.loud("exec", "--server", "--", sys.executable, "-c", FETCH_FROM_SERVER)
        transcript.loud("dvc", "status", cwd=project, extra=dvc_env)
        transcript.plain("dvc", "status", cwd=project, extra=dvc_env)
        transcript.loud("status")
        transcript.loud("status", "--json")
    transcript.loud("write-profile")
    transcript.loud("doctor", "--bucket", cli.team.bucket)
    transcript.loud("doctor", "--json", "--bucket", cli.team.bucket)
    transcript.loud("completion", "bash")

    for option in LOUD_OPTIONS:
        with running_server(cli, option) as served:
            accepted = http_get(served.url, {"Authorization": served.token})
            rejected = http_get(served.url)
        assert accepted.status == 200
        assert rejected.status == 401
        transcript.outputs.append(
            Output(f"ds-login {option} serve", 0, served.stdout + served.later_stdout, served.stderr, False)
        )
        transcript.outputs.append(Output(f"401 body from {option} serve", 0, rejected.body.decode(), "", False))

    transcript.loud("logout")
    transcript.loud("logout", "--all", "--yes")

    secrets = {"user secret key": cli.team.secret_access_key, **session_secrets(cli.team)}
    key_ids = [cli.team.access_key_id, *session_key_ids(cli.team)]
    transcript.check(secrets, key_ids, {"user secret key": cli.team.secret_access_key})
    assert files_containing(cli.home, secrets) == {}


def test_failure_paths_show_no_secret(keyring_cli: Cli, tmp_path: Path) -> None:
    cli = keyring_cli
    transcript = Transcript(cli)
    wrong_keys = {"AWS_ACCESS_KEY_ID": cli.team.access_key_id, "AWS_SECRET_ACCESS_KEY": WRONG_SECRET}
    unknown_keys = {"AWS_ACCESS_KEY_ID": UNKNOWN_KEY_ID, "AWS_SECRET_ACCESS_KEY": WRONG_SECRET}
    admin_role = cli.team.role_arn.replace("role/developer", "role/admin")
    no_keyring = {"DS_LOGIN_STORE": "keyring", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    unreachable = {"AWS_ENDPOINT_URL": _closed_port_endpoint(), **FAST_FAILURE}
    role = ("--role-arn", cli.team.role_arn)

    # Profiles for the failure paths, set up one after another (they share the settings files).
    transcript.plain("setup", *role, extra=cli.user_keys)
    transcript.plain("login")
    transcript.plain("setup", "--profile", "wrong-secret", *role, extra=wrong_keys)
    transcript.plain("setup", "--profile", "unknown-key", *role, extra=unknown_keys)
    transcript.plain("setup", "--profile", "admin", "--role-arn", admin_role, extra=cli.user_keys)
    transcript.plain("setup", "--profile", "offline", *role, extra=cli.user_keys)
    transcript.plain("setup", "--profile", "mfa", *role, "--mfa-serial", MFA_SERIAL, extra=cli.user_keys)
    transcript.plain("setup", "--profile", "damaged-key", *role, extra=cli.user_keys)
    transcript.plain(
        "setup", "--profile", "vault", *role,
        extra={**cli.user_keys, "DS_LOGIN_STORE": "encrypted-file", "DS_LOGIN_PASSPHRASE": PASSPHRASE},
    )

    project = tmp_path / "project"
    (project / ".dvc").mkdir(parents=True)
    with AwsProxy(cli.team.endpoint) as proxy, transcript.concurrently():
        proxy.state.sts_fault = "500"
        failing = {"AWS_ENDPOINT_URL": proxy.endpoint, **FAST_FAILURE}

        # AWS rejects the key: a wrong secret (SignatureDoesNotMatch) or an unknown key id (InvalidClientTokenId).
        transcript.loud("login", "--profile", "wrong-secret", expect=6)
        transcript.loud("credential-process", "--profile", "wrong-secret", expect=6)
        transcript.loud("login", "--profile", "unknown-key", expect=6)
        # The role's trust policy does not name this user (AccessDenied).
        transcript.loud("export", "--profile", "admin", expect=6)
        # STS unreachable: a closed port, then HTTP 500 from a proxy.
        transcript.loud("login", "--profile", "offline", expect=7, extra=unreachable)
        transcript.loud("credential-process", "--profile", "offline", expect=7, extra=unreachable)
        transcript.loud("exec", "--profile", "offline", "--", "true", expect=7, extra=failing)
        # doctor reports each of these as a failed check, with exit code 1.
        transcript.loud("doctor", "--profile", "wrong-secret", "--bucket", cli.team.bucket, expect=1)
        transcript.loud("doctor", "--profile", "offline", "--bucket", cli.team.bucket, expect=1, extra=unreachable)
        # No OS keyring.
        transcript.loud("setup", "--profile", "no-keyring", *role, expect=5, extra={**no_keyring, **cli.user_keys})
        transcript.loud("login", expect=5, extra=no_keyring)
        # An MFA code is needed and there is no terminal to ask on.
        transcript.loud("login", "--profile", "mfa", expect=3)
        transcript.loud("credential-process", "--profile", "mfa", expect=3)
        # The encrypted key file with a wrong passphrase.
        transcript.loud("login", "--profile", "vault", expect=5, extra={"DS_LOGIN_PASSPHRASE": WRONG_PASSPHRASE})

        # Unknown profile, for every command that takes one.
        for command in (
            ("login",),
            ("export",),
            ("exec", "--profile", "nobody", "--", "true"),
            ("logout",),
            ("serve",),
            ("write-profile",),
        ):
            arguments = command if "--profile" in command else (*command, "--profile", "nobody")
            transcript.loud(*arguments, expect=4)
        transcript.loud("credential-process", "--profile", "nobody", expect=4)
        transcript.loud("doctor", "--profile", "nobody", expect=1)
        transcript.plain("dvc", "--profile", "nobody", "status", expect=4, cwd=project)
        # dvc outside a DVC repository.
        transcript.loud("dvc", "pull", expect=4, cwd=tmp_path)
        transcript.plain("dvc", "pull", expect=4, cwd=tmp_path)

        # Bad flags and values, with the user's key in the environment.
        for arguments in (
            ("setup", "--role-arn", "arn:aws:iam::12345:role/dev"),
            ("setup", *role, "--duration", "soon"),
            ("setup", *role, "--region", "EU WEST"),
            ("export", "--format", "cmd.exe"),
            ("login", "--mfa-code", "12"),
            ("serve", "--port", "99999"),
            ("logout", "--all"),
            ("exec",),
            ("no-such-command",),
        ):
            transcript.loud(*arguments, expect=2, extra=cli.user_keys)
        transcript.loud("credential-process", "--no-such-flag", expect=2, extra=cli.user_keys)
        transcript.loud("setup", *role, expect=2, extra={**cli.user_keys, "AWS_SESSION_TOKEN": "fakeSessionTokenForTests"})
        transcript.loud(
            "setup", *role, expect=2,
            extra={"AWS_ACCESS_KEY_ID": TEMPORARY_KEY_ID, "AWS_SECRET_ACCESS_KEY": cli.team.secret_access_key},
        )

    # Damaged items that still contain the secrets: a cut-off session and a cut-off key.
    cached = json.loads(cli.ds_login("credential-process").stdout)
    cached["RoleArn"] = cli.team.role_arn
    _write_keyring_item(cli, f"{PROFILE}:session", json.dumps(cached)[:-20])
    keys = BaseKeys(cli.team.access_key_id, cli.team.secret_access_key)
    _write_keyring_item(cli, "damaged-key:base-keys", keys.to_json()[:-2])
    with transcript.concurrently():
        transcript.loud("credential-process", expect=7, extra=unreachable)
        transcript.loud("login", "--profile", "damaged-key", expect=5)
    transcript.loud("credential-process", session_stdout=True)

    secrets = {
        "user secret key": cli.team.secret_access_key,
        "wrong secret key": WRONG_SECRET,
        "passphrase": PASSPHRASE,
        "wrong passphrase": WRONG_PASSPHRASE,
        **session_secrets(cli.team),
    }
    key_ids = [cli.team.access_key_id, UNKNOWN_KEY_ID, TEMPORARY_KEY_ID, *session_key_ids(cli.team)]
    user_secrets = {name: secrets[name] for name in ("user secret key", "wrong secret key", "passphrase", "wrong passphrase")}
    transcript.check(secrets, key_ids, user_secrets)
    assert files_containing(cli.home, secrets) == {}


def test_plaintext_store_only_file_with_secrets(cli: Cli) -> None:
    cli.setup()
    assert cli.ds_login("login").returncode == 0
    assert cli.ds_login("credential-process").returncode == 0

    secrets = {"user secret key": cli.team.secret_access_key, **session_secrets(cli.team)}
    found = files_containing(cli.home, secrets)
    assert list(found) == [".local/state/ds-login/plaintext-store.json"]


def test_demo_shows_no_secret(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": str(BIN_DIR),
        "HOME": str(home),
        "TMPDIR": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "DVC_NO_ANALYTICS": "1",
        "LANG": "C.UTF-8",
    }
    completed = subprocess.run(
        [str(BIN_DIR / "ds-login"), "--debug", "demo", "--keep"],
        env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr

    # Without the Secret Service programs on PATH the demo keeps its secrets
    # in a plaintext file inside its folder, which --keep leaves in place.
    [store] = tmp_path.glob("ds-login-demo-*/home/.local/state/ds-login/plaintext-store.json")
    items = json.loads(store.read_text(encoding="utf-8"))
    user_keys = json.loads(items[f"{PROFILE}:base-keys"])
    session = json.loads(items[f"{PROFILE}:session"])
    secrets = {
        "user secret key": user_keys["SecretAccessKey"],
        "session secret key": session["SecretAccessKey"],
        "session token": session["SessionToken"],
    }
    for name, value in secrets.items():
        assert value not in completed.stdout, f"{name} on stdout"
        assert value not in completed.stderr, f"{name} on stderr"
    for key_id in (user_keys["AccessKeyId"], session["AccessKeyId"]):
        assert key_id not in completed.stdout
        assert key_id not in completed.stderr
    [demo_home] = tmp_path.glob("ds-login-demo-*/home")
    assert list(files_containing(demo_home, secrets)) == [".local/state/ds-login/plaintext-store.json"]


def _exception_chain_text(error: BaseException) -> str:
    """Format an exception with every cause and context, also those hidden by ``raise ... from None``."""
    parts = []
    current: BaseException | None = error
    while current is not None:
        parts.append("".join(traceback.format_exception(type(current), current, current.__traceback__, chain=False)))
        parts.append(repr(current.args))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("case", "expected"),
    [("wrong secret", "SignatureDoesNotMatch"), ("unknown key", "InvalidClientTokenId"), ("closed port", "cannot reach")],
)
def test_exception_chain_has_no_secret(moto_team: localaws.Team, monkeypatch: pytest.MonkeyPatch, case: str, expected: str) -> None:
    from credhelper import sts

    keys = {
        "wrong secret": BaseKeys(moto_team.access_key_id, WRONG_SECRET),
        "unknown key": BaseKeys(UNKNOWN_KEY_ID, WRONG_SECRET),
        "closed port": BaseKeys(moto_team.access_key_id, moto_team.secret_access_key),
    }[case]
    endpoint = _closed_port_endpoint() if case == "closed port" else moto_team.endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    settings = ProfileSettings(profile=PROFILE, role_arn=moto_team.role_arn, region=localaws.REGION)

    with pytest.raises(CredhelperError) as raised:
        sts.assume_role(keys, settings, aws_profile=None)

    text = _exception_chain_text(raised.value)
    assert expected in text
    assert keys.secret_access_key not in text
    assert keys.access_key_id not in str(raised.value)
