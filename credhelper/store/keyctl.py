"""The Linux kernel key retention service, for temporary credentials on headless machines.

Items are ``user`` keys named ``ds-login:<item>`` in the user keyring (``@u``),
which every process of the same uid can reach until the machine restarts.
Each key gets a timeout at the credentials' expiry, so the kernel removes it by
itself. ``keyctl show @u`` lists them. The calls go straight to the
``add_key`` and ``keyctl`` system calls through ctypes, so neither the keyutils
library nor the ``keyctl`` program is needed.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import math
import os
import platform
import sys

from credhelper.errors import KeyringError
from credhelper.store import KEYCTL, SERVICE

# System call numbers from the kernel's syscall tables.
_SYSCALLS = {
    "x86_64": {"add_key": 248, "keyctl": 250},
    "aarch64": {"add_key": 217, "keyctl": 219},
    "arm64": {"add_key": 217, "keyctl": 219},
}
KEY_SPEC_USER_KEYRING = -4
KEYCTL_GET_KEYRING_ID = 0
KEYCTL_SETPERM = 5
KEYCTL_UNLINK = 9
KEYCTL_SEARCH = 10
KEYCTL_READ = 11
KEYCTL_SET_TIMEOUT = 15
# Possessor and user (same uid): view, read, write, search, link, setattr.
# Group and others: nothing. Without the user bits, a process that does not
# possess the user keyring (cron, another SSH session) could not read the key.
_PERMISSIONS = 0x3F3F0000
# The kernel limits a "user" key's payload to 32767 bytes.
MAX_PAYLOAD_BYTES = 32767


class _Kernel:
    def __init__(self) -> None:
        numbers = _SYSCALLS.get(platform.machine())
        if not sys.platform.startswith("linux") or numbers is None:
            raise OSError(errno.ENOSYS, f"keyctl system calls are not mapped for {sys.platform} {platform.machine()}")
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._libc.syscall.restype = ctypes.c_long
        self._add_key = numbers["add_key"]
        self._keyctl = numbers["keyctl"]

    def _check(self, result: int) -> int:
        if result < 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
        return result

    def add_key(self, description: str, payload: bytes) -> int:
        return self._check(
            self._libc.syscall(
                self._add_key,
                b"user",
                description.encode("utf-8"),
                payload,
                ctypes.c_size_t(len(payload)),
                ctypes.c_int(KEY_SPEC_USER_KEYRING),
            )
        )

    def keyctl(self, operation: int, *arguments: object) -> int:
        return self._check(self._libc.syscall(self._keyctl, ctypes.c_int(operation), *arguments))

    def search(self, description: str) -> int | None:
        try:
            return self.keyctl(
                KEYCTL_SEARCH, ctypes.c_int(KEY_SPEC_USER_KEYRING), b"user", description.encode("utf-8"), ctypes.c_int(0)
            )
        except OSError as error:
            if error.errno in (errno.ENOKEY, errno.EKEYEXPIRED, errno.EKEYREVOKED):
                return None
            raise

    def read(self, serial: int) -> bytes:
        size = self.keyctl(KEYCTL_READ, ctypes.c_int(serial), None, ctypes.c_size_t(0))
        buffer = ctypes.create_string_buffer(size)
        length = self.keyctl(KEYCTL_READ, ctypes.c_int(serial), buffer, ctypes.c_size_t(size))
        return buffer.raw[: min(length, size)]


def unusable_reason() -> str | None:
    """Return why the kernel keyring cannot be used here, or None when it can."""
    try:
        _Kernel().keyctl(KEYCTL_GET_KEYRING_ID, ctypes.c_int(KEY_SPEC_USER_KEYRING), ctypes.c_int(1))
    except OSError as error:
        return f"the kernel keyring is not available ({error.strerror}; containers often block it)"
    return None


class KeyctlStore:
    """``user`` keys in the kernel's user keyring, each with a timeout."""

    name = KEYCTL

    def __init__(self) -> None:
        try:
            self._kernel = _Kernel()
        except OSError as error:
            raise KeyringError(f"cannot use the kernel keyring: {error.strerror}") from error

    def describe(self) -> str:
        return "Linux kernel keyring (keyctl, user keyring @u)"

    @staticmethod
    def _description(item: str) -> str:
        return f"{SERVICE}:{item}"

    def get(self, item: str) -> str | None:
        try:
            serial = self._kernel.search(self._description(item))
            if serial is None:
                return None
            return self._kernel.read(serial).decode("utf-8")
        except OSError as error:
            raise KeyringError(f"the kernel keyring failed to read {item!r}: {error.strerror}") from error

    def set(self, item: str, value: str, expires: dt.datetime | None = None) -> None:
        payload = value.encode("utf-8")
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise KeyringError(f"value for {item!r} is {len(payload)} bytes; the kernel keyring takes {MAX_PAYLOAD_BYTES}")
        try:
            serial = self._kernel.add_key(self._description(item), payload)
            self._kernel.keyctl(KEYCTL_SETPERM, ctypes.c_int(serial), ctypes.c_uint(_PERMISSIONS))
            if expires is not None:
                seconds = math.ceil((expires - dt.datetime.now(dt.timezone.utc)).total_seconds())
                self._kernel.keyctl(KEYCTL_SET_TIMEOUT, ctypes.c_int(serial), ctypes.c_uint(max(seconds, 1)))
        except OSError as error:
            raise KeyringError(f"the kernel keyring failed to store {item!r}: {error.strerror}") from error

    def delete(self, item: str) -> bool:
        try:
            serial = self._kernel.search(self._description(item))
            if serial is None:
                return False
            self._kernel.keyctl(KEYCTL_UNLINK, ctypes.c_int(serial), ctypes.c_int(KEY_SPEC_USER_KEYRING))
        except OSError as error:
            raise KeyringError(f"the kernel keyring failed to delete {item!r}: {error.strerror}") from error
        return True
