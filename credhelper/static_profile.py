"""Static profiles: the temporary credentials written into ~/.aws/credentials.

For tools that read only static keys and cannot run a credential_process.
The section also carries ``ds_login_expiration``, a key every AWS tool
ignores, which marks it as ds-login's and records when it stops working. Those
tools do not refresh, so ``ds-login write-profile`` must run again before then.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from credhelper import paths
from credhelper.credentials import TemporaryCredentials, format_rfc3339
from credhelper.errors import InvalidInputError
from credhelper.inifile import IniDocument

MARKER_KEY = "ds_login_expiration"
_KEY_NAMES = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


def default_target(profile: str) -> str:
    return f"{profile}-static"


def write(env: Mapping[str, str], profile: str, target: str, credentials: TemporaryCredentials) -> Path:
    """Write ``credentials`` as section ``[target]`` of the shared credentials file; return the file.

    Raises InvalidInputError when the section contains keys ds-login did not
    write, or when ``target`` is the ds-login profile itself, whose static keys
    would make every AWS tool skip its credential_process.
    """
    if target == profile:
        raise InvalidInputError(
            f"--target {target!r} is the ds-login profile itself; static keys there would hide its "
            f"credential_process once they expire; choose another name, e.g. --target {default_target(profile)}"
        )
    path = paths.aws_credentials_file(env)
    document = IniDocument.load(path)
    present = document.keys(target)
    if present and MARKER_KEY not in present and set(_KEY_NAMES) & set(present):
        raise InvalidInputError(
            f"[{target}] in {path} contains keys that ds-login did not write; choose another --target"
        )
    document.set_values(
        target,
        {
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
            "aws_session_token": credentials.session_token,
            MARKER_KEY: format_rfc3339(credentials.expiration),
        },
    )
    # No .bak: it would keep a copy of secrets after logout removes them.
    document.save(path, backup=False)
    return path


def remove(env: Mapping[str, str], target: str) -> bool:
    """Delete a section that ds-login wrote; return whether there was one."""
    path = paths.aws_credentials_file(env)
    if not path.exists():
        return False
    document = IniDocument.load(path)
    if MARKER_KEY not in document.keys(target):
        return False
    document.remove_section(target)
    document.save(path, backup=False)
    return True
