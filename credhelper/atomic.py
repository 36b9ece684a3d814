"""Atomic file writes that keep a file's mode and owner.

A reader (botocore, the AWS CLI, another ds-login) sees either the old file or
the new one, never a half-written file, because the new content is written to
a temporary file in the same folder, flushed to disk and renamed over the old.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents; the folders created get mode 0700."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR_MODE)


def write_atomic(path: Path, data: bytes, *, backup: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically.

    An existing file keeps its permission bits and owner; a new file gets 0600.
    With ``backup``, the previous content is first saved as ``<name>.bak``
    (same mode), replacing the backup of the edit before.
    """
    ensure_private_dir(path.parent)
    try:
        old_stat: os.stat_result | None = path.stat()
    except FileNotFoundError:
        old_stat = None

    if backup and old_stat is not None:
        _write_replacing(path.with_name(path.name + ".bak"), path.read_bytes(), old_stat)
    _write_replacing(path, data, old_stat)


def _write_replacing(path: Path, data: bytes, template: os.stat_result | None) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if template is None:
            os.chmod(temporary, PRIVATE_FILE_MODE)
        else:
            os.chmod(temporary, stat.S_IMODE(template.st_mode))
            if os.geteuid() == 0 and (template.st_uid, template.st_gid) != (0, 0):
                os.chown(temporary, template.st_uid, template.st_gid)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # Flushing the folder makes the rename itself durable; some file systems
    # do not allow opening a folder, which only weakens durability.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
