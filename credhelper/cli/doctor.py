"""``ds-login doctor``: check each link from the stored key to the DVC bucket, with a fix for each failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from credhelper import checks, validation
from credhelper.cli.common import ProfileOption, out_console, provider, resolve_profile
from credhelper.doctor import Doctor
from credhelper.errors import InvalidInputError

# The exit code when at least one check failed. Warnings and skipped checks do not count.
EXIT_CHECK_FAILED = 1
_STYLES = {checks.PASS: "green", checks.WARN: "yellow", checks.FAIL: "bold red", checks.SKIP: "dim"}


def _bucket_name(value: str) -> str:
    try:
        return validation.bucket_name(value)
    except InvalidInputError:
        raise InvalidInputError(f"invalid --bucket {value!r}; expected an S3 bucket name such as team-dvc-data") from None


def doctor(
    profile: ProfileOption = None,
    bucket: Annotated[
        Optional[str],
        typer.Option(
            "--bucket",
            help="S3 bucket to check access to (default: the bucket in the ds-login.toml found from the current folder).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> int:
    """Check the install, secret store, keys, role, bucket, DVC remote, clock and environment, in that order.

    Exits with 0 when no check failed, else with 1. Warnings and skipped checks do not fail.
    """
    name = resolve_profile(profile)
    runner = Doctor(provider(), name, cwd=Path.cwd(), bucket=_bucket_name(bucket) if bucket else None)
    results = runner.run()
    failed = [result for result in results if result.status == checks.FAIL]

    if as_json:
        report = {
            "profile": name,
            "bucket": runner.bucket,
            "ok": not failed,
            "checks": [result.to_dict() for result in results],
        }
        print(json.dumps(report, indent=2))
    else:
        _print_table(results)
    return EXIT_CHECK_FAILED if failed else 0


def _print_table(results: list[checks.CheckResult]) -> None:
    table = Table("check", "status", "detail", "fix")
    for column in table.columns:
        # Fold long paths and ARNs onto the next line instead of cutting them short.
        column.overflow = "fold"
    for result in results:
        # Text cells, so that brackets in file names and sections are not read as rich markup.
        table.add_row(result.name, Text(result.status, style=_STYLES[result.status]), Text(result.detail), Text(result.fix))
    out_console.print(table)

    failures = sum(result.status == checks.FAIL for result in results)
    warnings = sum(result.status == checks.WARN for result in results)
    if failures:
        summary = f"{failures} failed, {warnings} warned; fix the first failure, then run ds-login doctor again."
    elif warnings:
        summary = f"No check failed; {warnings} warned."
    else:
        summary = "No check failed."
    out_console.print(summary, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(doctor)
