"""AWS config and credentials files: edits the AWS CLI still reads, static profiles, source profiles."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import boto3
import pytest

from credhelper import localaws
from tests.integration.conftest import BIN_DIR, Cli
from tests.integration.proxy import AwsProxy

pytestmark = pytest.mark.integration

AWS = str(BIN_DIR / "aws")
NESTED_CONFIG = (
    b"[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n    max_concurrent_requests = 20\n\n"
    b"[profile analytics]\nregion = eu-central-1\ns3 =\n# transfer tuning lives here\n    multipart_threshold = 64MB\n\n"
    b"[profile empty-block]\ns3 =\n[profile after-empty]\nregion = us-west-2\n"
)
CREDENTIALS_NO_FINAL_NEWLINE = (
    b"[newjoiner]\naws_access_key_id = AKIAEXAMPLEBASEKEY01\n"
    b"aws_secret_access_key = exampleSecretKeyDoNotUse0000000000000000\nregion=eu-west-1"
)


def _configure_get(cli: Cli, name: str, profile: str) -> str:
    return cli.run(AWS, "configure", "get", name, "--profile", profile).stdout.strip()


def test_setup_keeps_nested_config_for_aws_cli(cli: Cli) -> None:
    config = cli.home / ".aws" / "config"
    config.parent.mkdir()
    config.write_bytes(NESTED_CONFIG)
    cli.setup()

    text = config.read_bytes()
    assert text.startswith(NESTED_CONFIG)
    assert _configure_get(cli, "region", "analytics") == "eu-central-1"
    assert _configure_get(cli, "region", "after-empty") == "us-west-2"
    assert _configure_get(cli, "default.s3.max_concurrent_requests", "default") == "20"
    assert "credential-process --profile ds-developer" in _configure_get(cli, "credential_process", "ds-developer")


def test_setup_honours_file_variables(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "elsewhere" / "config"
    credentials = tmp_path / "elsewhere" / "credentials"
    cli.env.update({"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)})
    cli.setup()
    assert config.is_file()
    assert not (cli.home / ".aws").exists()
    listing = cli.run(AWS, "s3", "ls", f"s3://{cli.team.bucket}", "--profile", "ds-developer")
    assert listing.returncode == 0, listing.stderr


def test_duplicate_section_stops_setup_untouched(cli: Cli) -> None:
    config = cli.home / ".aws" / "config"
    config.parent.mkdir()
    original = b"[profile test]\nregion = us-east-1\n\n[profile test]\nregion = eu-west-1\n"
    config.write_bytes(original)
    completed = cli.ds_login("setup", "--role-arn", cli.team.role_arn, extra=cli.user_keys)
    assert completed.returncode == 4
    assert str(config) in completed.stderr
    assert "lines 1 and 4" in completed.stderr
    assert config.read_bytes() == original
    assert not (cli.home / ".config").exists()
    assert not (cli.home / ".local").exists()


def test_write_profile_for_static_tools(cli: Cli) -> None:
    credentials = cli.home / ".aws" / "credentials"
    credentials.parent.mkdir()
    credentials.write_bytes(CREDENTIALS_NO_FINAL_NEWLINE)
    credentials.chmod(0o600)
    cli.setup()

    written = cli.ds_login("write-profile")
    assert written.returncode == 0, written.stderr
    text = credentials.read_bytes()
    assert text.startswith(CREDENTIALS_NO_FINAL_NEWLINE + b"\n\n[ds-developer-static]\n")
    assert b"ds_login_expiration = " in text
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert not credentials.with_name("credentials.bak").exists()

    listing = cli.run(AWS, "s3", "ls", f"s3://{cli.team.bucket}", "--profile", "ds-developer-static")
    assert listing.returncode == 0, listing.stderr

    logout = cli.ds_login("logout")
    assert logout.returncode == 0, logout.stderr
    assert credentials.read_bytes() == CREDENTIALS_NO_FINAL_NEWLINE + b"\n"


def test_write_profile_keeps_foreign_section(cli: Cli) -> None:
    cli.setup()
    completed = cli.ds_login("write-profile", "--target", "newjoiner")
    assert completed.returncode == 0, completed.stderr
    credentials = cli.home / ".aws" / "credentials"
    credentials.write_bytes(CREDENTIALS_NO_FINAL_NEWLINE)
    rejected = cli.ds_login("write-profile", "--target", "newjoiner")
    assert rejected.returncode == 2
    assert "did not write" in rejected.stderr
    assert credentials.read_bytes() == CREDENTIALS_NO_FINAL_NEWLINE


def test_source_profile_with_credential_process(cli: Cli, tmp_path: Path) -> None:
    helper = tmp_path / "print_keys.py"
    helper.write_text(
        "import json\n"
        f"print(json.dumps({{'Version': 1, 'AccessKeyId': {cli.team.access_key_id!r}, "
        f"'SecretAccessKey': {cli.team.secret_access_key!r}}}))\n"
    )
    config = cli.home / ".aws" / "config"
    config.parent.mkdir()
    config.write_text(f"[profile corp]\ncredential_process = {sys.executable} {helper}\nregion = us-east-1\n")

    setup = cli.ds_login("setup", "--role-arn", cli.team.role_arn, "--source-profile", "corp")
    assert setup.returncode == 0, setup.stderr
    assert "used directly" in setup.stderr or "from AWS profile corp" in setup.stderr
    login = cli.ds_login("login")
    assert login.returncode == 0, login.stderr
    store = json.loads((cli.home / ".local" / "state" / "ds-login" / "plaintext-store.json").read_text())
    assert "ds-developer:base-keys" not in store


def test_source_profile_loop_rejected(cli: Cli) -> None:
    cli.setup()
    completed = cli.ds_login("setup", "--role-arn", cli.team.role_arn, "--profile", "ds-developer", "--source-profile", "ds-developer")
    assert completed.returncode == 2
    assert "itself" in completed.stderr


def test_role_chaining_caps_duration(cli: Cli) -> None:
    gateway_arn = f"arn:aws:iam::{localaws.ACCOUNT_ID}:role/gateway"
    session_arn = f"arn:aws:sts::{localaws.ACCOUNT_ID}:assumed-role/gateway/gw-session"
    _add_gateway_role(cli, gateway_arn, session_arn)

    aws_dir = cli.home / ".aws"
    aws_dir.mkdir()
    (aws_dir / "credentials").write_text(
        f"[base]\naws_access_key_id = {cli.team.access_key_id}\naws_secret_access_key = {cli.team.secret_access_key}\n"
    )
    (aws_dir / "config").write_text(
        f"[profile gateway]\nrole_arn = {gateway_arn}\nsource_profile = base\nrole_session_name = gw-session\n"
        "region = us-east-1\n"
    )
    with AwsProxy(cli.team.endpoint) as proxy:
        cli.env["AWS_ENDPOINT_URL"] = proxy.endpoint
        setup = cli.ds_login("setup", "--role-arn", cli.team.role_arn, "--source-profile", "gateway", "--duration", "7200")
        assert setup.returncode == 0, setup.stderr
        login = cli.ds_login("login")
        assert login.returncode == 0, login.stderr
        requests = [request for request in proxy.state.assume_role_requests if request["RoleArn"] == cli.team.role_arn]

    assert [request["DurationSeconds"] for request in requests] == ["3600"]
    assert "role chaining" in login.stderr


def _add_gateway_role(cli: Cli, gateway_arn: str, session_arn: str) -> None:
    """Add a role between the user and the developer role; moto needs the session ARN as principal."""
    # Provisioning needs enforcement off, as at the start; the test switches it back on.
    server_url = cli.team.endpoint
    localaws.set_auth(server_url, enforced=False)
    iam = boto3.client("iam", endpoint_url=server_url, region_name="us-east-1", aws_access_key_id="fake", aws_secret_access_key="fake")
    iam.create_role(
        RoleName="gateway",
        AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": cli.team.user_arn}, "Action": "sts:AssumeRole"}]}
        ),
    )
    iam.put_role_policy(
        RoleName="gateway",
        PolicyName="assume-developer",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": cli.team.role_arn}]}),
    )
    iam.put_user_policy(
        UserName=cli.team.user_name,
        PolicyName="assume-gateway",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": gateway_arn}]}),
    )
    iam.update_assume_role_policy(
        RoleName="developer",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [cli.team.user_arn, session_arn]}, "Action": "sts:AssumeRole"}]}
        ),
    )
    localaws.set_auth(server_url, enforced=True)


def test_assume_role_options_sent(cli: Cli) -> None:
    with AwsProxy(cli.team.endpoint) as proxy:
        cli.env["AWS_ENDPOINT_URL"] = proxy.endpoint
        setup = cli.ds_login(
            "setup", "--role-arn", cli.team.role_arn, "--external-id", "team-ml-external",
            "--role-session-name", "jdoe-laptop", "--source-identity", "jdoe", "--tag", "team=ml", "--tag", "project=churn",
            extra=cli.user_keys,
        )
        assert setup.returncode == 0, setup.stderr
        login = cli.ds_login("login")
        assert login.returncode == 0, login.stderr
        sent = proxy.state.assume_role_requests[-1]

    assert sent["ExternalId"] == "team-ml-external"
    assert sent["RoleSessionName"] == "jdoe-laptop"
    assert sent["SourceIdentity"] == "jdoe"
    assert (sent["Tags.member.1.Key"], sent["Tags.member.1.Value"]) == ("team", "ml")
    assert (sent["Tags.member.2.Key"], sent["Tags.member.2.Value"]) == ("project", "churn")
    settings_text = (cli.home / ".config" / "ds-login" / "config").read_text()
    assert "tags = team=ml,project=churn" in settings_text
