"""A local credential endpoint in the format of the ECS container credential provider.

Containers and notebook kernels given AWS_CONTAINER_CREDENTIALS_FULL_URI and
AWS_CONTAINER_AUTHORIZATION_TOKEN fetch credentials from it, so they never
see the long-lived key and get fresh credentials whenever theirs near expiry.
botocore accepts plain http for such a URI only on loopback addresses, and
the server listens only on 127.0.0.1.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from credhelper.credentials import TemporaryCredentials, format_rfc3339
from credhelper.errors import CredhelperError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


class _Handler(BaseHTTPRequestHandler):
    server: CredentialServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base class signature
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        supplied = self.headers.get("Authorization", "")
        if not hmac.compare_digest(supplied.encode(), self.server.token.encode()):
            log.warning("rejected a credential request without the right token from %s", self.client_address[0])
            self._send(401, {"Code": "Unauthorized", "Message": "missing or wrong Authorization token"})
            return
        try:
            credentials = self.server.fetch()
        except CredhelperError as error:
            log.error("credential request failed: %s", error)
            self._send(500, {"Code": "CredentialsUnavailable", "Message": str(error)})
            return
        log.info("served credentials that expire at %s", format_rfc3339(credentials.expiration))
        self._send(
            200,
            {
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": credentials.secret_access_key,
                "Token": credentials.session_token,
                "Expiration": format_rfc3339(credentials.expiration),
                "RoleArn": credentials.role_arn,
            },
        )

    def _send(self, status: int, body: dict[str, str]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class CredentialServer(ThreadingHTTPServer):
    """Serves ``fetch()`` on 127.0.0.1 to requests that carry the random token."""

    daemon_threads = True

    def __init__(self, fetch: Callable[[], TemporaryCredentials], port: int = 0) -> None:
        super().__init__((HOST, port), _Handler)
        self.fetch = fetch
        self.token = secrets.token_urlsafe(32)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def client_environment(self) -> dict[str, str]:
        """Return the variables that point an AWS SDK at this server."""
        return {"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": self.token}

    def start_in_background(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="ds-login-credential-server", daemon=True)
        self._thread.start()
        log.info("credential server listening on %s", self.url)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        log.info("credential server on %s stopped", self.url)
