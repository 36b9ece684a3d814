"""Team files: values read, and every bad value named with the file, the key and the expected form."""

from __future__ import annotations

from pathlib import Path

import pytest

from credhelper import teamfile
from credhelper.errors import InvalidInputError

ROLE = "arn:aws:iam::123456789012:role/developer"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ds-login.toml"
    path.write_text(text)
    return path


def test_full_file_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f'role_arn = "{ROLE}"\nregion = "eu-west-1"\nbucket = "team-dvc-data"\ndvc_remote = "storage"\n'
        'duration_seconds = 7200\nmfa_required = true\nprofile = "ml"\n\n[endpoints]\ns3 = "https://s3.example.com"\n',
    )
    team = teamfile.load(path)
    assert team.role_arn == ROLE
    assert team.region == "eu-west-1"
    assert team.bucket == "team-dvc-data"
    assert team.duration_seconds == 7200
    assert team.mfa_required is True
    assert team.profile == "ml"
    assert team.endpoints == {"s3": "https://s3.example.com"}


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('role_arn = "arn:aws:iam::1:role/x"\n', ["role_arn", "arn:aws:iam::1:role/x", "12-digit"]),
        (f'role_arn = "{ROLE}"\nregion = "Europe"\n', ["region", "'Europe'", "eu-west-1"]),
        (f'role_arn = "{ROLE}"\nduration_seconds = "3600"\n', ["duration_seconds", "'3600'", "without quotes"]),
        (f'role_arn = "{ROLE}"\nduration_seconds = 100\n', ["duration_seconds", "100", "900 to 43200"]),
        (f'role_arn = "{ROLE}"\nmfa_required = "yes"\n', ["mfa_required", "'yes'", "true or false"]),
        (f'role_arn = "{ROLE}"\nbucket = "Team_Data"\n', ["bucket", "'Team_Data'", "bucket name"]),
        (f'role_arn = "{ROLE}"\nrol_arn = "x"\n', ["unknown key 'rol_arn'"]),
        ('region = "eu-west-1"\n', ["role_arn is missing"]),
        (f'role_arn = "{ROLE}"\n[endpoints]\ns3 = "http://s3.example.com"\n', ["endpoints.s3", "http://s3.example.com", "https"]),
        (f'role_arn = "{ROLE}"\n[endpoints]\nec2 = "https://x.example.com"\n', ["endpoints.ec2", "sts, s3"]),
        ("role_arn = \n", ["not valid TOML"]),
    ],
)
def test_invalid_value_named(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InvalidInputError) as raised:
        teamfile.load(path)
    message = str(raised.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_loopback_http_endpoint_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, f'role_arn = "{ROLE}"\n[endpoints]\nsts = "http://127.0.0.1:5000"\n')
    assert teamfile.load(path).endpoints == {"sts": "http://127.0.0.1:5000"}


def test_insecure_endpoint_allowed_explicitly(tmp_path: Path) -> None:
    path = _write(tmp_path, f'role_arn = "{ROLE}"\nallow_insecure_endpoints = true\n[endpoints]\ns3 = "http://minio.lan:9000"\n')
    assert teamfile.load(path).endpoints == {"s3": "http://minio.lan:9000"}


def test_discover_stops_at_repository(tmp_path: Path) -> None:
    _write(tmp_path, f'role_arn = "{ROLE}"\n')
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    nested = repository / "notebooks"
    nested.mkdir()
    assert teamfile.discover(nested) is None
    (repository / "ds-login.toml").write_text(f'role_arn = "{ROLE}"\n')
    assert teamfile.discover(nested) == repository / "ds-login.toml"


def test_missing_file_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not found"):
        teamfile.load(tmp_path / "nope.toml")


def test_insecure_flag_reaches_settings(tmp_path: Path) -> None:
    from credhelper import settings
    from credhelper.profile_setup import Prompts, SetupRequest, run_setup
    from tests.unit.fakes import FAKE_KEYS, MemoryStore

    path = _write(tmp_path, f'role_arn = "{ROLE}"\nallow_insecure_endpoints = true\n[endpoints]\ns3 = "http://minio.lan:9000"\n')
    env = {"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": FAKE_KEYS.access_key_id, "AWS_SECRET_ACCESS_KEY": FAKE_KEYS.secret_access_key}
    store = MemoryStore()
    run_setup(SetupRequest("dev", None, team=teamfile.load(path)), env, Prompts(), "ds-login", lambda _e, _p, _r: store)
    assert settings.load("dev", env).allow_insecure_endpoints is True
    assert "endpoint_url = http://minio.lan:9000" in (tmp_path / ".aws" / "config").read_text()
