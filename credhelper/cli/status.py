"""``ds-login status``: profiles, the role each assumes, time left, where credentials are kept."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Annotated

import typer
from rich.table import Table

from credhelper import settings
from credhelper.cli.common import out_console, provider
from credhelper.credentials import format_rfc3339
from credhelper.store.choice import SESSION


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show every ds-login profile and the state of its cached credentials."""
    now = dt.datetime.now(dt.timezone.utc)
    rows = []
    for name in settings.list_profiles(os.environ):
        credhelper_provider = provider()
        profile_settings = credhelper_provider.settings(name)
        cached = credhelper_provider.cached(name)
        seconds_left = int(cached.remaining(now).total_seconds()) if cached else None
        rows.append(
            {
                "profile": name,
                "role_arn": profile_settings.role_arn,
                "region": profile_settings.region,
                "assumed_role_arn": cached.assumed_role_arn if cached else None,
                "expiration": format_rfc3339(cached.expiration) if cached else None,
                "seconds_left": max(seconds_left, 0) if seconds_left is not None else None,
                "store": credhelper_provider.store(SESSION, profile_settings).describe(),
            }
        )
    if as_json:
        print(json.dumps({"profiles": rows}, indent=2))
        return
    if not rows:
        out_console.print("No ds-login profiles yet; run: ds-login setup --role-arn ARN", markup=False)
        return
    table = Table("profile", "role", "region", "credentials", "store")
    for row in rows:
        if row["seconds_left"] is None:
            state = "not logged in"
        elif row["seconds_left"] == 0:
            state = "expired"
        else:
            state = f"{row['seconds_left'] // 60} min left"
        table.add_row(row["profile"], row["role_arn"], row["region"] or "-", state, row["store"])
    out_console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(status)
