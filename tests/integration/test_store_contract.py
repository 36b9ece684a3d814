"""The secret-store contract that every backend must pass, run against real backends.

The size-limited backend is an in-memory store that takes at most 100
characters per value, behind ChunkedStore, as Windows Credential Manager
would be. The others are the plaintext and encrypted files, the Linux kernel
keyring through real system calls, and the keyring package against a private
gnome-keyring Secret Service on its own D-Bus bus. Each test uses a fresh item
name, so tests sharing the kernel keyring or the Secret Service do not see
each other's items.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from credhelper import localkeyring
from credhelper.credentials import TemporaryCredentials
from credhelper.errors import KeyringError
from credhelper.store import SERVICE, SecretStore
from credhelper.store import keyctl as keyctl_module
from credhelper.store.chunks import ChunkedStore
from credhelper.store.encrypted_file import EncryptedFileStore
from credhelper.store.keyring_store import KeyringStore
from credhelper.store.plaintext_file import PlaintextFileStore
from tests.integration.conftest import IN_CI

pytestmark = pytest.mark.integration

CHUNK_LIMIT = 100
PASSPHRASE = "fake-passphrase-for-tests"
LOCKED_CLIENT_TIMEOUT_SECONDS = 20

SESSION_JSON = TemporaryCredentials(
    access_key_id="ASIAFAKEFAKEFAKE0001",
    secret_access_key="fakeSessionSecretForTestsOnly000000000001",
    # A 2.8 KB token makes the JSON about 3 KB, an estimate for a session with session tags.
    session_token="FAKE" + "".join(f"FakeSessionTokenPart{number:04d}/" for number in range(112)),
    expiration=dt.datetime(2026, 1, 15, 13, 0, tzinfo=dt.timezone.utc),
    assumed_role_arn="arn:aws:sts::123456789012:assumed-role/developer/jdoe",
    role_arn="arn:aws:iam::123456789012:role/developer",
).to_json()
# Numbered fields make every 100-character chunk unique, so chunks
# reassembled in the wrong order cannot produce the same text.
LARGE_VALUE = "".join(f"fake{number:05d}," for number in range(2000))
UNICODE_VALUE = "fake-pässwörd-ключ-鍵-🔑-" * 12

BACKEND_IDS = ["chunked-memory", "plaintext-file", "encrypted-file", "keyctl", "secret-service"]
NON_EXPIRING_IDS = ["chunked-memory", "plaintext-file", "encrypted-file", "secret-service"]
FILE_BACKEND_IDS = ["plaintext-file", "encrypted-file"]


class LimitedMemoryStore:
    """An in-memory store that raises ValueError on values longer than ``max_length`` characters."""

    name = "limited-memory"

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length
        self.items: dict[str, str] = {}

    def describe(self) -> str:
        return f"in-memory store, at most {self.max_length} characters per value"

    def get(self, item: str) -> str | None:
        return self.items.get(item)

    def set(self, item: str, value: str, expires: dt.datetime | None = None) -> None:
        if len(value) > self.max_length:
            raise ValueError(
                f"value for {item!r} has {len(value)} characters, more than the maximum of {self.max_length}"
            )
        self.items[item] = value

    def delete(self, item: str) -> bool:
        return self.items.pop(item, None) is not None


@dataclass
class Backend:
    """A store under test, the item name reserved for this test, and the store's file if it has one."""

    store: SecretStore
    item: str
    path: Path | None = None


def _unique_item() -> str:
    return f"contract-{uuid.uuid4().hex[:12]}:session"


def _skip_or_fail(message: str) -> None:
    """Skip with ``message``, but fail when CI=true, because CI installs what these cases need."""
    if IN_CI:
        pytest.fail(f"{message}; CI=true, so this case must run")
    pytest.skip(message)


def _soon(seconds: float) -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)


@pytest.fixture
def chunked_memory_backend() -> Backend:
    return Backend(ChunkedStore(LimitedMemoryStore(CHUNK_LIMIT), CHUNK_LIMIT), _unique_item())


@pytest.fixture
def plaintext_file_backend(tmp_path: Path) -> Backend:
    path = tmp_path / "plaintext-store.json"
    return Backend(PlaintextFileStore(path), _unique_item(), path=path)


@pytest.fixture
def encrypted_file_backend(tmp_path: Path) -> Backend:
    path = tmp_path / "encrypted-store.json"
    return Backend(EncryptedFileStore(path, lambda _new: PASSPHRASE), _unique_item(), path=path)


@pytest.fixture
def keyctl_backend() -> Iterator[Backend]:
    problem = keyctl_module.unusable_reason()
    if problem is not None:
        _skip_or_fail(f"kernel keyring not usable: {problem}")
    backend = Backend(keyctl_module.KeyctlStore(), _unique_item())
    yield backend
    backend.store.delete(backend.item)


@pytest.fixture
def secret_service_backend(secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    import keyring.backends.SecretService

    # secretstorage reads DBUS_SESSION_BUS_ADDRESS on every call, so the
    # variables stay set for the whole test. keyring.get_keyring() keeps the
    # first backend it picked for the whole process, so the test names its backend.
    for name, value in secret_service.items():
        monkeypatch.setenv(name, value)
    backend = Backend(KeyringStore(keyring.backends.SecretService.Keyring()), _unique_item())
    yield backend
    backend.store.delete(backend.item)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Backend:
    """The backend fixture named by the test's indirect parameter, e.g. ``keyctl`` -> ``keyctl_backend``."""
    name = request.param.replace("-", "_") + "_backend"
    return request.getfixturevalue(name)


every_backend = pytest.mark.parametrize("backend", BACKEND_IDS, indirect=True)


@every_backend
def test_set_then_get_returns_value(backend: Backend) -> None:
    backend.store.set(backend.item, "fake-value-1")

    assert backend.store.get(backend.item) == "fake-value-1"


@every_backend
def test_set_overwrites_previous_value(backend: Backend) -> None:
    backend.store.set(backend.item, "fake-value-1")
    backend.store.set(backend.item, "fake-value-2")

    assert backend.store.get(backend.item) == "fake-value-2"


@every_backend
def test_delete_reports_whether_item_existed(backend: Backend) -> None:
    backend.store.set(backend.item, "fake-value-1")

    assert backend.store.delete(backend.item) is True
    assert backend.store.get(backend.item) is None
    assert backend.store.delete(backend.item) is False


@every_backend
def test_missing_item_returns_none(backend: Backend) -> None:
    assert backend.store.get(backend.item) is None


@every_backend
@pytest.mark.parametrize("value", [SESSION_JSON, LARGE_VALUE], ids=["session-json-3kb", "value-20kb"])
def test_large_value_round_trips(backend: Backend, value: str) -> None:
    backend.store.set(backend.item, value)

    assert backend.store.get(backend.item) == value


@every_backend
def test_large_value_shrinks_on_overwrite(backend: Backend) -> None:
    backend.store.set(backend.item, LARGE_VALUE)
    backend.store.set(backend.item, "fake-short-value")

    assert backend.store.get(backend.item) == "fake-short-value"


@every_backend
def test_unicode_value_round_trips(backend: Backend) -> None:
    backend.store.set(backend.item, UNICODE_VALUE)

    assert backend.store.get(backend.item) == UNICODE_VALUE


@pytest.mark.parametrize("backend", NON_EXPIRING_IDS, indirect=True)
def test_past_expiry_is_ignored(backend: Backend) -> None:
    backend.store.set(backend.item, "fake-value-1", expires=_soon(-3600))

    assert backend.store.get(backend.item) == "fake-value-1"


def test_keyctl_item_gone_after_expiry(keyctl_backend: Backend) -> None:
    store, item = keyctl_backend.store, keyctl_backend.item
    store.set(item, "fake-value-1", expires=_soon(2))
    assert store.get(item) == "fake-value-1"

    time.sleep(3)
    assert store.get(item) is None

    store.set(item, "fake-value-2")
    assert store.get(item) == "fake-value-2"


def test_keyctl_rejects_oversized_value(keyctl_backend: Backend) -> None:
    oversized = "f" * (keyctl_module.MAX_PAYLOAD_BYTES + 1)

    with pytest.raises(KeyringError) as raised:
        keyctl_backend.store.set(keyctl_backend.item, oversized)

    assert str(keyctl_module.MAX_PAYLOAD_BYTES) in str(raised.value)


def _kernel_key_listing() -> str:
    """List the user keyring with ``keyctl show @u``, or read /proc/keys when keyutils is not installed.

    /proc/keys also lists keys outside @u and keeps an unlinked key until the
    kernel's garbage collector runs, so it only proves that a key exists.
    """
    if shutil.which("keyctl") is not None:
        completed = subprocess.run(["keyctl", "show", "@u"], capture_output=True, text=True, timeout=10, check=True)
        return completed.stdout
    return Path("/proc/keys").read_text(encoding="utf-8")


def test_keyctl_item_listed_under_service(keyctl_backend: Backend) -> None:
    keyctl_backend.store.set(keyctl_backend.item, "fake-value-1")

    assert f"{SERVICE}:{keyctl_backend.item}" in _kernel_key_listing()


def _secret_tool_search(env: dict[str, str]) -> str:
    """Run ``secret-tool search --all service ds-login`` and return stdout and stderr together.

    secret-tool 0.20.5 prints the attribute lines to stderr and the label and secret to stdout.
    """
    if shutil.which("secret-tool") is None:
        _skip_or_fail("secret-tool not installed (Debian: libsecret-tools)")
    completed = subprocess.run(
        ["secret-tool", "search", "--all", "service", SERVICE],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return completed.stdout + completed.stderr


def test_secret_tool_finds_item(secret_service_backend: Backend, secret_service: dict[str, str]) -> None:
    secret_service_backend.store.set(secret_service_backend.item, "fake-value-1")

    listing = _secret_tool_search(secret_service)

    assert f"attribute.username = {secret_service_backend.item}" in listing
    assert f"attribute.service = {SERVICE}" in listing


def test_secret_tool_omits_deleted_item(secret_service_backend: Backend, secret_service: dict[str, str]) -> None:
    secret_service_backend.store.set(secret_service_backend.item, "fake-value-1")
    secret_service_backend.store.delete(secret_service_backend.item)

    assert secret_service_backend.item not in _secret_tool_search(secret_service)


def test_chunks_stay_within_limit(chunked_memory_backend: Backend) -> None:
    store = chunked_memory_backend.store
    assert isinstance(store, ChunkedStore)
    inner = store.inner
    assert isinstance(inner, LimitedMemoryStore)

    store.set(chunked_memory_backend.item, LARGE_VALUE)

    assert len(inner.items) > len(LARGE_VALUE) // CHUNK_LIMIT
    assert max(len(piece) for piece in inner.items.values()) <= CHUNK_LIMIT


def test_short_overwrite_drops_old_chunks(chunked_memory_backend: Backend) -> None:
    store = chunked_memory_backend.store
    assert isinstance(store, ChunkedStore)
    inner = store.inner
    assert isinstance(inner, LimitedMemoryStore)

    store.set(chunked_memory_backend.item, LARGE_VALUE)
    store.set(chunked_memory_backend.item, "fake-short-value")

    assert inner.items == {chunked_memory_backend.item: "fake-short-value"}


def test_delete_removes_every_chunk(chunked_memory_backend: Backend) -> None:
    store = chunked_memory_backend.store
    assert isinstance(store, ChunkedStore)
    inner = store.inner
    assert isinstance(inner, LimitedMemoryStore)

    store.set(chunked_memory_backend.item, LARGE_VALUE)
    store.delete(chunked_memory_backend.item)

    assert inner.items == {}


def _other_passphrase_store(path: Path) -> EncryptedFileStore:
    return EncryptedFileStore(path, lambda _new: "fake-wrong-passphrase")


def test_wrong_passphrase_get_raises(encrypted_file_backend: Backend) -> None:
    path = encrypted_file_backend.path
    assert path is not None
    encrypted_file_backend.store.set(encrypted_file_backend.item, "fake-value-1")

    with pytest.raises(KeyringError) as raised:
        _other_passphrase_store(path).get(encrypted_file_backend.item)

    assert "wrong passphrase" in str(raised.value)


def test_wrong_passphrase_set_keeps_file(encrypted_file_backend: Backend) -> None:
    path = encrypted_file_backend.path
    assert path is not None
    encrypted_file_backend.store.set(encrypted_file_backend.item, "fake-value-1")
    before = path.read_bytes()

    with pytest.raises(KeyringError) as raised:
        _other_passphrase_store(path).set("contract-other:session", "fake-value-2")

    assert "wrong passphrase" in str(raised.value)
    assert path.read_bytes() == before
    assert encrypted_file_backend.store.get(encrypted_file_backend.item) == "fake-value-1"


@pytest.mark.parametrize("backend", FILE_BACKEND_IDS, indirect=True)
def test_readable_file_get_raises(backend: Backend) -> None:
    assert backend.path is not None
    backend.store.set(backend.item, "fake-value-1")
    backend.path.chmod(0o644)

    with pytest.raises(KeyringError) as raised:
        backend.store.get(backend.item)

    assert f"chmod 600 {backend.path}" in str(raised.value)


@pytest.mark.parametrize("backend", FILE_BACKEND_IDS, indirect=True)
def test_readable_file_set_keeps_file(backend: Backend) -> None:
    assert backend.path is not None
    backend.store.set(backend.item, "fake-value-1")
    backend.path.chmod(0o644)
    before = backend.path.read_bytes()

    with pytest.raises(KeyringError) as raised:
        backend.store.set(backend.item, "fake-value-2")

    assert "chmod 600" in str(raised.value)
    assert backend.path.read_bytes() == before
    assert backend.path.stat().st_mode & 0o777 == 0o644


@dataclass
class LockedService:
    """A private Secret Service whose default collection is locked, and the item stored before locking."""

    env: dict[str, str]
    item: str


_SECRETS = "org.freedesktop.secrets"
_SECRETS_PATH = "/org/freedesktop/secrets"


def _lock_default_collection(bus_address: str) -> bool:
    """Lock the default collection with org.freedesktop.Secret.Service.Lock and return its Locked property."""
    from jeepney import DBusAddress, Properties, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import unwrap_msg

    service = DBusAddress(_SECRETS_PATH, bus_name=_SECRETS, interface="org.freedesktop.Secret.Service")
    with open_dbus_connection(bus=bus_address) as connection:
        (collection_path,) = unwrap_msg(
            connection.send_and_get_reply(new_method_call(service, "ReadAlias", "s", ("default",)), timeout=5)
        )
        lock = new_method_call(service, "Lock", "ao", ([collection_path],))
        unwrap_msg(connection.send_and_get_reply(lock, timeout=5))
        collection = DBusAddress(collection_path, bus_name=_SECRETS, interface="org.freedesktop.Secret.Collection")
        (locked,) = unwrap_msg(connection.send_and_get_reply(Properties(collection).get("Locked"), timeout=5))
    return bool(locked[1])


@pytest.fixture(scope="module")
def locked_secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LockedService]:
    """A Secret Service of its own, so that locking it leaves the shared one unlocked for other tests."""
    import keyring.backends.SecretService

    missing = localkeyring.missing_programs()
    if missing:
        _skip_or_fail(f"Secret Service programs not installed: {', '.join(missing)} (Debian: dbus, gnome-keyring)")
    service = localkeyring.PrivateSecretService(tmp_path_factory.mktemp("locked-secret-service"))
    item = _unique_item()
    try:
        with pytest.MonkeyPatch.context() as patch:
            # gnome-keyring requests the password from gcr-prompter, started by
            # D-Bus activation. Without a display the prompter exits, so the unlock
            # is dismissed. With one, a prompt could wait for a person.
            patch.delenv("DISPLAY", raising=False)
            patch.delenv("WAYLAND_DISPLAY", raising=False)
            env = service.start()
            for name, value in env.items():
                patch.setenv(name, value)
            KeyringStore(keyring.backends.SecretService.Keyring()).set(item, "fake-value-before-lock")

        if not _lock_default_collection(env["DBUS_SESSION_BUS_ADDRESS"]):
            pytest.fail("org.freedesktop.Secret.Service.Lock left the default collection unlocked")
        yield LockedService(env, item)
    finally:
        service.stop()


_LOCKED_CLIENT = """
import sys

import keyring.backends.SecretService

from credhelper.errors import KeyringError
from credhelper.store.keyring_store import KeyringStore

store = KeyringStore(keyring.backends.SecretService.Keyring())
operation, item = sys.argv[1], sys.argv[2]
try:
    if operation == "get":
        store.get(item)
    elif operation == "set":
        store.set(item, "fake-value-while-locked")
    else:
        store.delete(item)
except KeyringError as error:
    print(error)
    sys.exit(0)
print("no KeyringError was raised")
sys.exit(1)
"""


def _run_locked_client(locked: LockedService, operation: str) -> subprocess.CompletedProcess[str]:
    """Run one KeyringStore operation in a child process against the locked Secret Service."""
    env = {name: value for name, value in os.environ.items() if name not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(locked.env)
    started = time.monotonic()
    try:
        return subprocess.run(
            [sys.executable, "-c", _LOCKED_CLIENT, operation, locked.item],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=LOCKED_CLIENT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        elapsed = time.monotonic() - started
        pytest.fail(
            f"KeyringStore.{operation} on a locked Secret Service did not return within {elapsed:.0f} s; "
            "the keyring package is probably waiting for an unlock prompt"
        )


@pytest.mark.parametrize("operation", ["get", "set", "delete"])
def test_locked_keyring_raises_locked_error(locked_secret_service: LockedService, operation: str) -> None:
    completed = _run_locked_client(locked_secret_service, operation)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "locked" in completed.stdout
    assert "not found" not in completed.stdout
    assert "missing" not in completed.stdout


def test_locked_keyring_keeps_item(locked_secret_service: LockedService) -> None:
    _run_locked_client(locked_secret_service, "delete")

    listing = _secret_tool_search(locked_secret_service.env)

    assert f"attribute.username = {locked_secret_service.item}" in listing


def test_encrypted_file_recreated_readable(tmp_path):
    from credhelper.store.encrypted_file import EncryptedFileStore

    path = tmp_path / "encrypted-store.json"
    first = EncryptedFileStore(path, lambda _new: "fake-passphrase")
    first.set("item", "x")
    path.unlink()
    first.set("item", "y")

    assert EncryptedFileStore(path, lambda _new: "fake-passphrase").get("item") == "y"
