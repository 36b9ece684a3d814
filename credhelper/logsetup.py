"""Logging to stderr for both the typer commands and the credential-process path."""

from __future__ import annotations

import logging
import sys


def configure(verbosity: int) -> None:
    """Send credhelper's log records to stderr: warnings by default, info with -v, debug with --debug."""
    level = logging.WARNING
    if verbosity == 1:
        level = logging.INFO
    elif verbosity >= 2:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("ds-login %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("credhelper")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
