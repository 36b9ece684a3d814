"""``ds-login completion SHELL``: print the tab-completion script for a shell."""

from __future__ import annotations

from typing import Annotated

import typer

SHELLS = ("bash", "zsh", "fish", "powershell")
COMPLETE_VARIABLE = "_DS_LOGIN_COMPLETE"


def completion(
    shell: Annotated[str, typer.Argument(help=f"One of: {', '.join(SHELLS)}.", show_default=False)],
) -> None:
    """Print the tab-completion script for SHELL.

    To install it: bash: ds-login completion bash >> ~/.bashrc; zsh: ds-login
    completion zsh >> ~/.zshrc; fish: ds-login completion fish >
    ~/.config/fish/completions/ds-login.fish; PowerShell: ds-login completion
    powershell >> $PROFILE.
    """
    if shell not in SHELLS:
        raise typer.BadParameter(f"invalid shell {shell!r}; expected one of: {', '.join(SHELLS)}")
    # NOTE: typer exposes the script builder only in a private module (checked
    # with typer 0.29.2, the version constraints.txt pins); --show-completion
    # takes no shell name and prints for the shell it detects.
    from typer._completion_shared import get_completion_script

    print(get_completion_script(prog_name="ds-login", complete_var=COMPLETE_VARIABLE, shell=shell))


def register(app: typer.Typer) -> None:
    app.command()(completion)
