"""Secret stores: the OS keyring, or a fallback that works on headless Linux.

Every backend keeps text values under item names. The item names are built
here so that a person can find them with the platform's own tool
(``secret-tool search --all service ds-login``, Keychain Access, ``cmdkey``,
``keyctl show @u``). ``choice`` picks the backend for each purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

SERVICE = "ds-login"

# Backend names, as accepted by DS_LOGIN_STORE and the settings file.
KEYRING = "keyring"
KEYCTL = "keyctl"
ENCRYPTED_FILE = "encrypted-file"
PLAINTEXT_FILE = "plaintext-file"
BACKENDS = (KEYRING, KEYCTL, ENCRYPTED_FILE, PLAINTEXT_FILE)


class SecretStore(Protocol):
    """A place that keeps text values under item names."""

    name: str

    def describe(self) -> str:
        """Name the backend for messages, e.g. ``OS keyring (SecretService)``."""

    def get(self, item: str) -> str | None:
        """Return the value, or None when the item does not exist."""

    def set(self, item: str, value: str, expires: dt.datetime | None = None) -> None:
        """Store ``value``; a backend that can expire items drops it at ``expires``."""

    def delete(self, item: str) -> bool:
        """Remove the item; return whether it existed."""


def base_keys_item(profile: str) -> str:
    return f"{profile}:base-keys"


def session_item(profile: str) -> str:
    return f"{profile}:session"
