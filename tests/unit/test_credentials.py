"""Tests for the credential value classes and their JSON forms."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from credhelper.credentials import REFRESH_WINDOW, BaseKeys, TemporaryCredentials, format_rfc3339, parse_rfc3339

ACCESS_KEY_ID = "ASIAFAKEFAKEFAKE0001"
SECRET = "fakeSecretAccessKey0000000000000000000000"
TOKEN = "fakeSessionToken//////////wEaCWV1LXdlc3QtMSJHMEUCIQ=="
EXPIRATION = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
ROLE_ARN = "arn:aws:iam::123456789012:role/developer"
ASSUMED_ROLE_ARN = "arn:aws:sts::123456789012:assumed-role/developer/jdoe"


def make_credentials(expiration: dt.datetime = EXPIRATION) -> TemporaryCredentials:
    return TemporaryCredentials(
        access_key_id=ACCESS_KEY_ID,
        secret_access_key=SECRET,
        session_token=TOKEN,
        expiration=expiration,
        assumed_role_arn=ASSUMED_ROLE_ARN,
        role_arn=ROLE_ARN,
    )


def test_base_keys_repr_hides_secret():
    keys = BaseKeys("AKIAFAKEFAKEFAKE0001", SECRET)

    for text in (repr(keys), str(keys), f"{keys}", repr([keys])):
        assert SECRET not in text
        assert "AKIAFAKEFAKEFAKE0001" not in text


def test_base_keys_repr_shows_key_ends():
    assert "AKIA************0001" in repr(BaseKeys("AKIAFAKEFAKEFAKE0001", SECRET))


def test_temporary_repr_hides_secrets():
    credentials = make_credentials()

    for text in (repr(credentials), str(credentials), repr({"cached": credentials})):
        assert SECRET not in text
        assert TOKEN not in text
        assert ACCESS_KEY_ID not in text


def test_process_output_has_version_1():
    assert make_credentials().to_process_output()["Version"] == 1


def test_process_output_expiration_rfc3339_utc():
    offset = dt.timezone(dt.timedelta(hours=2))
    credentials = make_credentials(dt.datetime(2030, 1, 2, 5, 4, 5, 999999, tzinfo=offset))

    expiration = credentials.to_process_output()["Expiration"]

    assert expiration == "2030-01-02T03:04:05Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", expiration)


def test_process_output_fields():
    output = make_credentials().to_process_output()

    assert output == {
        "Version": 1,
        "AccessKeyId": ACCESS_KEY_ID,
        "SecretAccessKey": SECRET,
        "SessionToken": TOKEN,
        "Expiration": "2030-01-02T03:04:05Z",
    }


def test_temporary_json_round_trip():
    credentials = make_credentials()

    assert TemporaryCredentials.from_json(credentials.to_json()) == credentials


def test_temporary_json_drops_microseconds():
    credentials = make_credentials(EXPIRATION.replace(microsecond=750000))

    assert TemporaryCredentials.from_json(credentials.to_json()).expiration == EXPIRATION


def test_base_keys_json_round_trip():
    keys = BaseKeys("AKIAFAKEFAKEFAKE0001", SECRET)

    assert BaseKeys.from_json(keys.to_json()) == keys


def test_from_json_reads_offset_expiration():
    data = json.loads(make_credentials().to_json())
    data["Expiration"] = "2030-01-02T05:04:05+02:00"

    credentials = TemporaryCredentials.from_json(json.dumps(data))

    assert credentials.expiration == EXPIRATION
    assert credentials.expiration.utcoffset() == dt.timedelta(0)


def test_from_json_defaults_missing_arns():
    data = json.loads(make_credentials().to_json())
    del data["AssumedRoleArn"]
    del data["RoleArn"]

    credentials = TemporaryCredentials.from_json(json.dumps(data))

    assert credentials.assumed_role_arn == ""
    assert credentials.role_arn == ""


def damaged_entries() -> list[str]:
    good = make_credentials().to_json()
    data = json.loads(good)
    entries = [
        "",
        "not json",
        good[:-1],
        good + "}",
        good + "x\n",
        "[]",
        "null",
        '"text"',
        "42",
    ]
    for key in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
        entries.append(json.dumps({name: value for name, value in data.items() if name != key}))
    for expiration in ("2030-01-02T03:04:05", "tomorrow", "", None, 1893553445):
        entries.append(json.dumps(dict(data, Expiration=expiration)))
    return entries


@pytest.mark.parametrize("text", damaged_entries())
def test_from_json_rejects_damaged_entry(text):
    with pytest.raises((ValueError, KeyError, TypeError)):
        TemporaryCredentials.from_json(text)


@pytest.mark.parametrize("text", ["", "[]", "null", '{"AccessKeyId": "AKIAFAKEFAKEFAKE0001"}', '{"SecretAccessKey": "x"}'])
def test_base_keys_rejects_damaged_json(text):
    with pytest.raises((ValueError, KeyError, TypeError)):
        BaseKeys.from_json(text)


def test_refresh_window_is_16_minutes():
    assert REFRESH_WINDOW == dt.timedelta(minutes=16)


@pytest.mark.parametrize(
    "time_left, fresh",
    [
        (dt.timedelta(hours=1), True),
        (dt.timedelta(minutes=16, seconds=1), True),
        (dt.timedelta(minutes=16), False),
        (dt.timedelta(minutes=15, seconds=59), False),
        (dt.timedelta(minutes=14), False),
        (dt.timedelta(0), False),
        (dt.timedelta(minutes=-5), False),
    ],
)
def test_is_fresh_window(time_left, fresh):
    now = dt.datetime(2030, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)

    assert make_credentials(now + time_left).is_fresh(now) is fresh


def test_account_id_from_assumed_role():
    assert make_credentials().account_id == "123456789012"


def test_environment_uses_standard_names():
    environment = make_credentials().to_environment()

    assert environment == {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": TOKEN,
        "AWS_CREDENTIAL_EXPIRATION": "2030-01-02T03:04:05Z",
    }


def test_parse_rfc3339_rejects_naive_time():
    with pytest.raises(ValueError):
        parse_rfc3339("2030-01-02T03:04:05")


def test_format_rfc3339_converts_to_utc():
    moment = dt.datetime(2030, 1, 1, 20, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))

    assert format_rfc3339(moment) == "2030-01-02T04:00:00Z"
