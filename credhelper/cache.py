"""The session cache in the secret store, and the per-profile lock around refreshes.

Many processes may ask for credentials at once (every AWS CLI call, every
DVC worker, every new boto3 session). Only the holder of a profile's lock
calls STS; the others wait, read the cache again and reuse its result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from credhelper import store as stores
from credhelper.atomic import ensure_private_dir
from credhelper.credentials import TemporaryCredentials
from credhelper.store import SecretStore

log = logging.getLogger(__name__)

LOCK_TIMEOUT_SECONDS = 120.0
_POLL_SECONDS = 0.05


def read_session(store: SecretStore, profile: str) -> TemporaryCredentials | None:
    """Return the cached credentials, or None when absent or unreadable.

    A damaged entry (say, from a crash mid-write in an old version) is a cache
    miss: the next refresh overwrites it.
    """
    text = store.get(stores.session_item(profile))
    if text is None:
        return None
    try:
        return TemporaryCredentials.from_json(text)
    except (ValueError, KeyError, TypeError) as error:
        log.warning("ignoring damaged cached credentials for profile %s (%s)", profile, type(error).__name__)
        return None


def write_session(store: SecretStore, profile: str, credentials: TemporaryCredentials) -> None:
    store.set(stores.session_item(profile), credentials.to_json(), expires=credentials.expiration)


def fresh_session(store: SecretStore, profile: str, role_arn: str, now: dt.datetime) -> TemporaryCredentials | None:
    """Return cached credentials for ``role_arn`` that outlive the refresh window, else None."""
    cached = read_session(store, profile)
    if cached is None:
        return None
    if cached.role_arn and cached.role_arn != role_arn:
        log.info("cached credentials for profile %s are for another role; refreshing", profile)
        return None
    if not cached.is_fresh(now):
        log.debug("cached credentials for profile %s expire at %s; refreshing", profile, cached.expiration)
        return None
    return cached


@contextlib.contextmanager
def profile_lock(lock_dir: Path, profile: str, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[bool]:
    """Hold an exclusive lock for ``profile``; yield whether it was acquired.

    The kernel releases a flock when its holder dies, so a crashed process
    never blocks the others. A holder that hangs (for example on an MFA
    prompt nobody answers) blocks them for at most ``timeout`` seconds, after
    which the caller proceeds without the lock.
    """
    ensure_private_dir(lock_dir)
    path = lock_dir / f"{profile}.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    acquired = False
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                acquired = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    log.warning("lock %s still held after %.0f s; refreshing without it", path, timeout)
                    break
                time.sleep(_POLL_SECONDS)
        yield acquired
    finally:
        if acquired:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
