"""Tests for the checks on values that a person passes to ds-login."""

from __future__ import annotations

import re

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credhelper import validation
from credhelper.errors import InvalidInputError


def load_session_name_rule() -> re.Pattern[str]:
    r"""Build the RoleSessionName rule from botocore's STS service model, read from local files.

    The model gives the pattern [\w+=,.@-]* and 2 to 64 characters. The STS API
    reference describes the letters as upper- and lower-case alphanumeric
    characters, so \w is read as ASCII.
    """
    shape = botocore.session.get_session().get_service_model("sts").shape_for("roleSessionNameType")
    pattern = shape.metadata["pattern"].removesuffix("*")
    return re.compile(f"{pattern}{{{shape.metadata['min']},{shape.metadata['max']}}}", re.ASCII)


STS_SESSION_NAME = load_session_name_rule()


def test_session_name_rule_from_model():
    assert STS_SESSION_NAME.pattern == r"[\w+=,.@-]{2,64}"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:role/developer",
        "arn:aws:iam::123456789012:role/teams/data/developer",
        "arn:aws:iam::123456789012:role/service-role/my_role+=,.@-1",
        "arn:aws-cn:iam::123456789012:role/developer",
        "arn:aws-us-gov:iam::123456789012:role/developer",
        "arn:aws:iam::123456789012:role/" + "r" * 64,
    ],
)
def test_role_arn_accepts_valid(arn):
    assert validation.role_arn(arn) == arn


def test_role_arn_strips_white_space():
    assert validation.role_arn("  arn:aws:iam::123456789012:role/developer\n") == "arn:aws:iam::123456789012:role/developer"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::12345678901:role/developer",
        "arn:aws:iam::1234567890123:role/developer",
        "arn:aws:iam::12345678901a:role/developer",
        "arn:aws:iam::123456789012:user/jdoe",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam::123456789012:role",
        "arn:aws:iam::123456789012:role/teams/",
        "arn:aws:iam::123456789012:role/" + "r" * 65,
        "arn:aws:iam::123456789012:role/dev eloper",
        "arn:aws:sts::123456789012:assumed-role/developer/jdoe",
        "arn:aws-moon:iam::123456789012:role/developer",
        "arn:aws:iam:eu-west-1:123456789012:role/developer",
        "developer",
        "",
    ],
)
def test_role_arn_rejects_invalid(arn):
    with pytest.raises(InvalidInputError):
        validation.role_arn(arn)


def test_role_arn_error_names_value():
    with pytest.raises(InvalidInputError) as raised:
        validation.role_arn("arn:aws:iam::123456789012:user/jdoe")

    assert "arn:aws:iam::123456789012:user/jdoe" in str(raised.value)


@pytest.mark.parametrize("value, expected", [(900, 900), (3600, 3600), (43200, 43200), ("7200", 7200), (" 900 ", 900)])
def test_duration_accepts_sts_range(value, expected):
    assert validation.duration_seconds(value) == expected


@pytest.mark.parametrize("value", [899, 43201, 0, -3600, "abc", "", "1h", "3600.5", None])
def test_duration_rejects_invalid(value):
    with pytest.raises(InvalidInputError):
        validation.duration_seconds(value)


@pytest.mark.parametrize("name", ["default", "ds-developer", "a", "team.data_1", "jdoe@corp", "x+y", "p" * 64])
def test_profile_name_accepts_valid(name):
    assert validation.profile_name(name) == name


@pytest.mark.parametrize("name", ["", "-dev", ".dev", "dev team", "dev]", "[dev", "dev/x", "p" * 65, "dév", "dev\n"])
def test_profile_name_rejects_invalid(name):
    with pytest.raises(InvalidInputError):
        validation.profile_name(name)


@pytest.mark.parametrize(
    "code, expected",
    [
        ("eu-west-1", "eu-west-1"),
        ("us-gov-west-1", "us-gov-west-1"),
        ("cn-north-1", "cn-north-1"),
        ("ap-southeast-2", "ap-southeast-2"),
        (" eu-central-1 ", "eu-central-1"),
    ],
)
def test_region_accepts_codes(code, expected):
    assert validation.region(code) == expected


@pytest.mark.parametrize("code", ["EU-WEST-1", "eu-west", "euwest1", "eu-west-1a", "eu-west-123", "", "eu west 1"])
def test_region_rejects_invalid(code):
    with pytest.raises(InvalidInputError):
        validation.region(code)


def test_region_rejects_non_ascii_digit():
    with pytest.raises(InvalidInputError):
        validation.region("eu-west-\u0661")


@pytest.mark.parametrize(
    "serial",
    ["arn:aws:iam::123456789012:mfa/jdoe", "arn:aws-cn:iam::123456789012:mfa/path/jdoe", "GAHT12345678"],
)
def test_mfa_serial_accepts_valid(serial):
    assert validation.mfa_serial(serial) == serial


@pytest.mark.parametrize("serial", ["", "12345678", "arn:aws:iam::123456789012:mfa/j doe", "x" * 257, "arn:aws:iam::123456789012:mfa/jdöe"])
def test_mfa_serial_rejects_invalid(serial):
    with pytest.raises(InvalidInputError):
        validation.mfa_serial(serial)


@pytest.mark.parametrize("code, expected", [("123456", "123456"), (" 000123\n", "000123")])
def test_mfa_code_accepts_six_digits(code, expected):
    assert validation.mfa_code(code) == expected


@pytest.mark.parametrize("code", ["12345", "1234567", "12a456", "123 456", ""])
def test_mfa_code_rejects_invalid(code):
    with pytest.raises(InvalidInputError):
        validation.mfa_code(code)


def test_mfa_code_rejects_full_width_digits():
    with pytest.raises(InvalidInputError):
        validation.mfa_code("\uff11\uff12\uff13\uff14\uff15\uff16")


def test_session_name_from_domain_user():
    name = validation.session_name_for_user("CORP\\jdoe")

    assert STS_SESSION_NAME.fullmatch(name)
    assert "jdoe" in name


def test_session_name_from_long_email():
    email = "firstname.middlename.lastname.department.team@subsidiary.example.co.uk"
    assert len(email) == 70

    name = validation.session_name_for_user(email)

    assert STS_SESSION_NAME.fullmatch(name)
    assert len(name) == 64
    assert name == email[:64]


def test_session_name_from_one_char():
    name = validation.session_name_for_user("j")

    assert STS_SESSION_NAME.fullmatch(name)
    assert name.endswith("j")


@pytest.mark.parametrize("user", ["\\\\//", "   ", "", "山田", "--"])
def test_session_name_from_invalid_chars(user):
    assert STS_SESSION_NAME.fullmatch(validation.session_name_for_user(user))


def test_session_name_replaces_non_ascii():
    assert validation.session_name_for_user("jürgen") == "j-rgen"


def test_session_name_when_user_unknown(monkeypatch):
    def fail_getuser():
        raise OSError("no user name")

    monkeypatch.setattr(validation.getpass, "getuser", fail_getuser)

    assert validation.session_name_for_user() == "user"


def test_session_name_keeps_underscore():
    assert validation.session_name_for_user("j_doe") == "j_doe"


@given(user=st.text(max_size=100))
def test_session_name_always_valid(user):
    assert STS_SESSION_NAME.fullmatch(validation.session_name_for_user(user))


@pytest.mark.parametrize("name", ["jdoe", "CORP.jdoe@example.com", "a=b,c+d-e", "x" * 64])
def test_role_session_name_accepts_valid(name):
    assert validation.role_session_name(name) == name


@pytest.mark.parametrize("name", ["j", "x" * 65, "CORP\\jdoe", "j doe", "jürgen"])
def test_role_session_name_rejects_invalid(name):
    with pytest.raises(InvalidInputError):
        validation.role_session_name(name)


@pytest.mark.parametrize(
    "url",
    [
        "https://sts.eu-west-1.amazonaws.com",
        "https://sts.example.internal:8443/",
        "http://localhost:5000",
        "http://LOCALHOST:5000",
        "http://127.0.0.1:5000",
        "http://127.8.9.10",
        "http://[::1]:5000",
    ],
)
def test_endpoint_url_accepts_secure_or_loopback(url):
    assert validation.endpoint_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://sts.example.com",
        "http://0.0.0.0:5000",
        "http://10.0.0.5:5000",
        "http://localhost.example.com",
        "http://127.0.0.1@sts.example.com/",
        "http://[::2]:5000",
    ],
)
def test_endpoint_url_rejects_remote_http(url):
    with pytest.raises(InvalidInputError):
        validation.endpoint_url(url)


def test_endpoint_url_allows_insecure_opt_in():
    assert validation.endpoint_url("http://sts.example.com", allow_insecure=True) == "http://sts.example.com"


@pytest.mark.parametrize("url", ["ftp://sts.example.com", "https://", "localhost:5000", "sts.example.com", ""])
def test_endpoint_url_rejects_malformed(url):
    with pytest.raises(InvalidInputError):
        validation.endpoint_url(url, allow_insecure=True)
