"""ds-login must reject a plain-http endpoint unless its host is a loopback address.

ds-login signs AssumeRole with the user's long-lived key, and the response
carries the session secrets, so STS must not be reached over plain http on a
network. ``credhelper.validation.endpoint_url`` implements that rule, but
only team files use it: an endpoint from AWS_ENDPOINT_URL,
AWS_ENDPOINT_URL_STS or a profile's endpoint_url is used as given. The
listener below plays a remote STS on one of this machine's own
non-loopback addresses, so no request leaves the machine.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.integration.conftest import Cli
from tests.security.helpers import PROFILE, own_ipv4_addresses

pytestmark = pytest.mark.integration


@dataclass
class Listener:
    """A TCP listener that counts the connections it accepts."""

    url: str
    connections: list[str] = field(default_factory=list)


@pytest.fixture
def listener() -> Iterator[Listener]:
    addresses = own_ipv4_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address to stand in for a remote STS")
    server = socket.create_server((addresses[0], 0))
    server.settimeout(0.2)
    host, port = server.getsockname()
    result = Listener(f"http://{host}:{port}")
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except TimeoutError:
                continue
            result.connections.append(peer[0])
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield result
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("source", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "profile endpoint_url"])
def test_plain_http_remote_endpoint_rejected(offline_cli: Cli, listener: Listener, source: str) -> None:
    cli = offline_cli
    cli.setup()
    fast_failure = {"AWS_MAX_ATTEMPTS": "1", "DS_LOGIN_STS_TIMEOUT": "2"}
    if source == "profile endpoint_url":
        config = cli.home / ".aws" / "config"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace(f"[profile {PROFILE}]\n", f"[profile {PROFILE}]\nendpoint_url = {listener.url}\n"))
        completed = cli.ds_login("login", extra=fast_failure, drop=("AWS_ENDPOINT_URL",))
    else:
        completed = cli.ds_login("login", extra={source: listener.url, **fast_failure})

    assert completed.returncode == 2
    assert listener.url in completed.stderr
    assert "https" in completed.stderr
    assert listener.connections == []
