"""A passphrase-encrypted file, for the long-lived key on machines with no OS keyring.

Each value is sealed with AES-256-GCM under a key derived from the
passphrase with scrypt. The item name is the associated data, so a value
cannot be moved to another item unnoticed. The passphrase comes from
DS_LOGIN_PASSPHRASE or, when there is a terminal, a hidden prompt.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

from credhelper.atomic import write_atomic
from credhelper.errors import KeyringError
from credhelper.store import ENCRYPTED_FILE
from credhelper.store.filecheck import check_private

PASSPHRASE_VARIABLE = "DS_LOGIN_PASSPHRASE"
# scrypt cost: 2**15 iterations with r=8 take about 0.1 s and 32 MiB, the
# parameters the cryptography documentation suggests for interactive logins.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_FORMAT_VERSION = 1


def _encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


class EncryptedFileStore:
    """Items sealed with AES-GCM in one JSON file of mode 0600."""

    name = ENCRYPTED_FILE

    def __init__(self, path: Path, passphrase: Callable[[bool], str]) -> None:
        self.path = path
        self._passphrase = passphrase
        self._key: bytes | None = None
        self._key_salt: str | None = None  # the salt ``_key`` was derived with

    def describe(self) -> str:
        return f"encrypted file {self.path}"

    def _load(self) -> dict[str, object]:
        if not check_private(self.path):
            return {"version": _FORMAT_VERSION, "salt": _encode(os.urandom(16)), "scrypt": dict(_SCRYPT), "items": {}}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != _FORMAT_VERSION or not isinstance(data.get("items"), dict):
                raise ValueError("unknown format")
            _decode(data["salt"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise KeyringError(f"cannot read {self.path} ({error}); move it away and run ds-login setup again") from error
        return data

    def _derive(self, data: dict[str, object]) -> bytes:
        if self._key is None or self._key_salt != data["salt"]:
            from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

            parameters = data["scrypt"]
            assert isinstance(parameters, dict)
            passphrase = self._passphrase(not self.path.exists())
            if not passphrase:
                raise KeyringError(f"the passphrase for {self.path} is empty; set {PASSPHRASE_VARIABLE} or type one")
            kdf = Scrypt(salt=_decode(str(data["salt"])), length=32, **parameters)
            self._key = kdf.derive(passphrase.encode("utf-8"))
            self._key_salt = str(data["salt"])
        return self._key

    def get(self, item: str) -> str | None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        data = self._load()
        items = data["items"]
        assert isinstance(items, dict)
        sealed = items.get(item)
        if sealed is None:
            return None
        try:
            plain = AESGCM(self._derive(data)).decrypt(_decode(sealed["nonce"]), _decode(sealed["ciphertext"]), item.encode())
        except InvalidTag:
            self._key = None
            raise KeyringError(
                f"wrong passphrase for {self.path} (or the file was changed); check {PASSPHRASE_VARIABLE} and retry"
            ) from None
        except (KeyError, TypeError, ValueError) as error:
            raise KeyringError(f"item {item!r} in {self.path} is damaged; run ds-login setup again") from error
        return plain.decode("utf-8")

    def set(self, item: str, value: str, expires: dt.datetime | None = None) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        data = self._load()
        items = data["items"]
        assert isinstance(items, dict)
        if items:
            # Check the passphrase against an existing item before adding one
            # that a different passphrase would make unreadable.
            self.get(next(iter(items)))
        nonce = os.urandom(12)
        ciphertext = AESGCM(self._derive(data)).encrypt(nonce, value.encode("utf-8"), item.encode())
        items[item] = {"nonce": _encode(nonce), "ciphertext": _encode(ciphertext)}
        write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))

    def delete(self, item: str) -> bool:
        data = self._load()
        items = data["items"]
        assert isinstance(items, dict)
        if item not in items:
            return False
        del items[item]
        write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
        return True


def passphrase_source(
    env: dict[str, str] | None = None, prompt: Callable[[str], str] | None = None
) -> Callable[[bool], str]:
    """Return a function that reads the passphrase from the environment, else the prompt.

    The function takes whether the file is new. A new passphrase typed at the
    prompt is requested twice, because a typo would lock the key away.
    """
    environment = os.environ if env is None else env

    def read(new: bool) -> str:
        value = environment.get(PASSPHRASE_VARIABLE)
        if value:
            return value
        if prompt is None:
            raise KeyringError(
                f"the encrypted store needs its passphrase and there is no terminal to ask on; set {PASSPHRASE_VARIABLE}"
            )
        if not new:
            return prompt("Passphrase for ds-login's encrypted key file: ")
        first = prompt("New passphrase for ds-login's encrypted key file: ")
        if prompt("Repeat the new passphrase: ") != first:
            raise KeyringError("the two passphrases differ; nothing was stored, run the command again")
        return first

    return read
