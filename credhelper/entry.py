"""The ``ds-login`` console script.

``credential-process`` runs once per AWS CLI call and per new boto3 or DVC
session, and ``dvc`` in front of every DVC command, so both are dispatched
here without importing typer, rich or boto3. Every other command goes to the
typer application in ``credhelper.cli``.
"""

from __future__ import annotations

import sys


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == ["credential-process"]:
        from credhelper import hotpath

        if hotpath.serve_cached(arguments[1:]):
            sys.exit(0)

        from credhelper.credential_process import main as process_main

        sys.exit(process_main(arguments[1:]))

    if arguments[:1] == ["dvc"] and not set(arguments[1:2]) & {"--help", "-h"} and len(arguments) > 1:
        from credhelper.dvc_wrapper import main as dvc_main

        sys.exit(dvc_main(arguments[1:]))

    from credhelper.cli import run

    run(arguments)
