"""``ds-login setup``: store the access key and write the AWS profile."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from credhelper import teamfile, validation
from credhelper.cli.common import ProfileOption, err_console, prompt_passphrase, resolve_profile
from credhelper.credentials import mask_key_id
from credhelper.provider import store_factory_with_prompt
from credhelper.profile_setup import Prompts, SetupRequest, ds_login_command, run_setup


def setup(
    role_arn: Annotated[
        Optional[str],
        typer.Option("--role-arn", help="ARN of the role to assume, e.g. arn:aws:iam::123456789012:role/developer."),
    ] = None,
    team: Annotated[
        Optional[Path],
        typer.Option(
            "--team",
            help="Team file with the shared settings (default: ds-login.toml in this repository, if there is one).",
            show_default=False,
        ),
    ] = None,
    profile: ProfileOption = None,
    region: Annotated[Optional[str], typer.Option(help="AWS region for the profile, e.g. eu-west-1.")] = None,
    duration: Annotated[
        Optional[str], typer.Option("--duration", help="Session length in seconds, 900 to 43200 (default 3600).")
    ] = None,
    mfa_serial: Annotated[Optional[str], typer.Option("--mfa-serial", help="ARN of your MFA device, when the role needs MFA.")] = None,
    source_profile: Annotated[
        Optional[str],
        typer.Option(
            "--source-profile",
            help="AWS profile to take credentials from: static keys are moved into the secret store; "
            "any other profile (SSO, credential_process, a role) is used directly at each refresh.",
        ),
    ] = None,
    external_id: Annotated[Optional[str], typer.Option("--external-id", help="External ID the role's trust policy requires.")] = None,
    role_session_name: Annotated[
        Optional[str], typer.Option("--role-session-name", help="Session name (default: your user name, made valid for STS).")
    ] = None,
    source_identity: Annotated[Optional[str], typer.Option("--source-identity", help="Source identity to set on the session.")] = None,
    tag: Annotated[
        Optional[list[str]], typer.Option("--tag", help="Session tag KEY=VALUE; repeat for more; replaces the profile's tags.")
    ] = None,
    remove_plaintext: Annotated[
        Optional[bool],
        typer.Option(
            "--remove-plaintext/--keep-plaintext",
            help="With --source-profile: delete the key from ~/.aws/credentials afterwards (asked when omitted at a terminal).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Store your access key in the secret store and write an AWS profile that runs ds-login.

    The key comes from --source-profile, else AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, else a hidden prompt (only at a terminal). With a
    team file, only what is personal is asked for: the key and, when the team
    requires MFA, your MFA device.
    """
    team_path = team or teamfile.discover(Path.cwd())
    team_file = teamfile.load(team_path) if team_path else None
    if team_file is not None:
        err_console.print(f"Using team file {team_file.path}.", markup=False)
    if profile is None and not os.environ.get("DS_LOGIN_PROFILE") and team_file and team_file.profile:
        profile = team_file.profile
    request = SetupRequest(
        profile=resolve_profile(profile),
        role_arn=role_arn,
        region=region,
        duration_seconds=validation.duration_seconds(duration) if duration is not None else None,
        mfa_serial=mfa_serial,
        source_profile=source_profile,
        remove_plaintext=remove_plaintext,
        external_id=external_id,
        role_session_name=role_session_name,
        source_identity=source_identity,
        tags=tuple(tag) if tag else None,
        team=team_file,
    )
    interactive = sys.stdin.isatty()
    prompts = Prompts(
        secret=(lambda label: typer.prompt(label, hide_input=True, err=True)) if interactive else None,
        confirm=(lambda question: typer.confirm(question, default=True, err=True)) if interactive else None,
        text=(lambda label: typer.prompt(label, err=True)) if interactive else None,
    )
    result = run_setup(
        request, os.environ, prompts, ds_login_command(), store_factory_with_prompt(prompt_passphrase if interactive else None)
    )

    name = result.settings.profile
    if result.settings.source_profile:
        err_console.print(
            f"Credentials will come from AWS profile {result.settings.source_profile} at each refresh; "
            "ds-login stores no key for this profile.",
            markup=False,
        )
    else:
        err_console.print(
            f"Stored access key {mask_key_id(result.access_key_id)} ({result.key_source}) in {result.store}.",
            markup=False,
        )
    if result.session_store != result.store:
        err_console.print(f"Temporary credentials will be cached in {result.session_store}.")
    err_console.print(f"Saved role {result.settings.role_arn} in {result.settings_file}.")
    err_console.print(f"Wrote [profile {name}] with credential_process to {result.aws_config_file}.", markup=False)
    if result.removed_keys:
        err_console.print(
            f"Removed {', '.join(result.removed_keys)} from that profile, because botocore would use them "
            "instead of ds-login."
        )
    if result.plaintext_removed_from:
        err_console.print(f"Removed the plaintext key from {result.plaintext_removed_from} (a .bak copy is kept).")
    elif result.plaintext_left_in:
        err_console.print(
            f"The plaintext key is still in {result.plaintext_left_in}; rerun with --remove-plaintext to delete it."
        )
        if source_profile == name:
            err_console.print(
                f"Warning: while [{name}] in {result.plaintext_left_in} has keys, botocore uses them and "
                "ignores ds-login for that profile."
            )
    bucket = f"s3://{team_file.bucket}" if team_file and team_file.bucket else "s3://YOUR-BUCKET"
    err_console.print(f"Next: ds-login login --profile {name}   then: aws s3 ls {bucket} --profile {name}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(setup)
