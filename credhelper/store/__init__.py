"""Where secrets live: the OS keyring, or a store the user chose explicitly.

Every backend keeps text values under item names; ``items`` builds the names
ds-login uses, so that a person can find them with the platform's own tool
(``secret-tool search service ds-login``, Keychain Access, ``cmdkey``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from credhelper import paths
from credhelper.errors import InvalidInputError

SERVICE = "ds-login"
STORE_VARIABLE = "DS_LOGIN_STORE"
STORE_CHOICES = ("keyring", "plaintext-file")


class SecretStore(Protocol):
    """A place that keeps text values under item names."""

    def describe(self) -> str:
        """Name the backend for messages, e.g. ``OS keyring (SecretService)``."""

    def get(self, item: str) -> str | None:
        """Return the value, or None when the item does not exist."""

    def set(self, item: str, value: str) -> None: ...

    def delete(self, item: str) -> bool:
        """Remove the item; return whether it existed."""


def base_keys_item(profile: str) -> str:
    return f"{profile}:base-keys"


def session_item(profile: str) -> str:
    return f"{profile}:session"


def open_store(env: Mapping[str, str]) -> SecretStore:
    """Open the backend named by DS_LOGIN_STORE (default: the OS keyring)."""
    choice = env.get(STORE_VARIABLE) or "keyring"
    if choice == "keyring":
        from credhelper.store.keyring_store import KeyringStore

        return KeyringStore()
    if choice == "plaintext-file":
        from credhelper.store.plaintext_file import PlaintextFileStore

        return PlaintextFileStore(paths.state_dir(env) / "plaintext-store.json")
    raise InvalidInputError(
        f"invalid {STORE_VARIABLE} value {choice!r}; expected one of: {', '.join(STORE_CHOICES)}"
    )
