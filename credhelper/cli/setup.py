"""``ds-login setup``: store the access key and write the AWS profile."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from credhelper.cli.common import ProfileOption, err_console, prompt_passphrase, resolve_profile
from credhelper.credentials import mask_key_id
from credhelper.provider import store_factory_with_prompt
from credhelper.profile_setup import Prompts, SetupRequest, ds_login_command, run_setup


def setup(
    role_arn: Annotated[str, typer.Option("--role-arn", help="ARN of the role to assume, e.g. arn:aws:iam::123456789012:role/developer.")],
    profile: ProfileOption = None,
    region: Annotated[Optional[str], typer.Option(help="AWS region for the profile, e.g. eu-west-1.")] = None,
    duration: Annotated[
        Optional[int], typer.Option("--duration", help="Session length in seconds, 900 to 43200 (default 3600).")
    ] = None,
    mfa_serial: Annotated[Optional[str], typer.Option("--mfa-serial", help="ARN of your MFA device, when the role needs MFA.")] = None,
    source_profile: Annotated[
        Optional[str], typer.Option("--source-profile", help="Take the access key from this AWS profile's static keys.")
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
    AWS_SECRET_ACCESS_KEY, else a hidden prompt (only at a terminal).
    """
    request = SetupRequest(
        profile=resolve_profile(profile),
        role_arn=role_arn,
        region=region,
        duration_seconds=duration,
        mfa_serial=mfa_serial,
        source_profile=source_profile,
        remove_plaintext=remove_plaintext,
    )
    interactive = sys.stdin.isatty()
    prompts = Prompts(
        secret=(lambda label: typer.prompt(label, hide_input=True, err=True)) if interactive else None,
        confirm=(lambda question: typer.confirm(question, default=True, err=True)) if interactive else None,
    )
    result = run_setup(
        request, os.environ, prompts, ds_login_command(), store_factory_with_prompt(prompt_passphrase if interactive else None)
    )

    name = result.settings.profile
    err_console.print(f"Stored access key {mask_key_id(result.access_key_id)} ({result.key_source}) in {result.store}.")
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
    err_console.print(f"Next: ds-login login --profile {name}   then: aws s3 ls --profile {name}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(setup)
