"""Notebooks and long-running processes: the Python API, the IPython magic, the credential server."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.integration.conftest import BIN_DIR, Cli
from tests.integration.proxy import AwsProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def in_process_env(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """This test process's environment replaced by the CLI's throw-away one."""
    cli.setup()
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in cli.env.items():
        monkeypatch.setenv(name, value)
    # Recorded as absent, so teardown removes what the magic sets.
    monkeypatch.setenv("AWS_PROFILE", "unset-after-test")
    monkeypatch.delenv("AWS_PROFILE")
    yield cli


def test_session_refreshes_without_subprocess(in_process_env: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import credhelper

    cli = in_process_env
    with AwsProxy(cli.team.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        # Ten minutes per session: botocore refreshes on every use, as an hour later it would.
        proxy.state.credential_lifetime_seconds = 600

        def no_subprocess(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("credhelper.session() must not start a subprocess")

        monkeypatch.setattr(subprocess, "Popen", no_subprocess)
        s3 = credhelper.session().client("s3")
        s3.put_object(Bucket=cli.team.bucket, Key="files/api.txt", Body=b"api")
        first_count = proxy.assume_role_count
        body = s3.get_object(Bucket=cli.team.bucket, Key="files/api.txt")["Body"].read()

    assert body == b"api"
    assert first_count >= 1
    assert proxy.assume_role_count > first_count


def test_session_uses_profile_region(in_process_env: Cli) -> None:
    import credhelper

    assert credhelper.session().region_name == "us-east-1"


def test_ipython_magic_logs_in(
    in_process_env: Cli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKESTALEKEY0001")
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "credhelper")
        shell.run_line_magic("ds_login", "--profile ds-developer")
    finally:
        InteractiveShell.clear_instance()
    output = capsys.readouterr().out
    assert "Logged in as arn:aws:sts::123456789012:assumed-role/developer/" in output
    assert os.environ["AWS_PROFILE"] == "ds-developer"
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_ipython_magic_reports_errors(in_process_env: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "credhelper")
        shell.run_line_magic("ds_login", "--profile nobody")
    finally:
        InteractiveShell.clear_instance()
    output = capsys.readouterr().out
    assert output.startswith("ds-login: profile 'nobody' is not set up")


def test_exec_server_gives_no_keys(cli: Cli) -> None:
    cli.setup()
    probe = (
        "import os, boto3\n"
        "assert 'AWS_SECRET_ACCESS_KEY' not in os.environ\n"
        "assert os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'].startswith('http://127.0.0.1:')\n"
        "print(boto3.client('sts').get_caller_identity()['Arn'])\n"
    )
    completed = cli.ds_login("exec", "--server", "--", sys.executable, "-c", probe)
    assert completed.returncode == 0, completed.stderr
    assert "assumed-role/developer" in completed.stdout


def _get(url: str, token: str | None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Authorization": token} if token is not None else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_requires_token(cli: Cli) -> None:
    cli.setup()
    server = subprocess.Popen(
        [str(BIN_DIR / "ds-login"), "serve"],
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        variables = {}
        for _ in range(2):
            name, _, value = server.stdout.readline().strip().removeprefix("export ").partition("=")
            variables[name] = shlex.split(value)[0]
        url = variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        token = variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"]

        assert url.startswith("http://127.0.0.1:")
        assert _get(url, None)[0] == 401
        assert _get(url, token[:-1] + ("A" if token[-1] != "A" else "B"))[0] == 401
        status, body = _get(url, token)
        assert status == 200
        assert body["AccessKeyId"].startswith("ASIA")
        assert set(body) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    finally:
        server.terminate()
        server.wait(timeout=10)
