"""ds-login: temporary AWS role credentials for data teams, kept in the OS keyring.

``credhelper.session()`` returns a boto3 Session whose credentials refresh
themselves; ``%load_ext credhelper`` adds the ``%ds_login`` magic to IPython.
Both import their dependencies only when called, so that the
credential-process cache-hit path, which imports this package, stays fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def session(profile: str | None = None, *, region_name: str | None = None) -> Any:
    """Return a boto3 Session for a ds-login profile; see :func:`credhelper.sessions.session`."""
    from credhelper.sessions import session as make_session

    return make_session(profile, region_name=region_name)


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%ds_login`` magic (called by ``%load_ext credhelper``)."""
    from credhelper.notebook import register

    register(ipython)
