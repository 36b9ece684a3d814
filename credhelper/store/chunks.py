"""Splitting long values over several items, for backends with a size limit.

Windows Credential Manager keeps at most 2560 bytes per credential, about
1280 characters through the keyring package, and a session token with its
keys can be longer. A long value is stored as numbered parts
(``<item>#1``, ``<item>#2``, ...) and a header item that names their count
and a checksum, so a reader that meets parts from two different writes gets
a missing item instead of a wrong value.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from credhelper.store import SecretStore

HEADER_PREFIX = "ds-login-chunks:"


def _part(item: str, number: int) -> str:
    return f"{item}#{number}"


def _checksum(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


class ChunkedStore:
    """Wraps a store whose values may hold at most ``max_length`` characters."""

    def __init__(self, inner: SecretStore, max_length: int) -> None:
        if max_length < len(HEADER_PREFIX) + 32:
            raise ValueError(f"max_length {max_length} is too small for a chunk header")
        self.inner = inner
        self.max_length = max_length
        self.name = inner.name

    def describe(self) -> str:
        return self.inner.describe()

    def _header(self, item: str) -> tuple[int, str] | None:
        value = self.inner.get(item)
        if value is None or not value.startswith(HEADER_PREFIX):
            return None
        count, _, checksum = value[len(HEADER_PREFIX) :].partition(":")
        return (int(count), checksum) if count.isdigit() else None

    def get(self, item: str) -> str | None:
        value = self.inner.get(item)
        if value is None or not value.startswith(HEADER_PREFIX):
            return value
        header = self._header(item)
        if header is None:
            return None
        count, checksum = header
        parts = [self.inner.get(_part(item, number)) for number in range(1, count + 1)]
        if any(part is None for part in parts):
            return None
        joined = "".join(part for part in parts if part is not None)
        return joined if _checksum(joined) == checksum else None

    def set(self, item: str, value: str, expires: dt.datetime | None = None) -> None:
        previous = self._header(item)
        previous_count = previous[0] if previous else 0
        if len(value) <= self.max_length and not value.startswith(HEADER_PREFIX):
            self.inner.set(item, value, expires)
            count = 0
        else:
            pieces = [value[start : start + self.max_length] for start in range(0, len(value), self.max_length)]
            for number, piece in enumerate(pieces, start=1):
                self.inner.set(_part(item, number), piece, expires)
            count = len(pieces)
            self.inner.set(item, f"{HEADER_PREFIX}{count}:{_checksum(value)}", expires)
        for number in range(count + 1, previous_count + 1):
            self.inner.delete(_part(item, number))

    def delete(self, item: str) -> bool:
        header = self._header(item)
        if header is not None:
            for number in range(1, header[0] + 1):
                self.inner.delete(_part(item, number))
        return self.inner.delete(item)
