"""Export formats for shells and tools, with quoting that makes ``eval`` safe.

Every value is quoted so that the shell reads it back byte for byte and never
runs any part of it, whatever quotes, ``$``, backticks, newlines or ``;`` it
contains.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping

FORMATS = ("bash", "zsh", "fish", "powershell", "dotenv", "json")

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_names(variables: Mapping[str, str]) -> None:
    for name in variables:
        if not _NAME_RE.fullmatch(name):
            raise ValueError(f"invalid environment variable name {name!r}")


def quote_fish(value: str) -> str:
    # Inside fish single quotes only \\ and \' are escapes.
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_powershell(value: str) -> str:
    # A PowerShell single-quoted string expands nothing; a quote is doubled.
    # PowerShell also treats the typographic quotes U+2018..U+201B as quotes.
    for quote in ("'", "\u2018", "\u2019", "\u201a", "\u201b"):
        value = value.replace(quote, quote * 2)
    return "'" + value + "'"


def quote_dotenv(value: str) -> str:
    """Single-quote a value so that python-dotenv and ``set -a; . FILE`` in sh read the same text.

    The two readers disagree on backslashes and quotes inside single quotes,
    and python-dotenv expands ``${NAME}`` even there, so values with ``'``,
    ``\\`` or ``${`` are rejected. AWS keys, tokens, timestamps and regions
    contain none of them.
    """
    if "'" in value or "\\" in value or "${" in value:
        raise ValueError("value contains ', \\ or ${, which the dotenv format cannot carry safely; use --format json")
    return "'" + value + "'"


def render(variables: Mapping[str, str], shell: str) -> str:
    """Return the text that sets ``variables`` in ``shell`` (one of FORMATS)."""
    _check_names(variables)
    if shell in ("bash", "zsh"):
        return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in variables.items())
    if shell == "fish":
        return "".join(f"set -gx {name} {quote_fish(value)};\n" for name, value in variables.items())
    if shell == "powershell":
        return "".join(f"$Env:{name} = {quote_powershell(value)}\n" for name, value in variables.items())
    if shell == "dotenv":
        return "".join(f"{name}={quote_dotenv(value)}\n" for name, value in variables.items())
    if shell == "json":
        return json.dumps(dict(variables), indent=2) + "\n"
    raise ValueError(f"unknown export format {shell!r}; expected one of {', '.join(FORMATS)}")
