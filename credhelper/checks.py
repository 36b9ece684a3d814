"""The result type of ``ds-login doctor``, and its checks of local files and the environment.

Each check returns a ``CheckResult``. The checks that call AWS, and the
order of all checks, are in ``credhelper.doctor``.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from credhelper import awsfiles, dvc_config, paths
from credhelper.credentials import mask_key_id
from credhelper.errors import CredhelperError

PASS = "pass"
WARN = "warn"
FAIL = "fail"
SKIP = "skip"

INSTALL = "install"
SECRET_STORE = "secret-store"
BASE_KEYS = "base-keys"
USER_IDENTITY = "user-identity"
LEAST_PRIVILEGE = "least-privilege"
ASSUME_ROLE = "assume-role"
BUCKET_ACCESS = "bucket-access"
DVC_REMOTE = "dvc-remote"
CLOCK_SKEW = "clock-skew"
ENVIRONMENT = "environment"

# botocore's environment provider reads these before any profile.
# AWS_CREDENTIAL_EXPIRATION is left out because botocore reads it only with them.
STALE_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
# DVC S3 remote options that hold credentials, which DVC then uses instead of any profile.
DVC_KEY_OPTIONS = ("access_key_id", "secret_access_key", "session_token")


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: its name, PASS, WARN, FAIL or SKIP, what it found, and what to do."""

    name: str
    status: str
    detail: str
    fix: str = ""  # set on every FAIL and WARN

    def to_dict(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def split_message(error: CredhelperError, fallback_fix: str) -> tuple[str, str]:
    """Split a ds-login error message into what failed and its fix.

    ds-login's messages put the fix after their last "; ". A message without
    one keeps its whole text as the detail and gets ``fallback_fix``.
    """
    detail, separator, fix = str(error).rpartition("; ")
    if not separator:
        return str(error), fallback_fix
    return detail, fix


def merge(name: str, passed_detail: str, problems: list[CheckResult]) -> CheckResult:
    """Combine the problems one check found into its row. FAIL outranks WARN, and a row without problems is PASS."""
    if not problems:
        return CheckResult(name, PASS, passed_detail)
    status = FAIL if any(problem.status == FAIL for problem in problems) else WARN
    detail = "; ".join(problem.detail for problem in problems)
    fixes = dict.fromkeys(problem.fix for problem in problems if problem.fix)
    return CheckResult(name, status, detail, "; ".join(fixes))


def check_credential_process(env: Mapping[str, str], profile: str, setup_fix: str) -> tuple[str, list[CheckResult]]:
    """Check that the AWS profile runs an existing, executable ds-login. Returns the program and the problems found."""
    config_file = paths.aws_config_file(env)
    section = awsfiles.load_config_profiles(env).get(profile)
    if section is None:
        return "", [CheckResult(INSTALL, FAIL, f"{config_file} has no profile {profile}", setup_fix)]
    command = section.get("credential_process")
    if not command:
        return "", [CheckResult(INSTALL, FAIL, f"profile {profile} in {config_file} has no credential_process", setup_fix)]

    problems = []
    shadowing = [key for key in awsfiles.SHADOWING_KEYS if key in section]
    if shadowing:
        problems.append(
            CheckResult(
                INSTALL,
                FAIL,
                f"profile {profile} in {config_file} also sets {', '.join(shadowing)}, which botocore uses instead of "
                "credential_process",
                setup_fix,
            )
        )
    static = awsfiles.load_credentials_profiles(env).get(profile, {})
    if static.get("aws_access_key_id"):
        credentials_file = paths.aws_credentials_file(env)
        problems.append(
            CheckResult(
                INSTALL,
                FAIL,
                f"[{profile}] in {credentials_file} has static keys, which botocore uses instead of credential_process",
                f"delete the aws_* keys of [{profile}] from {credentials_file}",
            )
        )

    try:
        argv = shlex.split(str(command))
    except ValueError as error:
        return str(command), [*problems, CheckResult(INSTALL, FAIL, f"cannot parse credential_process: {error}", setup_fix)]
    if not argv:
        return "", [*problems, CheckResult(INSTALL, FAIL, "credential_process is empty", setup_fix)]
    program = argv[0] if os.path.isabs(argv[0]) else shutil.which(argv[0], path=env.get("PATH"))
    if program is None or not os.path.isfile(program):
        problems.append(CheckResult(INSTALL, FAIL, f"credential_process runs {argv[0]}, which does not exist", setup_fix))
    elif not os.access(program, os.X_OK):
        problems.append(CheckResult(INSTALL, FAIL, f"credential_process runs {program}, which is not executable", setup_fix))
    if "credential-process" not in argv:
        problems.append(CheckResult(INSTALL, FAIL, "credential_process does not run ds-login credential-process", setup_fix))
    return str(program or argv[0]), problems


def check_dvc_remote(cwd: Path, profile: str, bucket: str | None, team_remote: str | None) -> CheckResult:
    """Check the DVC remote of the repository around ``cwd``: it exists, points at ``bucket``, and leaves credentials to ds-login."""
    root = dvc_config.find_root(cwd)
    if root is None:
        return CheckResult(
            DVC_REMOTE, SKIP, f"{cwd} is not inside a DVC repository", "run ds-login doctor inside your project to check it"
        )
    try:
        config = dvc_config.load(root)
    except CredhelperError as error:
        detail, fix = split_message(error, "fix the DVC config file")
        return CheckResult(DVC_REMOTE, FAIL, detail, fix)

    bucket_text = bucket or "BUCKET"
    name = team_remote or config.default_remote
    if name is None:
        return CheckResult(
            DVC_REMOTE, FAIL, f"{root} has no default DVC remote", f"run: dvc remote add -d storage s3://{bucket_text}/PATH"
        )
    remote = config.remotes.get(name)
    if remote is None:
        return CheckResult(
            DVC_REMOTE, FAIL, f"remote {name} is not defined in {root / '.dvc'}", f"run: dvc remote add {name} s3://{bucket_text}/PATH"
        )

    problems = []
    if team_remote and config.default_remote != team_remote:
        problems.append(
            CheckResult(
                DVC_REMOTE,
                WARN,
                f"the default remote is {config.default_remote or 'not set'}, but the team file names {team_remote}",
                f"run: dvc remote default {team_remote}",
            )
        )
    problems.extend(_remote_url_problems(remote, bucket))
    problems.extend(_remote_credential_problems(remote, root, profile))
    return merge(DVC_REMOTE, f"remote {name} is {remote.url}", problems)


def _remote_url_problems(remote: dvc_config.DvcRemote, bucket: str | None) -> list[CheckResult]:
    bucket_text = bucket or "BUCKET"
    fix = f"run: dvc remote modify {remote.name} url s3://{bucket_text}/PATH"
    if not remote.url:
        return [CheckResult(DVC_REMOTE, FAIL, f"remote {remote.name} has no url", fix)]
    remote_bucket = dvc_config.s3_bucket(remote.url)
    if remote_bucket is None:
        return [CheckResult(DVC_REMOTE, FAIL, f"remote {remote.name} is {remote.url}, not an s3:// URL", fix)]
    if bucket and remote_bucket != bucket:
        path = remote.url[len(f"s3://{remote_bucket}") :].lstrip("/")
        return [
            CheckResult(
                DVC_REMOTE,
                FAIL,
                f"remote {remote.name} points at bucket {remote_bucket}, not {bucket}",
                f"run: dvc remote modify {remote.name} url s3://{bucket}/{path}",
            )
        ]
    return []


def _remote_credential_problems(remote: dvc_config.DvcRemote, root: Path, profile: str) -> list[CheckResult]:
    problems = []
    for key in (*DVC_KEY_OPTIONS, "profile"):
        if key not in remote.options:
            continue
        if key == "profile" and remote.options[key] == profile:
            continue
        source = remote.sources[key]
        level = "--local " if source.name == "config.local" else ""
        where = source.relative_to(root)
        if key == "profile":
            detail = f"remote {remote.name} sets profile {remote.options[key]} in {where}, so DVC does not use {profile}"
        else:
            detail = f"remote {remote.name} sets {key} in {where}; DVC uses those static keys instead of ds-login"
        problems.append(CheckResult(DVC_REMOTE, WARN, detail, f"run: dvc remote modify {level}{remote.name} --unset {key}"))
    return problems


def check_environment(env: Mapping[str, str], profile: str) -> CheckResult:
    """Check for credential variables that override every profile, and an AWS_PROFILE naming another profile."""
    problems = []
    stale = [name for name in STALE_VARIABLES if env.get(name)]
    if stale:
        masked = [f"AWS_ACCESS_KEY_ID={mask_key_id(env[name])}" if name == "AWS_ACCESS_KEY_ID" else name for name in stale]
        problems.append(
            CheckResult(
                ENVIRONMENT,
                FAIL,
                f"{', '.join(masked)} set in the environment; AWS tools use them instead of any profile",
                f"run: unset {' '.join(stale)}, and delete their export lines from your shell's startup files",
            )
        )
    variable = "AWS_PROFILE" if env.get("AWS_PROFILE") else "AWS_DEFAULT_PROFILE"
    chosen = env.get(variable)
    if chosen and chosen != profile:
        problems.append(
            CheckResult(
                ENVIRONMENT,
                WARN,
                f"{variable}={chosen}, so AWS tools run without --profile use {chosen}, not {profile}",
                f"run: export {variable}={profile}, or unset {variable}",
            )
        )
    passed = "no AWS credential variables set" + (f"; {variable}={chosen}" if chosen else "")
    return merge(ENVIRONMENT, passed, problems)
