"""``ds-login doctor``'s runner and its AWS checks: each link from the install to the DVC remote, in order.

``Doctor.run`` returns one ``CheckResult`` per check and never prints. A
check whose prerequisite did not pass or warn is skipped with "needs
<check>". An AWS error becomes a failed result, not an exception. An
unexpected exception becomes a failed result that names only the
exception type, because its message could contain request data.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credhelper import __version__, teamfile
from credhelper import store as stores
from credhelper.checks import (
    ASSUME_ROLE,
    BASE_KEYS,
    BUCKET_ACCESS,
    CLOCK_SKEW,
    DVC_REMOTE,
    ENVIRONMENT,
    FAIL,
    INSTALL,
    LEAST_PRIVILEGE,
    PASS,
    SECRET_STORE,
    SKIP,
    USER_IDENTITY,
    WARN,
    CheckResult,
    check_credential_process,
    check_dvc_remote,
    check_environment,
    merge,
    split_message,
)
from credhelper.credentials import BaseKeys, TemporaryCredentials, mask_key_id
from credhelper.errors import CredhelperError, InvalidInputError, KeyringLockedError, LoginRequiredError
from credhelper.provider import Provider
from credhelper.settings import ProfileSettings
from credhelper.store.choice import KEYS, SESSION

log = logging.getLogger(__name__)

# AWS rejects requests signed more than 300 s off its clock. A clock 60 s
# off is drifting, so it is worth fixing before it gets there.
WARN_SKEW_SECONDS = 60

NO_BUCKET_FIX = 'give the bucket with --bucket NAME, or add bucket = "NAME" to ds-login.toml at the top of your repository'
UNREACHABLE_FIX = "check your network, proxy and AWS_ENDPOINT_URL* variables, then retry"
UNLOCK_FIX = (
    "unlock your login keyring (log in to the desktop, or unlock it in your keyring app), then rerun; "
    "your stored key is still there, so do not run setup again"
)

ClientFactory = Callable[[str, BaseKeys, "str | None", "str | None"], Any]


def aws_client(service: str, keys: BaseKeys, region: str | None, aws_profile: str | None) -> Any:
    """Return a boto3 client for ``service`` signed with ``keys``, set up like ds-login's STS client."""
    from credhelper import sts

    return sts.client(service, keys, region, aws_profile)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _setup_fix(profile: str, settings: ProfileSettings | None) -> str:
    role_arn = settings.role_arn if settings else "ARN"
    return f"run: ds-login setup --profile {profile} --role-arn {role_arn}"


def describe_remaining(credentials: TemporaryCredentials, now: dt.datetime) -> str:
    minutes = max(0, int(credentials.remaining(now).total_seconds() // 60))
    return f"{minutes} min left"


@dataclass
class Doctor:
    """Runs the checks for one profile, in order. Later checks use what earlier ones found."""

    provider: Provider
    profile: str
    cwd: Path
    bucket: str | None = None  # None: the bucket of the team file found from ``cwd``, if any
    client_factory: ClientFactory = aws_client
    clock: Callable[[], dt.datetime] = _utc_now
    team: teamfile.TeamFile | None = field(default=None, init=False)
    _settings: ProfileSettings | None = field(default=None, init=False, repr=False)
    _base: BaseKeys | None = field(default=None, init=False, repr=False)
    _user_arn: str = field(default="", init=False)
    _clock_offset: float | None = field(default=None, init=False)
    _role: TemporaryCredentials | None = field(default=None, init=False, repr=False)
    _results: dict[str, CheckResult] = field(default_factory=dict, init=False)

    def run(self) -> list[CheckResult]:
        steps = (
            (INSTALL, self.check_install),
            (SECRET_STORE, self.check_secret_store),
            (BASE_KEYS, self.check_base_keys),
            (USER_IDENTITY, self.check_user_identity),
            (LEAST_PRIVILEGE, self.check_least_privilege),
            (ASSUME_ROLE, self.check_assume_role),
            (BUCKET_ACCESS, self.check_bucket_access),
            (DVC_REMOTE, lambda: check_dvc_remote(self.cwd, self.profile, self.bucket, self._team_remote())),
            (CLOCK_SKEW, self.check_clock_skew),
            (ENVIRONMENT, lambda: check_environment(self.provider.env, self.profile)),
        )
        for name, check in steps:
            self._results[name] = self._run_one(name, check)
        return list(self._results.values())

    def _run_one(self, name: str, check: Callable[[], CheckResult]) -> CheckResult:
        try:
            return check()
        except CredhelperError as error:
            detail, fix = split_message(error, "rerun with: ds-login --debug doctor")
            return CheckResult(name, FAIL, detail, fix)
        except Exception as error:  # noqa: BLE001 - one broken check must not hide the others
            log.debug("check %s raised", name, exc_info=True)
            return CheckResult(
                name, FAIL, f"the check raised {type(error).__name__}", "rerun with: ds-login --debug doctor, and report the output"
            )

    def _passed(self, name: str) -> bool:
        result = self._results.get(name)
        return result is not None and result.status in (PASS, WARN)

    def _team_remote(self) -> str | None:
        return self.team.dvc_remote if self.team else None

    def _aws_profile(self) -> str | None:
        # As Provider does: name the profile only when it exists, for its endpoint_url and region.
        return self.profile if self.provider.aws_profile_exists(self.provider.env, self.profile) else None

    def check_install(self) -> CheckResult:
        facts = [f"ds-login {__version__}"]
        problems = self._load_team(facts)
        try:
            self._settings = self.provider.settings(self.profile)
        except CredhelperError as error:
            detail, fix = split_message(error, _setup_fix(self.profile, None))
            problems.append(CheckResult(INSTALL, FAIL, detail, fix))

        program, process_problems = check_credential_process(
            self.provider.env, self.profile, _setup_fix(self.profile, self._settings)
        )
        if program:
            facts.append(f"profile {self.profile} runs {program}")
        return merge(INSTALL, "; ".join(facts), [*problems, *process_problems])

    def _load_team(self, facts: list[str]) -> list[CheckResult]:
        path = teamfile.discover(self.cwd)
        if path is None:
            return []
        try:
            self.team = teamfile.load(path)
        except InvalidInputError as error:
            return [CheckResult(INSTALL, WARN, str(error), f"fix {path}, or give the bucket with --bucket")]
        facts.append(f"team file {path}")
        if self.bucket is None:
            self.bucket = self.team.bucket
        return []

    def check_secret_store(self) -> CheckResult:
        if self._settings is None:
            return CheckResult(SECRET_STORE, SKIP, f"needs {INSTALL}")
        purposes = [(SESSION, "session cache", stores.session_item(self.profile))]
        if not self._settings.source_profile:
            purposes.insert(0, (KEYS, "key", stores.base_keys_item(self.profile)))

        labels_by_store: dict[str, list[str]] = {}
        for purpose, label, item in purposes:
            described = "the secret store"
            try:
                store = self.provider.store(purpose, self._settings)
                described = store.describe()
                store.get(item)
            except CredhelperError as error:
                # The key is still there, not missing.
                if isinstance(error, KeyringLockedError):
                    return CheckResult(SECRET_STORE, FAIL, f"{described} is locked", UNLOCK_FIX)
                detail, fix = split_message(error, _setup_fix(self.profile, self._settings))
                return CheckResult(SECRET_STORE, FAIL, detail, fix)
            labels_by_store.setdefault(described, []).append(label)
        facts = [f"{' and '.join(labels)} in {described}" for described, labels in labels_by_store.items()]
        return CheckResult(SECRET_STORE, PASS, "; ".join(facts))

    def check_base_keys(self) -> CheckResult:
        if self._settings is None:
            return CheckResult(BASE_KEYS, SKIP, f"needs {INSTALL}")
        source_profile = self._settings.source_profile
        if source_profile:
            self._base = self.provider.resolve_source_profile(self.provider.env, source_profile)
            key = mask_key_id(self._base.access_key_id)
            return CheckResult(BASE_KEYS, PASS, f"AWS profile {source_profile} gives access key {key}")

        if not self._passed(SECRET_STORE):
            return CheckResult(BASE_KEYS, SKIP, f"needs {SECRET_STORE}")
        try:
            self._base = self.provider.base_keys(self.profile)
        except LoginRequiredError as error:
            detail, _fix = split_message(error, "")
            fix = _setup_fix(self.profile, self._settings) + " with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, or at a terminal"
            return CheckResult(BASE_KEYS, FAIL, detail, fix)
        return CheckResult(BASE_KEYS, PASS, f"access key {mask_key_id(self._base.access_key_id)} is stored")

    def check_user_identity(self) -> CheckResult:
        if self._base is None or self._settings is None:
            return CheckResult(USER_IDENTITY, SKIP, f"needs {BASE_KEYS}")
        from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

        key = mask_key_id(self._base.access_key_id)
        try:
            client = self.client_factory("sts", self._base, self._settings.region, self._aws_profile())
            response = client.get_caller_identity()
        except ClientError as error:
            self._record_clock_offset(error.response)
            return self._identity_rejected(error.response, key)
        except ProfileNotFound as error:
            return CheckResult(USER_IDENTITY, FAIL, str(error), "set AWS_PROFILE to a profile that exists, or unset it")
        except BotoCoreError as error:
            return CheckResult(USER_IDENTITY, FAIL, f"cannot reach AWS STS: {error}", UNREACHABLE_FIX)

        self._record_clock_offset(response)
        self._user_arn = str(response.get("Arn", ""))
        return CheckResult(USER_IDENTITY, PASS, f"access key {key} is {self._user_arn}")

    def _record_clock_offset(self, response: Mapping[str, Any]) -> None:
        from credhelper import sts

        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        self._clock_offset = sts.clock_offset_seconds(headers, self.clock())

    def _identity_rejected(self, response: Mapping[str, Any], key: str) -> CheckResult:
        from credhelper import sts

        code = response.get("Error", {}).get("Code", "Unknown")
        message = response.get("Error", {}).get("Message", "")
        detail = f"AWS rejected access key {key} ({code}: {message})"
        if self._clock_offset is not None and abs(self._clock_offset) > sts.MAX_CLOCK_SKEW_SECONDS:
            return CheckResult(USER_IDENTITY, FAIL, detail, sts.describe_skew(self._clock_offset))
        assert self._settings is not None
        source_profile = self._settings.source_profile
        if source_profile:
            fix = f"log in to AWS profile {source_profile} again (for SSO: aws sso login --profile {source_profile})"
        elif code in ("InvalidClientTokenId", "SignatureDoesNotMatch"):
            fix = "ask your AWS admin for a new access key, then " + _setup_fix(self.profile, self._settings)
        else:
            fix = "check the access key with your AWS admin"
        return CheckResult(USER_IDENTITY, FAIL, detail, fix)

    def check_least_privilege(self) -> CheckResult:
        if not self.bucket:
            return CheckResult(LEAST_PRIVILEGE, SKIP, "no bucket to check", NO_BUCKET_FIX)
        if self._base is None or self._settings is None or not self._passed(USER_IDENTITY):
            return CheckResult(LEAST_PRIVILEGE, SKIP, f"needs {USER_IDENTITY}")
        from botocore.exceptions import BotoCoreError, ClientError

        key = mask_key_id(self._base.access_key_id)
        try:
            client = self.client_factory("s3", self._base, self._settings.region, self._aws_profile())
            client.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "Unknown")
            if code == "AccessDenied":
                return CheckResult(LEAST_PRIVILEGE, PASS, f"access key {key} cannot list {self.bucket}, as the admin intended")
            if code == "NoSuchBucket":
                return CheckResult(LEAST_PRIVILEGE, SKIP, f"bucket {self.bucket} does not exist", NO_BUCKET_FIX)
            return CheckResult(
                LEAST_PRIVILEGE, WARN, f"listing {self.bucket} with access key {key} failed ({code})", "rerun ds-login doctor"
            )
        except BotoCoreError as error:
            return CheckResult(LEAST_PRIVILEGE, WARN, f"cannot reach S3: {error}", UNREACHABLE_FIX)
        return CheckResult(
            LEAST_PRIVILEGE,
            WARN,
            f"access key {key} can list {self.bucket} by itself, so a leaked key exposes the data",
            f"ask your AWS admin to leave {self._user_arn or 'your IAM user'} only sts:AssumeRole on the developer role "
            "(see docs/admin-guide.md)",
        )

    def check_assume_role(self) -> CheckResult:
        if not self._passed(USER_IDENTITY):
            return CheckResult(ASSUME_ROLE, SKIP, f"needs {USER_IDENTITY}")
        before = self.provider.cached(self.profile)
        self._role = self.provider.credentials(self.profile)
        source = "cached" if before is not None and before.access_key_id == self._role.access_key_id else "new from STS"
        remaining = describe_remaining(self._role, self.clock())
        return CheckResult(ASSUME_ROLE, PASS, f"{self._role.assumed_role_arn}, {remaining} ({source})")

    def check_bucket_access(self) -> CheckResult:
        if not self.bucket:
            return CheckResult(BUCKET_ACCESS, SKIP, "no bucket to check", NO_BUCKET_FIX)
        if self._role is None or self._settings is None or not self._passed(ASSUME_ROLE):
            return CheckResult(BUCKET_ACCESS, SKIP, f"needs {ASSUME_ROLE}")
        from botocore.exceptions import BotoCoreError, ClientError

        role_arn = self._settings.role_arn
        keys = BaseKeys(self._role.access_key_id, self._role.secret_access_key, self._role.session_token)
        try:
            client = self.client_factory("s3", keys, self._settings.region, self._aws_profile())
            client.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "Unknown")
            detail = f"role {role_arn} cannot list {self.bucket} ({code})"
            if code == "AccessDenied":
                fix = (
                    f"ask your AWS admin to allow s3:ListBucket on arn:aws:s3:::{self.bucket} for role {role_arn} "
                    "(the role policy is in docs/admin-guide.md)"
                )
            elif code == "NoSuchBucket":
                fix = "check the bucket name given with --bucket or in the team file"
            else:
                fix = f"run: ds-login login --profile {self.profile}, then rerun ds-login doctor"
            return CheckResult(BUCKET_ACCESS, FAIL, detail, fix)
        except BotoCoreError as error:
            return CheckResult(BUCKET_ACCESS, FAIL, f"cannot reach S3: {error}", UNREACHABLE_FIX)
        return CheckResult(BUCKET_ACCESS, PASS, f"role {role_arn} can list {self.bucket}")

    def check_clock_skew(self) -> CheckResult:
        from credhelper import sts

        if self._clock_offset is None:
            if not self._passed(USER_IDENTITY):
                return CheckResult(CLOCK_SKEW, SKIP, f"needs {USER_IDENTITY}")
            return CheckResult(CLOCK_SKEW, SKIP, "the STS response had no Date header")

        offset = self._clock_offset
        detail, _separator, fix = sts.describe_skew(offset).partition("; ")
        if abs(offset) > sts.MAX_CLOCK_SKEW_SECONDS:
            return CheckResult(CLOCK_SKEW, FAIL, detail, fix)
        if abs(offset) > WARN_SKEW_SECONDS:
            return CheckResult(CLOCK_SKEW, WARN, detail, fix)
        return CheckResult(CLOCK_SKEW, PASS, f"within {abs(offset):.0f} s of AWS's clock")
