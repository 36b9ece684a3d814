"""``ds-login serve``: reachable only from this machine, and only with its token.

The server is the real ``ds-login serve`` process, serving fake cached
credentials, so no STS call is involved. Connections go only to this
machine's own addresses.
"""

from __future__ import annotations

import inspect
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from credhelper import server as server_module
from tests.integration.conftest import Cli
from tests.security.helpers import FAKE_SESSION, Served, cache_fake_session, http_get, own_ipv4_addresses, running_server

pytestmark = pytest.mark.integration

# TCP_LISTEN as /proc/net/tcp writes it.
LISTEN_STATE = "0A"


@pytest.fixture
def served(offline_cli: Cli) -> Iterator[Served]:
    offline_cli.setup()
    cache_fake_session(offline_cli.env)
    with running_server(offline_cli, "--debug") as running:
        yield running


def _listening_addresses(port: int) -> list[str]:
    """Return the local addresses (hex, as in /proc/net/tcp and tcp6) of sockets listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == LISTEN_STATE:
                found.append(address)
    return found


def test_serve_listens_on_loopback_only(served: Served) -> None:
    host, port_text = served.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    port = int(port_text)

    assert host == "127.0.0.1"
    assert _listening_addresses(port) == ["0100007F"]
    for address in own_ipv4_addresses():
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=5).close()
    with pytest.raises(OSError):
        socket.create_connection(("::1", port), timeout=5).close()


def test_serve_requires_exact_token(served: Served) -> None:
    token = served.token
    assert http_get(served.url, {"Authorization": token}).status == 200

    rejected = {
        "no header": {},
        "empty token": {"Authorization": ""},
        "wrong token": {"Authorization": "x" * len(token)},
        "other case": {"Authorization": token.swapcase()},
        "prefix": {"Authorization": token[:-1]},
        "first half": {"Authorization": token[: len(token) // 2]},
        "longer": {"Authorization": token + "x"},
        "bearer scheme": {"Authorization": f"Bearer {token}"},
        "surrounding space": {"Authorization": f" {token} "},
        "other header": {"X-Authorization": token},
    }
    for case, headers in rejected.items():
        response = http_get(served.url, headers)
        assert response.status == 401, case
        assert FAKE_SESSION.secret_access_key.encode() not in response.body, case
        assert token.encode() not in response.body, case
    query = http_get(f"{served.url}?token={token}")
    assert query.status == 401


def test_serve_logs_no_token(offline_cli: Cli) -> None:
    offline_cli.setup()
    cache_fake_session(offline_cli.env)
    with running_server(offline_cli, "--debug") as running:
        assert http_get(running.url, {"Authorization": running.token}).status == 200
        assert http_get(running.url, {"Authorization": running.token[:-1]}).status == 401

    assert "rejected a credential request" in running.stderr
    assert running.token not in running.stderr
    assert running.token[:-1] not in running.stderr
    assert FAKE_SESSION.secret_access_key not in running.stdout + running.later_stdout + running.stderr
    assert FAKE_SESSION.session_token not in running.stdout + running.later_stdout + running.stderr


def test_token_compared_in_constant_time() -> None:
    # A static check: timing differences of a few nanoseconds cannot be measured reliably in a test.
    source = inspect.getsource(server_module._Handler.do_GET)
    assert "hmac.compare_digest(" in source
    assert "== self.server.token" not in source
    assert "self.server.token ==" not in source


def test_token_random_per_server() -> None:
    servers = [server_module.CredentialServer(lambda: FAKE_SESSION) for _ in range(2)]
    try:
        tokens = [running.token for running in servers]
    finally:
        for running in servers:
            running.server_close()

    assert tokens[0] != tokens[1]
    assert min(len(token) for token in tokens) >= 43
