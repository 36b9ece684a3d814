"""Getting temporary credentials: from the cache while fresh, else from STS.

``Provider`` holds the collaborators (environment, secret stores, clock, the
AssumeRole call, the prompts) so tests can swap each one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from credhelper import cache, paths, settings
from credhelper import store as stores
from credhelper.credentials import BaseKeys, TemporaryCredentials
from credhelper.errors import AwsUnreachableError, KeyringError, LoginRequiredError
from credhelper.settings import ProfileSettings
from credhelper.store import SecretStore
from credhelper.store.choice import KEYS, SESSION

StoreFactory = Callable[[Mapping[str, str], str, "str | None"], SecretStore]

log = logging.getLogger(__name__)

# When STS cannot be reached, cached credentials with at least this much time
# left are served instead of an error, so a network blip does not stop work.
STALE_MINIMUM = dt.timedelta(minutes=2)


class AssumeRole(Protocol):
    def __call__(
        self, base: BaseKeys, settings: ProfileSettings, *, aws_profile: str | None, mfa_code: str | None = None
    ) -> TemporaryCredentials: ...


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _default_assume_role(
    base: BaseKeys, settings: ProfileSettings, *, aws_profile: str | None, mfa_code: str | None = None
) -> TemporaryCredentials:
    from credhelper import sts

    return sts.assume_role(base, settings, aws_profile=aws_profile, mfa_code=mfa_code)


def store_factory_with_prompt(passphrase_prompt: Callable[[str], str] | None) -> StoreFactory:
    """Return a store factory whose encrypted store gets its passphrase from ``passphrase_prompt``."""

    def open_store(env: Mapping[str, str], purpose: str, recorded: str | None) -> SecretStore:
        from credhelper.store import choice

        return choice.open_store(env, purpose, recorded, passphrase_prompt)

    return open_store


_default_store_factory = store_factory_with_prompt(None)


def _default_aws_profile_exists(env: Mapping[str, str], profile: str) -> bool:
    from credhelper import awsfiles

    return awsfiles.aws_profile_exists(env, profile)


def _default_resolve_source_profile(env: Mapping[str, str], profile: str) -> BaseKeys:
    from credhelper import awsfiles

    return awsfiles.profile_credentials(profile)


@dataclass
class Provider:
    env: Mapping[str, str]
    store_factory: StoreFactory = _default_store_factory
    clock: Callable[[], dt.datetime] = _utc_now
    assume_role: AssumeRole = _default_assume_role
    mfa_prompt: Callable[[ProfileSettings], str] | None = None
    aws_profile_exists: Callable[[Mapping[str, str], str], bool] = _default_aws_profile_exists
    resolve_source_profile: Callable[[Mapping[str, str], str], BaseKeys] = _default_resolve_source_profile
    _stores: dict[str, SecretStore] = field(default_factory=dict, init=False, repr=False)

    def store(self, purpose: str, profile_settings: ProfileSettings) -> SecretStore:
        """Return the store for ``purpose`` (KEYS or SESSION), opened once per provider."""
        if purpose not in self._stores:
            recorded = profile_settings.key_store if purpose == KEYS else profile_settings.session_store
            self._stores[purpose] = self.store_factory(self.env, purpose, recorded)
        return self._stores[purpose]

    def settings(self, profile: str) -> ProfileSettings:
        return settings.load(profile, self.env)

    def cached(self, profile: str) -> TemporaryCredentials | None:
        """Return the cached credentials whatever their age, or None."""
        return cache.read_session(self.store(SESSION, self.settings(profile)), profile)

    def credentials(self, profile: str, *, force: bool = False, mfa_code: str | None = None) -> TemporaryCredentials:
        """Return credentials with more than the refresh window left, calling STS only when needed.

        With ``force`` STS is called even when the cache is fresh. Concurrent
        callers for one profile share a single STS call through the profile lock.
        """
        profile_settings = self.settings(profile)
        session_store = self.store(SESSION, profile_settings)
        if not force:
            cached = cache.fresh_session(session_store, profile, profile_settings.role_arn, self.clock())
            if cached is not None:
                log.debug("serving cached credentials for profile %s", profile)
                return cached

        with cache.profile_lock(paths.state_dir(self.env) / "locks", profile):
            if not force:
                # Another process may have refreshed while this one waited.
                cached = cache.fresh_session(session_store, profile, profile_settings.role_arn, self.clock())
                if cached is not None:
                    log.debug("serving credentials refreshed by another process for profile %s", profile)
                    return cached
            try:
                fresh = self._assume(profile_settings, mfa_code)
            except AwsUnreachableError as error:
                # An explicit login asked for new credentials, so it reports the failure.
                still_valid = None if force else self._still_valid(session_store, profile_settings)
                if still_valid is None:
                    raise
                minutes = int(still_valid.remaining(self.clock()).total_seconds() // 60)
                log.warning("%s; serving cached credentials for profile %s, valid %d more min", error, profile, minutes)
                return still_valid
            cache.write_session(session_store, profile, fresh)
            log.info("cached new credentials for profile %s in %s", profile, session_store.describe())
            return fresh

    def _still_valid(self, session_store: SecretStore, profile_settings: ProfileSettings) -> TemporaryCredentials | None:
        """Return cached credentials that are past the refresh window but usable for a while yet."""
        cached = cache.read_session(session_store, profile_settings.profile)
        if cached is None or (cached.role_arn and cached.role_arn != profile_settings.role_arn):
            return None
        return cached if cached.remaining(self.clock()) > STALE_MINIMUM else None

    def base_keys(self, profile: str, profile_settings: ProfileSettings | None = None) -> BaseKeys:
        """Return the stored long-lived key; ``profile_settings`` saves reading the settings file again."""
        key_store = self.store(KEYS, profile_settings or self.settings(profile))
        text = key_store.get(stores.base_keys_item(profile))
        if text is None:
            raise LoginRequiredError(
                f"no access key is stored for profile {profile!r} in {key_store.describe()}; "
                f"run: ds-login setup --profile {profile} --role-arn ARN"
            )
        try:
            return BaseKeys.from_json(text)
        except (ValueError, KeyError, TypeError):
            raise KeyringError(
                f"the stored access key for profile {profile!r} is damaged; store it again with: "
                f"ds-login setup --profile {profile} --role-arn ARN"
            ) from None

    def logout(self, profile: str, *, forget_base_keys: bool = False) -> list[str]:
        """Delete cached credentials (and with ``forget_base_keys`` the stored keys); return the items removed."""
        profile_settings = self.settings(profile)
        removed = []
        targets = [(SESSION, stores.session_item(profile))]
        if forget_base_keys:
            targets.append((KEYS, stores.base_keys_item(profile)))
        for purpose, item in targets:
            if self.store(purpose, profile_settings).delete(item):
                removed.append(item)
        return removed

    def _assume(self, profile_settings: ProfileSettings, mfa_code: str | None) -> TemporaryCredentials:
        if profile_settings.source_profile:
            base = self.resolve_source_profile(self.env, profile_settings.source_profile)
        else:
            base = self.base_keys(profile_settings.profile, profile_settings)
        if profile_settings.mfa_serial and not mfa_code:
            if self.mfa_prompt is None:
                raise LoginRequiredError(
                    f"profile {profile_settings.profile!r} needs an MFA code and no terminal is available; "
                    f"run: ds-login login --profile {profile_settings.profile}"
                )
            mfa_code = self.mfa_prompt(profile_settings)
        aws_profile = profile_settings.profile if self.aws_profile_exists(self.env, profile_settings.profile) else None
        return self.assume_role(base, profile_settings, aws_profile=aws_profile, mfa_code=mfa_code)
