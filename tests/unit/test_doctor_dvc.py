"""Reading .dvc/config and .dvc/config.local, and the doctor's DVC remote check, on small files."""

from __future__ import annotations

from pathlib import Path

import pytest

from credhelper import checks, dvc_config
from credhelper.errors import ConfigurationError

PROFILE = "ds-developer"
BUCKET = "team-dvc-data"

# As `dvc remote add -d storage s3://team-dvc-data/files` and
# `dvc config core.check_update false` write it (DVC 3).
DVC_WRITTEN = """\
[core]
    check_update = false
    remote = storage
['remote "storage"']
    url = s3://team-dvc-data/files
"""


def _repo(tmp_path: Path, config: str, local: str | None = None) -> Path:
    (tmp_path / ".dvc").mkdir()
    (tmp_path / ".dvc" / "config").write_text(config, encoding="utf-8")
    if local is not None:
        (tmp_path / ".dvc" / "config.local").write_text(local, encoding="utf-8")
    return tmp_path


def test_load_reads_dvc_written_file(tmp_path: Path) -> None:
    config = dvc_config.load(_repo(tmp_path, DVC_WRITTEN))
    assert config.default_remote == "storage"
    assert config.remotes["storage"].url == "s3://team-dvc-data/files"


def test_load_reads_unquoted_section(tmp_path: Path) -> None:
    config = dvc_config.load(_repo(tmp_path, '[remote "backup"]\nurl = s3://backup-bucket\n'))
    assert config.remotes["backup"].url == "s3://backup-bucket"
    assert config.default_remote is None


def test_local_overrides_project(tmp_path: Path) -> None:
    local = "[core]\n    remote = backup\n['remote \"storage\"']\n    url = s3://local-bucket/x\n"
    config = dvc_config.load(_repo(tmp_path, DVC_WRITTEN, local))
    assert config.default_remote == "backup"
    assert config.remotes["storage"].url == "s3://local-bucket/x"
    assert config.remotes["storage"].sources["url"].name == "config.local"


def test_load_strips_quotes_and_comments(tmp_path: Path) -> None:
    text = "['remote \"storage\"']\n    url = \"s3://team-dvc-data/files\"  # shared\n"
    config = dvc_config.load(_repo(tmp_path, text))
    assert config.remotes["storage"].url == "s3://team-dvc-data/files"


def test_load_without_config_files(tmp_path: Path) -> None:
    (tmp_path / ".dvc").mkdir()
    config = dvc_config.load(tmp_path)
    assert config.remotes == {}
    assert config.default_remote is None


def test_load_rejects_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        dvc_config.load(_repo(tmp_path, "url = s3://no-section\n"))
    assert "cannot parse" in str(raised.value)


def test_find_root_walks_up(tmp_path: Path) -> None:
    _repo(tmp_path, DVC_WRITTEN)
    nested = tmp_path / "data" / "raw"
    nested.mkdir(parents=True)
    assert dvc_config.find_root(nested) == tmp_path


def test_find_root_outside_repo(tmp_path: Path) -> None:
    assert dvc_config.find_root(tmp_path) is None


@pytest.mark.parametrize(
    ("url", "bucket"),
    [("s3://team-dvc-data/files", "team-dvc-data"), ("s3://team-dvc-data", "team-dvc-data"), ("gs://bucket/x", None), ("s3://", None)],
)
def test_s3_bucket_of_url(url: str, bucket: str | None) -> None:
    assert dvc_config.s3_bucket(url) == bucket


def test_check_passes_for_team_bucket(tmp_path: Path) -> None:
    result = checks.check_dvc_remote(_repo(tmp_path, DVC_WRITTEN), PROFILE, BUCKET, None)
    assert result.status == checks.PASS
    assert result.detail == "remote storage is s3://team-dvc-data/files"


def test_check_skips_outside_repo(tmp_path: Path) -> None:
    result = checks.check_dvc_remote(tmp_path, PROFILE, BUCKET, None)
    assert result.status == checks.SKIP


def test_check_fails_for_other_bucket(tmp_path: Path) -> None:
    result = checks.check_dvc_remote(_repo(tmp_path, DVC_WRITTEN), PROFILE, "other-bucket", None)
    assert result.status == checks.FAIL
    assert result.fix == "run: dvc remote modify storage url s3://other-bucket/files"


def test_check_fails_without_default(tmp_path: Path) -> None:
    result = checks.check_dvc_remote(_repo(tmp_path, "[core]\n    check_update = false\n"), PROFILE, BUCKET, None)
    assert result.status == checks.FAIL
    assert result.fix == f"run: dvc remote add -d storage s3://{BUCKET}/PATH"


def test_check_fails_for_undefined_team_remote(tmp_path: Path) -> None:
    result = checks.check_dvc_remote(_repo(tmp_path, DVC_WRITTEN), PROFILE, BUCKET, "team")
    assert result.status == checks.FAIL
    assert "remote team is not defined" in result.detail


def test_check_fails_for_non_s3_url(tmp_path: Path) -> None:
    text = "[core]\n    remote = local\n['remote \"local\"']\n    url = /mnt/dvc-cache\n"
    result = checks.check_dvc_remote(_repo(tmp_path, text), PROFILE, BUCKET, None)
    assert result.status == checks.FAIL
    assert "not an s3:// URL" in result.detail


def test_check_warns_default_not_team(tmp_path: Path) -> None:
    text = DVC_WRITTEN + "['remote \"team\"']\n    url = s3://team-dvc-data/shared\n"
    result = checks.check_dvc_remote(_repo(tmp_path, text), PROFILE, BUCKET, "team")
    assert result.status == checks.WARN
    assert result.fix == "run: dvc remote default team"


def test_check_warns_on_local_static_keys(tmp_path: Path) -> None:
    local = "['remote \"storage\"']\n    access_key_id = AKIAFAKEFAKEFAKE0001\n    secret_access_key = fakeSecret\n"
    result = checks.check_dvc_remote(_repo(tmp_path, DVC_WRITTEN, local), PROFILE, BUCKET, None)
    assert result.status == checks.WARN
    assert "run: dvc remote modify --local storage --unset access_key_id" in result.fix
    assert "run: dvc remote modify --local storage --unset secret_access_key" in result.fix
    assert "AKIAFAKEFAKEFAKE0001" not in result.detail
    assert "fakeSecret" not in result.detail


def test_check_warns_on_other_profile(tmp_path: Path) -> None:
    text = DVC_WRITTEN + "    profile = personal\n"
    result = checks.check_dvc_remote(_repo(tmp_path, text), PROFILE, BUCKET, None)
    assert result.status == checks.WARN
    assert result.fix == "run: dvc remote modify storage --unset profile"


def test_check_accepts_same_profile(tmp_path: Path) -> None:
    text = DVC_WRITTEN + f"    profile = {PROFILE}\n"
    result = checks.check_dvc_remote(_repo(tmp_path, text), PROFILE, BUCKET, None)
    assert result.status == checks.PASS


def test_check_fail_outranks_warning(tmp_path: Path) -> None:
    text = DVC_WRITTEN + "    profile = personal\n"
    result = checks.check_dvc_remote(_repo(tmp_path, text), PROFILE, "other-bucket", None)
    assert result.status == checks.FAIL
    assert "--unset profile" in result.fix
