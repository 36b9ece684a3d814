"""Tests for the round-trip INI editor that ds-login uses on ~/.aws/config.

Each edit is checked twice: byte for byte against the expected file, and
through botocore's own loader, which boto3 and the AWS CLI v1 use.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import tempfile
from pathlib import Path

import pytest
from botocore.configloader import load_config, raw_config_parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credhelper import awsfiles
from credhelper.errors import ConfigurationError
from credhelper.inifile import IniDocument, botocore_identity

BOM = "\ufeff".encode()
COMMAND = "ds-login credential-process --profile ds-developer"

# Inputs that broke other credential tools. The keys and account ids are placeholders.
COMMENTS_CONFIG = (
    b"# vim: ft=dosini\n"
    b"# team account 123456789012 - ask the data platform admin before changing\n"
    b"\n"
    b"[default]\n"
    b"region = eu-west-1\n"
    b"output = json\n"
    b"\n"
    b"# personal sandbox\n"
    b"[profile sandbox]\n"
    b"region = us-east-1   \n"
)
NESTED_CONFIG = (
    b"[default]\n"
    b"region = us-east-1\n"
    b"s3 =\n"
    b"    signature_version = s3v4\n"
    b"    max_concurrent_requests = 20\n"
    b"\n"
    b"[profile analytics]\n"
    b"region = eu-central-1\n"
    b"s3 =\n"
    b"# transfer tuning lives here\n"
    b"    multipart_threshold = 64MB\n"
    b"\n"
    b"[profile empty-block]\n"
    b"s3 =\n"
    b"[profile after-empty]\n"
    b"region = us-west-2\n"
)
NO_FINAL_NEWLINE_CREDENTIALS = (
    b"[newjoiner]\n"
    b"aws_access_key_id = AKIAFAKEFAKEFAKE0001\n"
    b"aws_secret_access_key = fakeSecretKeyNotUsedAnywhere000000000000\n"
    b"region=eu-west-1"
)
DUPLICATE_SECTION_CONFIG = (
    b"[profile test]\n"
    b"region = us-east-1\n"
    b"\n"
    b"[profile test]\n"
    b"region = eu-west-1\n"
)


def write_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def edit_file(path: Path, section: str, values: dict[str, str], remove: tuple[str, ...] = ()) -> None:
    document = IniDocument.load(path, botocore_identity)
    document.set_values(section, values, remove=remove)
    document.save(path)


def without_bom(data: bytes) -> bytes:
    return data[len(BOM) :] if data.startswith(BOM) else data


def botocore_files(data: bytes, folder: Path, name: str) -> dict:
    """Parse ``data`` with botocore's raw_config_parse.

    botocore 1.43 rejects a file that starts with a UTF-8 byte order mark
    (ConfigParseError under a UTF-8 locale), so the mark is dropped first.
    """
    path = write_file(folder, name, without_bom(data))
    return raw_config_parse(str(path))


def botocore_profiles(path: Path) -> dict:
    return load_config(str(path))["profiles"]


def test_append_keeps_comment_file_bytes(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)

    edit_file(path, "profile ds-developer", {"credential_process": COMMAND})

    expected = COMMENTS_CONFIG + b"\n[profile ds-developer]\ncredential_process = " + COMMAND.encode() + b"\n"
    assert path.read_bytes() == expected


def test_edit_first_section_keeps_rest(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)

    edit_file(path, "default", {"credential_process": COMMAND})

    expected = COMMENTS_CONFIG.replace(
        b"output = json\n", b"output = json\ncredential_process = " + COMMAND.encode() + b"\n"
    )
    assert path.read_bytes() == expected


def test_edit_keeps_trailing_space_line(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)

    edit_file(path, "profile sandbox", {"credential_process": COMMAND})

    expected = COMMENTS_CONFIG + b"credential_process = " + COMMAND.encode() + b"\n"
    assert path.read_bytes() == expected


def test_comment_file_botocore_values_kept(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)
    before = botocore_profiles(path)

    edit_file(path, "profile ds-developer", {"credential_process": COMMAND, "region": "eu-west-1"})
    edit_file(path, "default", {"credential_process": COMMAND})

    expected = copy.deepcopy(before)
    expected["ds-developer"] = {"credential_process": COMMAND, "region": "eu-west-1"}
    expected["default"]["credential_process"] = COMMAND
    assert botocore_profiles(path) == expected


def test_section_order_kept_after_edit(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)

    edit_file(path, "default", {"credential_process": COMMAND})
    edit_file(path, "profile ds-developer", {"credential_process": COMMAND})

    names = IniDocument.load(path).section_names()
    assert names == ["default", "profile sandbox", "profile ds-developer"]


def test_nested_block_kept_on_edit(tmp_path):
    path = write_file(tmp_path, "config", NESTED_CONFIG)

    edit_file(path, "profile analytics", {"region": "eu-west-1", "credential_process": COMMAND})

    expected = NESTED_CONFIG.replace(
        b"region = eu-central-1\n"
        b"s3 =\n"
        b"# transfer tuning lives here\n"
        b"    multipart_threshold = 64MB\n",
        b"region = eu-west-1\n"
        b"s3 =\n"
        b"# transfer tuning lives here\n"
        b"    multipart_threshold = 64MB\n"
        b"credential_process = " + COMMAND.encode() + b"\n",
    )
    assert path.read_bytes() == expected


def test_key_added_after_empty_block(tmp_path):
    path = write_file(tmp_path, "config", NESTED_CONFIG)

    edit_file(path, "profile empty-block", {"credential_process": COMMAND})

    expected = NESTED_CONFIG.replace(
        b"[profile empty-block]\ns3 =\n",
        b"[profile empty-block]\ns3 =\ncredential_process = " + COMMAND.encode() + b"\n",
    )
    assert path.read_bytes() == expected


def test_nested_file_botocore_values_kept(tmp_path):
    path = write_file(tmp_path, "config", NESTED_CONFIG)
    before = botocore_profiles(path)

    edit_file(path, "default", {"credential_process": COMMAND})
    edit_file(path, "profile analytics", {"credential_process": COMMAND})
    edit_file(path, "profile empty-block", {"credential_process": COMMAND})

    after = botocore_profiles(path)
    expected = copy.deepcopy(before)
    for name in ("default", "analytics", "empty-block"):
        expected[name]["credential_process"] = COMMAND
    assert after == expected
    assert after["default"]["s3"] == {"signature_version": "s3v4", "max_concurrent_requests": "20"}
    assert after["analytics"]["s3"] == {"multipart_threshold": "64MB"}
    assert after["empty-block"]["s3"] == ""


def test_append_after_missing_final_newline(tmp_path):
    path = write_file(tmp_path, "credentials", NO_FINAL_NEWLINE_CREDENTIALS)

    edit_file(path, "ds-developer", {"region": "eu-west-1"})

    expected = NO_FINAL_NEWLINE_CREDENTIALS + b"\n\n[ds-developer]\nregion = eu-west-1\n"
    assert path.read_bytes() == expected


def test_add_key_after_missing_final_newline(tmp_path):
    path = write_file(tmp_path, "credentials", NO_FINAL_NEWLINE_CREDENTIALS)

    edit_file(path, "newjoiner", {"output": "json"})

    expected = NO_FINAL_NEWLINE_CREDENTIALS + b"\noutput = json\n"
    assert path.read_bytes() == expected


def test_missing_newline_botocore_values_kept(tmp_path):
    path = write_file(tmp_path, "credentials", NO_FINAL_NEWLINE_CREDENTIALS)
    before = raw_config_parse(str(path))

    edit_file(path, "ds-developer", {"region": "eu-west-1"})

    expected = copy.deepcopy(before)
    expected["ds-developer"] = {"region": "eu-west-1"}
    assert raw_config_parse(str(path)) == expected


def test_duplicate_section_error_names_lines(tmp_path):
    path = write_file(tmp_path, "config", DUPLICATE_SECTION_CONFIG)

    with pytest.raises(ConfigurationError) as raised:
        IniDocument.load(path)

    message = str(raised.value)
    assert str(path) in message
    assert "[profile test]" in message
    # The temporary path may contain digits, so look for numbers only in the rest.
    assert re.findall(r"\d+", message.replace(str(path), "")) == ["1", "4"]


def test_duplicate_section_leaves_file_untouched(tmp_path):
    path = write_file(tmp_path, "config", DUPLICATE_SECTION_CONFIG)
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(path)}

    with pytest.raises(ConfigurationError):
        awsfiles.write_process_profile(env, "test", COMMAND, None)

    assert path.read_bytes() == DUPLICATE_SECTION_CONFIG
    assert sorted(item.name for item in tmp_path.iterdir()) == ["config"]


def test_crlf_and_bom_survive_edit(tmp_path):
    original = BOM + COMMENTS_CONFIG.replace(b"\n", b"\r\n")
    path = write_file(tmp_path, "config", original)

    edit_file(path, "default", {"credential_process": COMMAND})
    edit_file(path, "profile ds-developer", {"credential_process": COMMAND})

    expected_lf = COMMENTS_CONFIG.replace(
        b"output = json\n", b"output = json\ncredential_process = " + COMMAND.encode() + b"\n"
    ) + (b"\n[profile ds-developer]\ncredential_process = " + COMMAND.encode() + b"\n")
    result = path.read_bytes()
    assert result == BOM + expected_lf.replace(b"\n", b"\r\n")
    assert result.count(BOM) == 1
    assert result.count(b"\n") == result.count(b"\r\n")


def test_crlf_file_botocore_values_kept(tmp_path):
    original = COMMENTS_CONFIG.replace(b"\n", b"\r\n")
    path = write_file(tmp_path, "config", original)
    before = botocore_profiles(path)

    edit_file(path, "profile sandbox", {"credential_process": COMMAND})

    expected = copy.deepcopy(before)
    expected["sandbox"]["credential_process"] = COMMAND
    assert botocore_profiles(path) == expected


def test_bom_file_values_kept(tmp_path):
    path = write_file(tmp_path, "config", BOM + NESTED_CONFIG)
    before = botocore_files(path.read_bytes(), tmp_path, "before")

    edit_file(path, "profile analytics", {"credential_process": COMMAND})

    expected = copy.deepcopy(before)
    expected["profile analytics"]["credential_process"] = COMMAND
    assert botocore_files(path.read_bytes(), tmp_path, "after") == expected


def test_rerun_edit_changes_nothing(tmp_path):
    path = write_file(tmp_path, "config", NESTED_CONFIG)

    edit_file(path, "profile ds-developer", {"credential_process": COMMAND, "region": "eu-west-1"})
    first = path.read_bytes()
    edit_file(path, "profile ds-developer", {"credential_process": COMMAND, "region": "eu-west-1"})

    assert path.read_bytes() == first


def test_rerun_edit_updates_in_place(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)
    new_command = COMMAND + " --duration 7200"

    edit_file(path, "profile ds-developer", {"credential_process": COMMAND})
    edit_file(path, "profile ds-developer", {"credential_process": new_command})

    expected = COMMENTS_CONFIG + b"\n[profile ds-developer]\ncredential_process = " + new_command.encode() + b"\n"
    assert path.read_bytes() == expected


def test_rerun_setup_keeps_one_section(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(path)}

    awsfiles.write_process_profile(env, "ds-developer", COMMAND, "eu-west-1")
    first = path.read_bytes()
    awsfiles.write_process_profile(env, "ds-developer", COMMAND, "eu-west-1")

    assert path.read_bytes() == first
    assert first.count(b"[profile ds-developer]") == 1


def test_remove_drops_only_named_keys(tmp_path):
    original = b"[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n# keep me\nsource_profile = base\nregion = eu-west-1\n"
    path = write_file(tmp_path, "config", original)

    edit_file(path, "profile dev", {"credential_process": COMMAND}, remove=("role_arn", "source_profile"))

    expected = b"[profile dev]\n# keep me\nregion = eu-west-1\ncredential_process = " + COMMAND.encode() + b"\n"
    assert path.read_bytes() == expected


def test_indented_keys_edited_in_place(tmp_path):
    original = b"[default]\n  region = eu-west-1\n  output = json\n"
    path = write_file(tmp_path, "config", original)

    edit_file(path, "default", {"region": "eu-central-1"})

    assert botocore_profiles(path)["default"] == {"region": "eu-central-1", "output": "json"}


def test_quoted_profile_header_edited(tmp_path):
    original = b'[profile "dev"]\nregion = eu-west-1\n'
    path = write_file(tmp_path, "config", original)

    edit_file(path, "profile dev", {"credential_process": COMMAND})

    assert botocore_profiles(path)["dev"] == {"region": "eu-west-1", "credential_process": COMMAND}


def test_save_new_file_mode_0600(tmp_path):
    path = tmp_path / "config"
    document = IniDocument.load(path)
    document.set_values("default", {"region": "eu-west-1"})

    document.save(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_name("config.bak").exists()


def test_save_creates_private_folder(tmp_path):
    path = tmp_path / "home" / ".aws" / "config"
    document = IniDocument.load(path)
    document.set_values("default", {"region": "eu-west-1"})

    document.save(path)

    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes() == b"[default]\nregion = eu-west-1\n"


def test_save_keeps_existing_mode(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)
    os.chmod(path, 0o644)

    edit_file(path, "default", {"credential_process": COMMAND})

    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_save_writes_backup_of_previous(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)
    os.chmod(path, 0o640)

    edit_file(path, "default", {"credential_process": COMMAND})

    backup = path.with_name("config.bak")
    assert backup.read_bytes() == COMMENTS_CONFIG
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640


def test_save_without_backup_writes_none(tmp_path):
    path = write_file(tmp_path, "credentials", NO_FINAL_NEWLINE_CREDENTIALS)
    document = IniDocument.load(path)
    document.set_values("newjoiner", {}, remove=("aws_access_key_id", "aws_secret_access_key"))

    document.save(path, backup=False)

    assert path.read_bytes() == b"[newjoiner]\nregion=eu-west-1"
    assert sorted(item.name for item in tmp_path.iterdir()) == ["credentials"]


def test_save_leaves_no_temporary_files(tmp_path):
    path = write_file(tmp_path, "config", COMMENTS_CONFIG)

    edit_file(path, "default", {"credential_process": COMMAND})

    assert sorted(item.name for item in tmp_path.iterdir()) == ["config", "config.bak"]


# Strategies for the property test: a config file built from sections, keys,
# comments, blank lines and nested blocks, with the line index of each part.

KEY_NAMES = st.sampled_from(["region", "output", "credential_process", "s3", "role_arn", "x_1", "mfa_serial"])
VALUES = st.text(
    alphabet=st.sampled_from("abcXYZ019 -_./:=+,@#;%$\"'[]é✓"),
    max_size=12,
).filter(lambda value: value == value.strip())
COMMENTS = st.tuples(
    st.sampled_from(["", "  "]),
    st.sampled_from(["#", ";"]),
    st.text(alphabet=st.sampled_from("ab [=]#;é "), max_size=10),
).map("".join)
BLANKS = st.sampled_from(["", "   "])
SECTION_NAMES = st.sampled_from(["default", "profile a", "profile b-1", "profile sandbox", "sso-session corp", "preview"])


@st.composite
def key_lines(draw, key):
    """Draw the lines of one key: a plain value, or a nested block with sub-keys."""
    delimiter = draw(st.sampled_from([" = ", "=", ": "]))
    trailing = draw(st.sampled_from(["", "  "]))
    if not draw(st.booleans()):
        return [f"{key}{delimiter}{draw(VALUES)}{trailing}"]
    lines = [f"{key}{delimiter.rstrip()}"]
    indent = draw(st.sampled_from(["  ", "    ", "\t"]))
    sub_keys = draw(st.lists(st.sampled_from(["addressing_style", "signature_version", "max_bandwidth"]), unique=True, max_size=3))
    for sub_key in sub_keys:
        lines.extend(draw(st.lists(st.one_of(COMMENTS, BLANKS), max_size=1)))
        lines.append(f"{indent}{sub_key} = {draw(VALUES.filter(bool))}")
    return lines


@st.composite
def config_files(draw):
    """Draw a config file as (byte order mark, lines, sections).

    Each section is (name, index of its header line, index one past its last key line).
    """
    lines = draw(st.lists(st.one_of(COMMENTS, BLANKS), max_size=3))
    sections = []
    for name in draw(st.lists(SECTION_NAMES, unique=True, max_size=4)):
        header = len(lines)
        lines.append(f"[{name}]" + draw(st.sampled_from(["", " "])))
        body_end = header + 1
        for key in draw(st.lists(KEY_NAMES, unique=True, max_size=4)):
            lines.extend(draw(st.lists(st.one_of(COMMENTS, BLANKS), max_size=2)))
            lines.extend(draw(key_lines(key)))
            body_end = len(lines)
        sections.append((name, header, body_end))
        lines.extend(draw(st.lists(st.one_of(COMMENTS, BLANKS), max_size=2)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    parts = [line + newline for line in lines]
    if parts and draw(st.booleans()):
        parts[-1] = lines[-1]
    bom = "\ufeff" if draw(st.booleans()) else ""
    return bom, parts, sections


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    config=config_files(),
    new_name=SECTION_NAMES,
    use_existing=st.booleans(),
    section_index=st.integers(min_value=0, max_value=3),
    values=st.dictionaries(KEY_NAMES, VALUES, max_size=3),
    remove=st.lists(KEY_NAMES, unique=True, max_size=2),
)
def test_edit_property_keeps_other_bytes(config, new_name, use_existing, section_index, values, remove):
    bom, parts, sections = config
    original = (bom + "".join(parts)).encode()
    existing = {name: (header, body_end) for name, header, body_end in sections}
    target = new_name
    if use_existing and sections:
        target = sections[section_index % len(sections)][0]

    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        before = botocore_files(original, folder, "before")

        document = IniDocument(original.decode(), identity=botocore_identity)
        document.set_values(target, values, remove=tuple(remove))
        result = document.text().encode()

        expected = copy.deepcopy(before)
        section = expected.setdefault(target, {})
        for key in remove:
            if target in existing and key not in values:
                section.pop(key, None)
        section.update(values)
        assert botocore_files(result, folder, "after") == expected

    assert result.startswith(bom.encode())
    assert result.count(BOM) == original.count(BOM)
    if b"\r\n" in original:
        assert result.count(b"\n") == result.count(b"\r\n")
    if target in existing:
        header, body_end = existing[target]
        assert result.startswith((bom + "".join(parts[:header])).encode())
        assert result.endswith("".join(parts[body_end:]).encode())
    else:
        assert result.startswith(original)
        result_lines = [line.strip() for line in result.decode("utf-8-sig").splitlines()]
        assert result_lines.count(f"[{target}]") == 1
