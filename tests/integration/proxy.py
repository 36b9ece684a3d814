"""A reverse proxy on 127.0.0.1 in front of the moto server, for what moto cannot do itself.

It forwards every request unchanged (the Host header too, so SigV4
signatures still match) and can:

- count AssumeRole requests and record their form fields (SerialNumber,
  TokenCode, DurationSeconds), and reject chosen MFA codes as AWS does;
- inject STS faults: refuse (close the connection), stall, HTTP 500, throttling;
- shift the Date header of responses, to imitate a skewed local clock;
- expire temporary keys: rewrite the Expiration of issued credentials to a
  short lifetime and reject later requests signed with such a key with the
  real ExpiredToken error, because moto never expires keys;
- delay S3 requests, so a transfer outlives a short credential lifetime.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate"}
_CREDENTIAL_RE = re.compile(r"Credential=([A-Z0-9]+)/")
_EXPIRATION_RE = re.compile(rb"<Expiration>[^<]+</Expiration>")
_ACCESS_KEY_RE = re.compile(rb"<AccessKeyId>([A-Z0-9]+)</AccessKeyId>")

THROTTLING_BODY = (
    b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    b"<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
)
SERVER_ERROR_BODY = (
    b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type>'
    b"<Code>InternalFailure</Code><Message>fake failure</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
)
MFA_DENIED_BODY = (
    b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    b"<Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code. "
    b"</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
)
EXPIRED_TOKEN_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ExpiredToken</Code>'
    b"<Message>The provided token has expired.</Message><RequestId>fake</RequestId></Error>"
)


@dataclass
class ProxyState:
    """What the proxy does and what it saw; tests change it between calls."""

    sts_fault: str | None = None  # None, "refuse", "stall", "500" or "throttle"
    stall_seconds: float = 30.0
    date_shift_seconds: float = 0.0
    credential_lifetime_seconds: float | None = None
    s3_delay_seconds: float = 0.0
    expire_after_delay: bool = False  # check a key's expiry after the S3 delay, not before
    mfa_rejected_codes: set[str] = field(default_factory=set)  # TokenCode values rejected with AccessDenied
    assume_role_requests: list[dict[str, str]] = field(default_factory=list)
    expired_rejections: int = 0
    key_expiry: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base class signature
        return

    def _forward(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        form = {key: values[0] for key, values in parse_qs(body.decode("latin-1")).items()} if body else {}
        is_assume_role = form.get("Action") == "AssumeRole"

        if is_assume_role:
            with state.lock:
                state.assume_role_requests.append(form)
            if state.sts_fault == "refuse":
                self.close_connection = True
                self.connection.close()
                return
            if state.sts_fault == "stall":
                time.sleep(state.stall_seconds)
                self.close_connection = True
                return
            if form.get("TokenCode") in state.mfa_rejected_codes:
                self._reply(403, {"Content-Type": "text/xml"}, MFA_DENIED_BODY)
                return
            if state.sts_fault in ("500", "throttle"):
                status, payload = (500, SERVER_ERROR_BODY) if state.sts_fault == "500" else (400, THROTTLING_BODY)
                self._reply(status, {"Content-Type": "text/xml"}, payload)
                return
        else:
            if not state.expire_after_delay and self._reject_expired_key(state):
                return
            if state.s3_delay_seconds:
                time.sleep(state.s3_delay_seconds)
            if state.expire_after_delay and self._reject_expired_key(state):
                return

        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=60)
        headers = {key: value for key, value in self.headers.items() if key.lower() not in _HOP_BY_HOP}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        upstream.close()
        if is_assume_role and response.status == 200 and state.credential_lifetime_seconds is not None:
            payload = self._shorten_lifetime(state, payload)
        reply_headers = {key: value for key, value in response.getheaders() if key.lower() not in _HOP_BY_HOP}
        if self.command == "HEAD":
            # A HEAD reply has no body but the Content-Length of the object.
            self._reply(response.status, reply_headers, b"", content_length=response.getheader("Content-Length", "0"))
            return
        self._reply(response.status, reply_headers, payload)

    def _reject_expired_key(self, state: ProxyState) -> bool:
        match = _CREDENTIAL_RE.search(self.headers.get("Authorization", ""))
        if not match:
            return False
        with state.lock:
            expiry = state.key_expiry.get(match.group(1))
        if expiry is None or time.time() < expiry:
            return False
        with state.lock:
            state.expired_rejections += 1
        self._reply(400, {"Content-Type": "application/xml"}, EXPIRED_TOKEN_BODY)
        return True

    def _shorten_lifetime(self, state: ProxyState, payload: bytes) -> bytes:
        assert state.credential_lifetime_seconds is not None
        expiry = time.time() + state.credential_lifetime_seconds
        key = _ACCESS_KEY_RE.search(payload)
        if key:
            with state.lock:
                state.key_expiry[key.group(1).decode()] = expiry
        stamp = dt.datetime.fromtimestamp(expiry, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return _EXPIRATION_RE.sub(f"<Expiration>{stamp}</Expiration>".encode(), payload)

    def _reply(self, status: int, headers: dict[str, str], payload: bytes, content_length: str | None = None) -> None:
        self.send_response_only(status)
        shift = self.server.state.date_shift_seconds
        date = email.utils.formatdate(time.time() + shift, usegmt=True)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "date", "server"):
                self.send_header(key, value)
        self.send_header("Date", date)
        self.send_header("Content-Length", content_length if content_length is not None else str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream_port: int, state: ProxyState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream_port = upstream_port
        self.state = state


class AwsProxy:
    """Start with ``with AwsProxy(moto_endpoint) as proxy``; ``proxy.endpoint`` is its URL."""

    def __init__(self, upstream_endpoint: str) -> None:
        self.state = ProxyState()
        self._server = _ProxyServer(int(upstream_endpoint.rsplit(":", 1)[1]), self.state)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> AwsProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def assume_role_count(self) -> int:
        with self.state.lock:
            return len(self.state.assume_role_requests)
