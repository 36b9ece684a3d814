"""STS error translation and clock skew detection, without any network."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from credhelper import sts
from credhelper.errors import AwsDeniedError, AwsUnreachableError
from credhelper.settings import ProfileSettings
from tests.unit.fakes import FAKE_KEYS

SETTINGS = ProfileSettings("dev", "arn:aws:iam::123456789012:role/developer", duration_seconds=7200)
NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)


def _error(code: str, message: str = "", status: int = 400, date: str | None = None) -> ClientError:
    headers = {"date": date} if date else {}
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers},
    }
    return ClientError(response, "AssumeRole")  # type: ignore[arg-type]


def test_clock_offset_from_date_header() -> None:
    offset = sts.clock_offset_seconds({"date": "Thu, 15 Jan 2026 12:10:00 GMT"}, now=NOW)
    assert offset == 600


def test_clock_offset_without_header() -> None:
    assert sts.clock_offset_seconds({}, now=NOW) is None


def test_skewed_signature_names_clock() -> None:
    error = sts._denied(_error("SignatureDoesNotMatch", date="Thu, 15 Jan 2026 12:10:00 GMT"), SETTINGS, FAKE_KEYS)
    assert isinstance(error, AwsDeniedError)
    assert "clock" in str(error)


def test_throttling_is_unreachable() -> None:
    error = sts._denied(_error("Throttling", "Rate exceeded"), SETTINGS, FAKE_KEYS)
    assert isinstance(error, AwsUnreachableError)


def test_server_error_is_unreachable() -> None:
    error = sts._denied(_error("InternalFailure", status=500), SETTINGS, FAKE_KEYS)
    assert isinstance(error, AwsUnreachableError)


def test_duration_too_long_names_setting() -> None:
    message = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    error = sts._denied(_error("ValidationError", message), SETTINGS, FAKE_KEYS)
    assert isinstance(error, AwsDeniedError)
    assert "--duration" in str(error)
    assert "7200" in str(error)


def test_invalid_key_masked_in_message() -> None:
    error = sts._denied(_error("InvalidClientTokenId"), SETTINGS, FAKE_KEYS)
    assert FAKE_KEYS.access_key_id not in str(error)
    assert FAKE_KEYS.secret_access_key not in str(error)


@pytest.mark.parametrize(("value", "expected"), [("2", 2), ("", 4), ("zero", 4), ("0", 4)])
def test_max_attempts_from_environment(monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", value)
    assert sts.max_attempts() == expected


def test_remote_http_endpoint_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    from credhelper.errors import InvalidInputError

    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://sts.example.invalid")
    monkeypatch.delenv("DS_LOGIN_ALLOW_INSECURE_ENDPOINT", raising=False)
    with pytest.raises(InvalidInputError, match="plain http"):
        sts.client("sts", FAKE_KEYS, "us-east-1", None)


def test_remote_http_endpoint_allowed_by_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://sts.example.invalid")
    monkeypatch.delenv("DS_LOGIN_ALLOW_INSECURE_ENDPOINT", raising=False)
    created = sts.client("sts", FAKE_KEYS, "us-east-1", None, allow_insecure=True)
    assert created.meta.endpoint_url == "http://sts.example.invalid"
