"""Choosing a secret store for each purpose, and opening it.

Two purposes: ``keys`` (the long-lived IAM user key) and ``session`` (the
temporary credentials). The order of precedence is: DS_LOGIN_SESSION_STORE
(session only), DS_LOGIN_STORE, the profile's recorded choice in the settings
file, then an automatic choice:

1. the OS keyring, when the keyring package finds a backend that keeps
   secrets encrypted (Secret Service, macOS Keychain, Windows Credential Manager);
2. on Linux without one: the kernel keyring for the session, and a
   passphrase-encrypted file for the key.

A plaintext store is never chosen automatically.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from credhelper import paths
from credhelper.errors import InvalidInputError, KeyringError
from credhelper.store import BACKENDS, ENCRYPTED_FILE, KEYCTL, KEYRING, PLAINTEXT_FILE, SecretStore

log = logging.getLogger(__name__)

KEYS = "keys"
SESSION = "session"
STORE_VARIABLE = "DS_LOGIN_STORE"
SESSION_STORE_VARIABLE = "DS_LOGIN_SESSION_STORE"


@dataclass(frozen=True)
class Choice:
    backend: str
    reason: str


def check_backend_name(value: str, source: str) -> str:
    if value not in BACKENDS:
        raise InvalidInputError(f"invalid store {value!r} in {source}; expected one of: {', '.join(BACKENDS)}")
    return value


def choose(env: Mapping[str, str], purpose: str, recorded: str | None = None) -> Choice:
    """Pick the backend for ``purpose`` with the reason; raise KeyringError when none can run."""
    variables = (SESSION_STORE_VARIABLE, STORE_VARIABLE) if purpose == SESSION else (STORE_VARIABLE,)
    for variable in variables:
        if env.get(variable):
            return Choice(check_backend_name(env[variable], variable), f"set by {variable}")
    if recorded:
        return Choice(check_backend_name(recorded, "the settings file"), "recorded for this profile by ds-login setup")
    return _automatic(purpose)


def _automatic(purpose: str) -> Choice:
    import keyring

    from credhelper.store import keyring_store

    backend = keyring.get_keyring()
    keyring_problem = keyring_store.unusable_reason(backend)
    if keyring_problem is None:
        return Choice(KEYRING, f"the keyring package chose {type(backend).__module__}")
    if sys.platform.startswith("linux"):
        if purpose == SESSION:
            from credhelper.store import keyctl

            keyctl_problem = keyctl.unusable_reason()
            if keyctl_problem is None:
                return Choice(KEYCTL, f"{keyring_problem}, and the kernel keyring is available")
            keyring_problem = f"{keyring_problem}; {keyctl_problem}"
        else:
            return Choice(ENCRYPTED_FILE, f"{keyring_problem}, so the key goes to a passphrase-encrypted file")
    raise KeyringError(f"no secret store can run here: {keyring_problem}; {keyring_store.NO_KEYRING_FIX}")


def open_backend(
    backend: str, env: Mapping[str, str], passphrase_prompt: Callable[[str], str] | None = None
) -> SecretStore:
    """Open one backend by name, wrapped for its value-size limit where it has one."""
    if backend == KEYRING:
        from credhelper.store.chunks import ChunkedStore
        from credhelper.store.keyring_store import KeyringStore

        store = KeyringStore()
        limit = store.max_length()
        return ChunkedStore(store, limit) if limit else store
    if backend == KEYCTL:
        from credhelper.store.keyctl import KeyctlStore

        return KeyctlStore()
    if backend == ENCRYPTED_FILE:
        from credhelper.store.encrypted_file import EncryptedFileStore, passphrase_source

        return EncryptedFileStore(
            paths.state_dir(env) / "encrypted-store.json", passphrase_source(dict(env), passphrase_prompt)
        )
    if backend == PLAINTEXT_FILE:
        from credhelper.store.plaintext_file import PlaintextFileStore

        return PlaintextFileStore(paths.state_dir(env) / "plaintext-store.json")
    raise InvalidInputError(f"invalid store {backend!r}; expected one of: {', '.join(BACKENDS)}")


def open_store(
    env: Mapping[str, str],
    purpose: str,
    recorded: str | None = None,
    passphrase_prompt: Callable[[str], str] | None = None,
) -> SecretStore:
    choice = choose(env, purpose, recorded)
    log.info("%s store: %s (%s)", purpose, choice.backend, choice.reason)
    return open_backend(choice.backend, env, passphrase_prompt)
