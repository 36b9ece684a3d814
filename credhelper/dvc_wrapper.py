"""Running DVC against a ds-login profile, so DVC's S3 remote refreshes credentials by itself.

``ds-login dvc`` runs in front of every DVC command, so the console script
dispatches it here without typer or rich. The check that the cached
credentials are fresh uses the credential-process cache-hit path, and only a
refresh imports the full provider.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from credhelper import childenv, hotpath, runner
from credhelper.errors import EXIT_INTERRUPTED, CredhelperError, InvalidInputError

# Texts by which AWS and botocore errors name expired or revoked temporary credentials.
EXPIRED_TOKEN_MARKERS = (b"ExpiredToken", b"InvalidToken", b"token included in the request is expired")


def expired_message(profile: str) -> str:
    return (
        "ds-login: DVC failed because AWS rejected its credentials as expired (ExpiredToken); "
        f"run: ds-login login --profile {profile}   then run the DVC command again"
    )


def ensure_fresh(profile: str, env: Mapping[str, str]) -> None:
    """Refresh the profile's credentials unless the cache already has fresh ones."""
    if hotpath.read_fresh(profile, env) is not None:
        return
    from credhelper.provider import Provider, store_factory_with_prompt
    from credhelper.terminal import prompt_mfa_on_tty, prompt_secret_on_tty

    Provider(
        env=env, mfa_prompt=prompt_mfa_on_tty, store_factory=store_factory_with_prompt(prompt_secret_on_tty)
    ).credentials(profile)


def run_dvc(profile: str, arguments: Sequence[str], env: Mapping[str, str]) -> tuple[int, bool]:
    """Run dvc with AWS_PROFILE set to ``profile``; return its exit code and whether AWS reported an expired token."""
    runner.check_dvc_repository(arguments)
    ensure_fresh(profile, env)
    child_env = childenv.with_profile(env, profile)
    return runner.run_watching_stderr([runner.find_dvc(env), *arguments], child_env, EXPIRED_TOKEN_MARKERS)


def _split_profile(arguments: list[str], env: Mapping[str, str]) -> tuple[str, list[str]]:
    if arguments[:1] in (["--profile"], ["-p"]) and len(arguments) >= 2:
        profile, arguments = arguments[1], arguments[2:]
    elif arguments[:1] and arguments[0].startswith("--profile="):
        profile, arguments = arguments[0].split("=", 1)[1], arguments[1:]
    else:
        profile = hotpath.resolve_profile(env, os.getcwd())
        if profile is None:
            from credhelper.settings import resolve_profile

            profile = resolve_profile(None, env)
        return profile, arguments
    if not hotpath.is_valid_profile_name(profile):
        raise InvalidInputError(f"invalid profile name {profile!r}; use letters, digits and . _ @ + -")
    return profile, arguments


def main(arguments: list[str]) -> int:
    """Entry for ``ds-login dvc [--profile NAME] DVC_ARGS...`` from the console script."""
    try:
        profile, dvc_arguments = _split_profile(arguments, os.environ)
        if not dvc_arguments:
            raise InvalidInputError("no DVC command given; usage: ds-login dvc [--profile NAME] pull|push|...")
        code, expired = run_dvc(profile, dvc_arguments, os.environ)
    except CredhelperError as error:
        print(f"ds-login: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    if code != 0 and expired:
        print(expired_message(profile), file=sys.stderr)
    return code

