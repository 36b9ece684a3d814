"""The OS keyring through the keyring package (Secret Service, Keychain, Credential Manager)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors

from credhelper.errors import KeyringError, KeyringLockedError
from credhelper.store import KEYRING, SERVICE

log = logging.getLogger(__name__)

NO_KEYRING_FIX = (
    "start a Secret Service such as gnome-keyring (on a desktop, log in graphically; "
    "over SSH, run ds-login under dbus-run-session), or choose another store with "
    "DS_LOGIN_STORE=keyctl, encrypted-file or plaintext-file (see docs/keyring.md in the ds-login repository)"
)
# Windows Credential Manager keeps at most 2560 bytes per credential, which the
# keyring package stores as UTF-16: 1280 characters, less some margin.
WINDOWS_MAX_LENGTH = 1200


def unusable_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    """Return why the keyring package's chosen backend cannot store secrets, or None."""
    module = type(backend).__module__
    if module == "keyring.backends.fail":
        return "the keyring package found no backend (no Secret Service, Keychain or Credential Manager)"
    if module == "keyring.backends.chainer" and not getattr(backend, "backends", []):
        return "the keyring package found no backend to chain"
    if module.startswith("keyrings.alt") or "PlaintextKeyring" in type(backend).__name__:
        return f"{module} keeps secrets unencrypted, so ds-login does not choose it by itself"
    return None


class KeyringStore:
    """Items under service ``ds-login`` in the keyring package's chosen backend."""

    name = KEYRING

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        return self._backend

    def describe(self) -> str:
        backend = type(self._backend)
        return f"OS keyring ({backend.__module__}.{backend.__name__})"

    def max_length(self) -> int | None:
        return WINDOWS_MAX_LENGTH if type(self._backend).__module__ == "keyring.backends.Windows" else None

    def get(self, item: str) -> str | None:
        with _translated_errors(item, "read"):
            return self._backend.get_password(SERVICE, item)

    def set(self, item: str, value: str, expires: dt.datetime | None = None) -> None:
        with _translated_errors(item, "write"):
            self._backend.set_password(SERVICE, item, value)

    def delete(self, item: str) -> bool:
        with _translated_errors(item, "delete"):
            try:
                self._backend.delete_password(SERVICE, item)
            except keyring.errors.PasswordDeleteError:
                return False
        return True


@contextlib.contextmanager
def _translated_errors(item: str, action: str) -> Iterator[None]:
    """Turn keyring exceptions into KeyringError with a message that names the fix."""
    try:
        yield
    except keyring.errors.NoKeyringError as error:
        raise KeyringError(f"no OS keyring is available to {action} {item!r}; {NO_KEYRING_FIX}") from error
    except keyring.errors.KeyringLocked as error:
        raise KeyringLockedError(
            f"the OS keyring is locked, so ds-login cannot {action} {item!r}; unlock it (log in to the "
            "desktop, or unlock the 'login' keyring in your keyring app) and retry; your stored key is still there"
        ) from error
    except keyring.errors.PasswordDeleteError:
        raise
    except keyring.errors.KeyringError as error:
        raise KeyringError(f"the OS keyring failed to {action} {item!r}: {error}") from error
