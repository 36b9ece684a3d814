"""``ds-login setup``: store the base keys, save the settings, write the AWS profile.

Every input is validated before anything is written, so a rejected value
leaves the keyring and all files as they were.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from credhelper import awsfiles, settings, validation
from credhelper import store as stores
from credhelper.credentials import BaseKeys, mask_key_id
from credhelper.errors import InvalidInputError
from credhelper.settings import ProfileSettings
from credhelper.store import BACKENDS, SecretStore
from credhelper.teamfile import TeamFile
from credhelper.store.choice import KEYS, SESSION

StoreFactory = Callable[[Mapping[str, str], str, "str | None"], SecretStore]

log = logging.getLogger(__name__)

_ACCESS_KEY_ID_RE = re.compile(r"[A-Z0-9]{16,128}")
# botocore refreshes 15 minutes before expiry, so shorter sessions barely get used.
SHORT_SESSION_SECONDS = 20 * 60


@dataclass(frozen=True)
class SetupRequest:
    profile: str
    role_arn: str | None  # None: the team file's, else the profile's current role
    region: str | None = None
    duration_seconds: int | None = None
    mfa_serial: str | None = None
    source_profile: str | None = None
    remove_plaintext: bool | None = None  # None: ask when a prompt is available
    external_id: str | None = None
    role_session_name: str | None = None
    source_identity: str | None = None
    tags: tuple[str, ...] | None = None  # KEY=VALUE texts; None keeps the profile's tags
    team: TeamFile | None = None  # shared values for whatever the flags leave out


@dataclass
class SetupResult:
    settings: ProfileSettings
    key_source: str
    access_key_id: str
    store: str
    session_store: str
    settings_file: Path
    aws_config_file: Path
    removed_keys: list[str] = field(default_factory=list)
    plaintext_removed_from: Path | None = None
    plaintext_left_in: Path | None = None


@dataclass
class Prompts:
    """Questions for a person at a terminal; None where no terminal is available."""

    secret: Callable[[str], str] | None = None
    confirm: Callable[[str], bool] | None = None
    text: Callable[[str], str] | None = None


def ds_login_command() -> str:
    """Return the command line that runs this ds-login, as an absolute path.

    Falls back to ``python -m credhelper`` when ds-login was not started
    through its console script.
    """
    program = Path(sys.argv[0])
    if program.name == "ds-login":
        return shlex.quote(os.path.abspath(program))
    return f"{shlex.quote(sys.executable)} -m credhelper"


def _default_store_factory(env: Mapping[str, str], purpose: str, recorded: str | None) -> SecretStore:
    from credhelper.store import choice

    return choice.open_store(env, purpose, recorded)


def validate_base_keys(keys: BaseKeys) -> BaseKeys:
    access_key_id = keys.access_key_id.strip()
    secret = keys.secret_access_key.strip()
    if access_key_id.startswith("ASIA"):
        raise InvalidInputError(
            f"access key {mask_key_id(access_key_id)} is temporary (it starts with ASIA); "
            "ds-login needs the long-lived key of your IAM user (it starts with AKIA)"
        )
    if not _ACCESS_KEY_ID_RE.fullmatch(access_key_id):
        raise InvalidInputError(
            f"invalid access key id {mask_key_id(access_key_id)!r}; expected 16 to 128 upper-case letters and digits"
        )
    if not secret or any(character.isspace() for character in secret):
        raise InvalidInputError(
            f"invalid secret access key for {mask_key_id(access_key_id)}: it is empty or contains white space"
        )
    return BaseKeys(access_key_id, secret)


def apply_team(request: SetupRequest) -> SetupRequest:
    """Fill what the flags leave out from the request's team file."""
    team = request.team
    if team is None:
        return request
    return replace(
        request,
        role_arn=request.role_arn or team.role_arn,
        region=request.region or team.region,
        duration_seconds=request.duration_seconds or team.duration_seconds,
        external_id=request.external_id or team.external_id,
    )


def build_settings(request: SetupRequest, previous: ProfileSettings | None) -> ProfileSettings:
    """Validate the request; values not given keep what the profile had."""
    profile = validation.profile_name(request.profile)
    role_arn = request.role_arn or (previous.role_arn if previous else None)
    if not role_arn:
        raise InvalidInputError(
            "no role given; pass --role-arn ARN, or --team FILE, or run setup inside a repository with a ds-login.toml"
        )
    region = request.region
    duration = request.duration_seconds
    mfa_serial = request.mfa_serial
    if previous is not None:
        region = previous.region if region is None else region
        duration = previous.duration_seconds if duration is None else duration
        mfa_serial = previous.mfa_serial if mfa_serial is None else mfa_serial
    if duration is None:
        duration = validation.DEFAULT_DURATION_SECONDS
    seconds = validation.duration_seconds(duration)
    if seconds < SHORT_SESSION_SECONDS:
        log.warning(
            "sessions of %s s are short: AWS tools ask for new credentials once fewer than 15 minutes remain, "
            "so ds-login will call STS on almost every request; choose --duration %d or more",
            seconds,
            SHORT_SESSION_SECONDS,
        )

    current = previous or ProfileSettings(profile, role_arn)
    external_id = request.external_id if request.external_id is not None else current.external_id
    session_name = request.role_session_name if request.role_session_name is not None else current.role_session_name
    source_identity = request.source_identity if request.source_identity is not None else current.source_identity
    tags = tuple(validation.tag(text) for text in request.tags) if request.tags is not None else current.tags
    if len(tags) > validation.MAX_TAGS:
        raise InvalidInputError(f"{len(tags)} session tags given; STS accepts at most {validation.MAX_TAGS}")

    return ProfileSettings(
        profile=profile,
        role_arn=validation.role_arn(role_arn),
        region=validation.region(region) if region else None,
        duration_seconds=seconds,
        mfa_serial=validation.mfa_serial(mfa_serial) if mfa_serial else None,
        role_session_name=validation.role_session_name(session_name) if session_name else None,
        external_id=validation.external_id(external_id) if external_id else None,
        source_identity=validation.source_identity(source_identity) if source_identity else None,
        tags=tags,
        static_profile=current.static_profile,
        allow_insecure_endpoints=bool(request.team and request.team.allow_insecure_endpoints)
        or (request.team is None and current.allow_insecure_endpoints),
    )


def _find_keys(
    request: SetupRequest, env: Mapping[str, str], store: SecretStore, prompts: Prompts
) -> tuple[BaseKeys | None, str]:
    """Find the base keys: source profile, environment, the stored ones, else a prompt."""
    if request.source_profile:
        source = validation.profile_name(request.source_profile)
        keys = awsfiles.read_static_keys(env, source)
        if keys is not None:
            return keys, f"profile {source}"
        _check_linkable(env, source, request.profile)
        return None, LINKED

    access_key_id = env.get("AWS_ACCESS_KEY_ID")
    secret = env.get("AWS_SECRET_ACCESS_KEY")
    if access_key_id and secret:
        if env.get("AWS_SESSION_TOKEN"):
            raise InvalidInputError(
                "AWS_SESSION_TOKEN is set, so the keys in the environment are temporary; "
                "unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, then give your IAM user key"
            )
        return BaseKeys(access_key_id, secret), "environment"
    if bool(access_key_id) != bool(secret):
        missing = "AWS_SECRET_ACCESS_KEY" if access_key_id else "AWS_ACCESS_KEY_ID"
        raise InvalidInputError(f"{missing} is not set but its partner is; set both or neither")

    if store.get(stores.base_keys_item(request.profile)) is not None:
        return None, "already stored"

    if prompts.secret is None:
        raise InvalidInputError(
            "no access key given and standard input is not a terminal; set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or pass --source-profile PROFILE"
        )
    access_key_id = prompts.secret("AWS access key id").strip()
    secret = prompts.secret("AWS secret access key").strip()
    return BaseKeys(access_key_id, secret), "prompt"


LINKED = "source profile, used directly"


def _ask_mfa_device(team: TeamFile, prompts: Prompts) -> str:
    account = team.role_arn.split(":")[4]
    if prompts.text is None:
        raise InvalidInputError(
            f"the team file {team.path} requires MFA and no MFA device was given; pass "
            f"--mfa-serial arn:aws:iam::{account}:mfa/<your user name>"
        )
    answer = prompts.text(f"Your MFA device ARN (arn:aws:iam::{account}:mfa/<your user name>)")
    return validation.mfa_serial(answer)


def _check_linkable(env: Mapping[str, str], source: str, profile: str) -> None:
    """Reject a source profile that does not exist or that would run this ds-login profile again."""
    config = awsfiles.load_config_profiles(env).get(source)
    if config is None and source not in awsfiles.load_credentials_profiles(env):
        raise InvalidInputError(
            f"AWS profile {source!r} not found in {awsfiles.paths.aws_config_file(env)} or "
            f"{awsfiles.paths.aws_credentials_file(env)}; check the name with: aws configure list-profiles"
        )
    if source == profile or f"--profile {profile}" in str((config or {}).get("credential_process", "")):
        raise InvalidInputError(
            f"AWS profile {source!r} gets its credentials from ds-login profile {profile!r} itself; "
            "name a profile with its own credentials (static keys, SSO, credential_process or a role)"
        )


def run_setup(
    request: SetupRequest,
    env: Mapping[str, str],
    prompts: Prompts,
    command: str,
    store_factory: StoreFactory | None = None,
) -> SetupResult:
    """Validate everything, then store the keys and write the settings and the AWS profile.

    The stores chosen for the key and the session are recorded in the
    settings, so later calls find them without probing the machine again.
    """
    try:
        previous: ProfileSettings | None = settings.load(validation.profile_name(request.profile), env)
    except settings.ProfileNotFoundError:
        previous = None
    request = apply_team(request)
    has_env_keys = bool(env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"))
    if request.source_profile is None and previous and previous.source_profile and not has_env_keys:
        request = replace(request, source_profile=previous.source_profile)
    profile_settings = build_settings(request, previous)
    # Every check before the first write, so a bad file leaves the keyring alone too.
    awsfiles.check_editable(env)
    open_store = store_factory or _default_store_factory
    store = open_store(env, KEYS, previous.key_store if previous else None)
    session_store = open_store(env, SESSION, previous.session_store if previous else None)
    profile_settings = replace(
        profile_settings,
        key_store=store.name if store.name in BACKENDS else None,
        session_store=session_store.name if session_store.name in BACKENDS else None,
    )
    if profile_settings.region is None and request.source_profile:
        source_region = awsfiles.read_region(env, request.source_profile)
        if source_region:
            profile_settings = replace(profile_settings, region=validation.region(source_region))
    keys, key_source = _find_keys(request, env, store, prompts)
    if keys is not None:
        keys = validate_base_keys(keys)
    if request.team and request.team.mfa_required and not profile_settings.mfa_serial:
        profile_settings = replace(profile_settings, mfa_serial=_ask_mfa_device(request.team, prompts))

    if key_source == LINKED:
        profile_settings = replace(profile_settings, source_profile=request.source_profile, key_store=None)
        session_store.delete(stores.session_item(profile_settings.profile))
        access_key_id = ""
    elif keys is not None:
        store.set(stores.base_keys_item(profile_settings.profile), keys.to_json())
        # Credentials cached for other keys or another role are no longer valid.
        session_store.delete(stores.session_item(profile_settings.profile))
        log.info("stored access key %s in %s", mask_key_id(keys.access_key_id), store.describe())
        access_key_id = keys.access_key_id
    else:
        stored = BaseKeys.from_json(store.get(stores.base_keys_item(profile_settings.profile)) or "{}")
        access_key_id = stored.access_key_id

    settings_path = settings.save(profile_settings, env)
    config_path, removed = awsfiles.write_process_profile(
        env,
        profile_settings.profile,
        f"{command} credential-process --profile {profile_settings.profile}",
        profile_settings.region,
        request.team.endpoints if request.team else None,
    )
    result = SetupResult(
        settings=profile_settings,
        key_source=key_source,
        access_key_id=access_key_id,
        store=store.describe(),
        session_store=session_store.describe(),
        settings_file=settings_path,
        aws_config_file=config_path,
        removed_keys=removed,
    )
    if request.source_profile and key_source != LINKED:
        _handle_plaintext_copy(request, env, prompts, result)
    return result


def _handle_plaintext_copy(request: SetupRequest, env: Mapping[str, str], prompts: Prompts, result: SetupResult) -> None:
    source = request.source_profile or ""
    credentials_file = awsfiles.paths.aws_credentials_file(env)
    if source not in awsfiles.load_credentials_profiles(env):
        return
    remove = request.remove_plaintext
    if remove is None and prompts.confirm is not None:
        remove = prompts.confirm(
            f"Remove the plaintext key of profile {source!r} from {credentials_file}? It is now in {result.store}."
        )
    if remove:
        result.plaintext_removed_from = awsfiles.remove_static_keys(env, source)
    else:
        result.plaintext_left_in = credentials_file
