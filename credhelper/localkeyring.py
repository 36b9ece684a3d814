"""A private Secret Service: gnome-keyring-daemon on a D-Bus session bus of its own.

The demo and the tests use it to exercise the real OS keyring path on a
headless machine without touching the person's own keyring. Needs the
``dbus-daemon`` and ``gnome-keyring-daemon`` programs (Debian packages dbus
and gnome-keyring).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from credhelper.errors import ConfigurationError

START_TIMEOUT_SECONDS = 20.0
# The keyring's password only protects a throw-away keyring in a temporary folder.
_THROWAWAY_PASSWORD = b"ds-login-throwaway-keyring\n"


def missing_programs() -> list[str]:
    return [program for program in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(program) is None]


class PrivateSecretService:
    """Start with :meth:`start`, which returns the variables a client needs; stop with :meth:`stop`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._processes: list[subprocess.Popen[bytes]] = []
        self.env: dict[str, str] = {}

    def start(self) -> dict[str, str]:
        missing = missing_programs()
        if missing:
            raise ConfigurationError(
                f"cannot start a private Secret Service: {', '.join(missing)} not installed "
                "(Debian packages: dbus, gnome-keyring)"
            )
        runtime = self.folder / "runtime"
        data = self.folder / "data"
        for folder in (runtime, data):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        address = f"unix:path={runtime / 'bus'}"
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={address}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._processes.append(bus)
        self._wait_for(lambda: (runtime / "bus").exists(), "the D-Bus socket")
        self.env = {
            "DBUS_SESSION_BUS_ADDRESS": address,
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_DATA_HOME": str(data),
        }
        daemon_env = {**os.environ, **self.env, "HOME": str(self.folder)}
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=daemon_env,
        )
        self._processes.append(daemon)
        assert daemon.stdin is not None
        daemon.stdin.write(_THROWAWAY_PASSWORD)
        daemon.stdin.close()
        self._wait_for(self._service_answers, "the Secret Service")
        return dict(self.env)

    def _service_answers(self) -> bool:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(bus=self.env["DBUS_SESSION_BUS_ADDRESS"]) as connection:
            reply = connection.send_and_get_reply(message_bus.NameHasOwner("org.freedesktop.secrets"), timeout=5)
        return bool(reply.body[0])

    def _wait_for(self, ready: Callable[[], bool], description: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            for process in self._processes:
                if process.poll() is not None:
                    self.stop()
                    raise ConfigurationError(f"{process.args[0]} exited with code {process.returncode}")
            if ready():
                return
            time.sleep(0.1)
        self.stop()
        raise ConfigurationError(f"{description} did not start within {START_TIMEOUT_SECONDS:.0f} s")

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self._processes.clear()

    def __enter__(self) -> dict[str, str]:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
