"""A local AWS for the demo and the tests: a moto server on 127.0.0.1, set up like a data team.

The team is what ds-login is built for: an IAM user whose only permission is
sts:AssumeRole on a developer role, and that role allowed to list the DVC
bucket and read, write and delete its objects. IAM enforcement is switched
on after provisioning, so the user's own keys really get AccessDenied.
Needs the ``moto[server]`` extra (``pip install 'ds-login[demo]'``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from credhelper.errors import ConfigurationError

REGION = "us-east-1"
# moto's fixed account id for every resource it creates.
ACCOUNT_ID = "123456789012"
START_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Team:
    """The provisioned identities and bucket, with the user's long-lived key."""

    endpoint: str
    bucket: str
    user_name: str
    user_arn: str
    role_arn: str
    access_key_id: str
    secret_access_key: str = field(repr=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MotoServer:
    """A moto server subprocess on a free 127.0.0.1 port; use as a context manager."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> MotoServer:
        try:
            import moto.server  # noqa: F401 - only checks that the extra is installed
        except ImportError:
            raise ConfigurationError(
                "the local AWS needs moto; install it with: pip install 'ds-login[demo]'"
            ) from None
        env = dict(self._env if self._env is not None else os.environ)
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ConfigurationError(f"moto server exited with code {self._process.returncode} on port {self.port}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise ConfigurationError(f"moto server did not respond on {self.endpoint} within {START_TIMEOUT_SECONDS:.0f} s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def set_auth(self, enforced: bool) -> None:
        set_auth(self.endpoint, enforced)

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def set_auth(endpoint: str, enforced: bool) -> None:
    """Switch IAM enforcement on or off through moto's /moto-api/reset-auth endpoint."""
    body = b"0" if enforced else b"inf"
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=body,
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def _client(service: str, endpoint: str, access_key_id: str = "testing", secret: str = "testing") -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret,
    )


def provision_team(
    endpoint: str,
    *,
    bucket: str = "team-dvc-data",
    user_name: str = "jdoe",
    role_name: str = "developer",
    max_session_seconds: int = 43200,
) -> Team:
    """Create the user, its key, the developer role and the bucket; call before enforcing auth."""
    iam = _client("iam", endpoint)
    s3 = _client("s3", endpoint)

    user_arn = iam.create_user(UserName=user_name)["User"]["Arn"]
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{role_name}"
    iam.put_user_policy(
        UserName=user_name,
        PolicyName="assume-developer-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}],
            }
        ),
    )
    key = iam.create_access_key(UserName=user_name)["AccessKey"]

    # moto matches trust principals by exact ARN; it does not understand account roots.
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=max_session_seconds)
    iam.put_role_policy(
        RoleName=role_name,
        PolicyName="dvc-bucket-crud",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    },
                ],
            }
        ),
    )
    s3.create_bucket(Bucket=bucket)
    return Team(
        endpoint=endpoint,
        bucket=bucket,
        user_name=user_name,
        user_arn=user_arn,
        role_arn=role_arn,
        access_key_id=key["AccessKeyId"],
        secret_access_key=key["SecretAccessKey"],
    )
