"""The OS keyring through the keyring package (Secret Service, Keychain, Credential Manager)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import keyring
import keyring.errors

from credhelper.errors import KeyringError
from credhelper.store import SERVICE

log = logging.getLogger(__name__)

_NO_KEYRING_FIX = (
    "start a Secret Service such as gnome-keyring (on a desktop, log in graphically; "
    "over SSH, run it under dbus-run-session), or set DS_LOGIN_STORE=plaintext-file "
    "to accept an unencrypted file readable only by you"
)


class KeyringStore:
    """Items under service ``ds-login`` in the keyring package's chosen backend."""

    def __init__(self) -> None:
        self._backend = keyring.get_keyring()
        log.debug("keyring backend: %s", self.describe())

    def describe(self) -> str:
        backend = type(self._backend)
        return f"OS keyring ({backend.__module__}.{backend.__name__})"

    def get(self, item: str) -> str | None:
        with _translated_errors(item, "read"):
            return self._backend.get_password(SERVICE, item)

    def set(self, item: str, value: str) -> None:
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
        raise KeyringError(f"no OS keyring is available to {action} {item!r}; {_NO_KEYRING_FIX}") from error
    except keyring.errors.KeyringLocked as error:
        raise KeyringError(
            f"the OS keyring is locked, so ds-login cannot {action} {item!r}; "
            "unlock it (for example by logging in to the desktop, or with your keyring app) and retry"
        ) from error
    except keyring.errors.PasswordDeleteError:
        raise
    except keyring.errors.KeyringError as error:
        raise KeyringError(f"the OS keyring failed to {action} {item!r}: {error}") from error
