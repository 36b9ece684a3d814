"""An unencrypted JSON file readable only by its owner.

Never chosen automatically: only when DS_LOGIN_STORE=plaintext-file is set,
as the demo does inside its throw-away home folder.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from credhelper.atomic import write_atomic
from credhelper.errors import KeyringError
from credhelper.store import PLAINTEXT_FILE
from credhelper.store.filecheck import check_private


class PlaintextFileStore:
    """Items kept as one JSON object in a 0600 file."""

    name = PLAINTEXT_FILE

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return f"plaintext file {self.path} (chosen with DS_LOGIN_STORE)"

    def _load(self) -> dict[str, str]:
        if not check_private(self.path):
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise KeyringError(f"cannot read {self.path}: {error}; delete it and run ds-login setup again") from error
        if not isinstance(data, dict):
            raise KeyringError(f"{self.path} does not contain a JSON object; delete it and run ds-login setup again")
        return {str(key): str(value) for key, value in data.items()}

    def _save(self, data: dict[str, str]) -> None:
        write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))

    def get(self, item: str) -> str | None:
        return self._load().get(item)

    def set(self, item: str, value: str, expires: dt.datetime | None = None) -> None:
        data = self._load()
        data[item] = value
        self._save(data)

    def delete(self, item: str) -> bool:
        data = self._load()
        if item not in data:
            return False
        del data[item]
        self._save(data)
        return True
