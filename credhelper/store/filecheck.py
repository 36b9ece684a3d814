"""The permission check for files that hold secrets."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from credhelper.errors import KeyringError


def check_private(path: Path) -> bool:
    """Return whether ``path`` exists; raise KeyringError when others may read or write it.

    A secret file that became group- or world-accessible, or that another
    user owns, may have been read or replaced, so ds-login refuses to use it.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        return False
    if status.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyringError(
            f"{path} is readable or writable by other users (mode {stat.S_IMODE(status.st_mode):o}); check that nobody "
            f"changed it, then run: chmod 600 {path}"
        )
    if hasattr(os, "geteuid") and status.st_uid != os.geteuid():
        raise KeyringError(f"{path} belongs to another user (uid {status.st_uid}); remove it and run ds-login setup again")
    return True
