"""``ds-login demo``: watch ds-login do its job on a local AWS, with no account."""

from __future__ import annotations

from typing import Annotated

import typer

from credhelper.cli.common import out_console
from credhelper.demo import Demo, Event

_STYLES = {"step": "bold cyan", "command": "bold", "output": "dim", "ok": "green", "info": "yellow"}
_PREFIXES = {"step": "\n== ", "command": "$ ", "output": "  ", "ok": "OK ", "info": "-- "}


def _render(event: Event) -> None:
    out_console.print(f"{_PREFIXES[event.kind]}{event.text}", style=_STYLES[event.kind], markup=False, soft_wrap=True)


def demo(
    keep: Annotated[bool, typer.Option("--keep", help="Keep the throw-away folder to look at it afterwards.")] = False,
) -> None:
    """Run setup, login and a DVC push and pull on a local AWS in a throw-away home folder."""
    Demo(_render, keep=keep).run()
    out_console.print("\nThe demo finished: AccessDenied before ds-login, a full DVC round trip after.", style="bold green")


def register(app: typer.Typer) -> None:
    app.command()(demo)
