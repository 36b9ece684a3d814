"""Fakes for the provider's collaborators: secret store, STS and clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from credhelper.credentials import BaseKeys, TemporaryCredentials
from credhelper.settings import ProfileSettings

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)
FAKE_KEYS = BaseKeys("AKIAFAKEFAKEFAKE0001", "fakeSecretKeyForTestsOnly0000000000000001")


class MemoryStore:
    name = "keyring"

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def describe(self) -> str:
        return "memory store"

    def get(self, item: str) -> str | None:
        return self.items.get(item)

    def set(self, item: str, value: str, expires: dt.datetime | None = None) -> None:
        self.items[item] = value

    def delete(self, item: str) -> bool:
        return self.items.pop(item, None) is not None


@dataclass
class FakeSts:
    """Counts AssumeRole calls and issues credentials valid for the requested duration."""

    clock: list[dt.datetime] = field(default_factory=lambda: [NOW])
    calls: list[dict[str, object]] = field(default_factory=list)

    def __call__(
        self, base: BaseKeys, settings: ProfileSettings, *, aws_profile: str | None, mfa_code: str | None = None
    ) -> TemporaryCredentials:
        number = len(self.calls) + 1
        self.calls.append({"base": base, "role_arn": settings.role_arn, "aws_profile": aws_profile, "mfa_code": mfa_code})
        return TemporaryCredentials(
            access_key_id=f"ASIAFAKE{number:012d}",
            secret_access_key=f"fakeSessionSecret{number}",
            session_token=f"fakeSessionToken{number}",
            expiration=self.clock[0] + dt.timedelta(seconds=settings.duration_seconds),
            assumed_role_arn="arn:aws:sts::123456789012:assumed-role/developer/jdoe",
            role_arn=settings.role_arn,
        )
