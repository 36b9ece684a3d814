"""``ds-login credential-process``: one JSON object on stdout for botocore, nothing else.

This path imports neither typer nor rich, and boto3 only when STS must be
called, because it runs once per AWS CLI call and per new boto3 session.
Errors are one line on stderr and a documented exit code.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from credhelper import logsetup, settings
from credhelper.errors import EXIT_INTERRUPTED, EXIT_USAGE, CredhelperError

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ds-login credential-process",
        description="Print temporary credentials as the JSON object that botocore's credential_process expects.",
    )
    parser.add_argument("--profile", help="ds-login profile (default: DS_LOGIN_PROFILE, else ds-developer)")
    parser.add_argument("--debug", action="store_true", help="log every step to stderr, and show tracebacks")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log progress to stderr")
    return parser


def main(arguments: list[str]) -> int:
    try:
        options = _parser().parse_args(arguments)
    except SystemExit as exit_request:
        return EXIT_USAGE if exit_request.code else 0
    logsetup.configure(2 if options.debug else options.verbose)

    from credhelper.provider import Provider, store_factory_with_prompt
    from credhelper.terminal import prompt_mfa_on_tty, prompt_secret_on_tty

    try:
        profile = settings.resolve_profile(options.profile, os.environ)
        provider = Provider(
            env=os.environ, mfa_prompt=prompt_mfa_on_tty, store_factory=store_factory_with_prompt(prompt_secret_on_tty)
        )
        credentials = provider.credentials(profile)
    except CredhelperError as error:
        if options.debug:
            log.debug("traceback", exc_info=True)
        print(f"ds-login: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    sys.stdout.write(json.dumps(credentials.to_process_output()) + "\n")
    sys.stdout.flush()
    return 0
