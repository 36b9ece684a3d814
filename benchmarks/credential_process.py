"""Measure a cached ``ds-login credential-process`` against starting Python, in one run.

Everything runs on this machine: a moto server on 127.0.0.1 set up like a
data team, a private gnome-keyring Secret Service (the real OS keyring path)
when its programs are installed, and a throw-away home folder.

Reported, each as the median of repeated runs with its ratio to
``python -c pass`` measured in the same run:

- ``python -c pass`` with the interpreter ds-login runs on;
- ``ds-login credential-process`` served from the cache (fresh credentials
  in the keyring), with its peak memory (maximum resident set size);
- an AWS CLI call (``aws sts get-caller-identity``) through the ds-login
  profile, and through the AWS CLI's native assume-role profile reading its
  own cache in ~/.aws/cli/cache, to show the cost a person feels.

Usage: python -m benchmarks.credential_process [--runs N] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import homes
from benchmarks.homes import BIN
from benchmarks.markdown import replace_section
from credhelper import localaws, localkeyring



GNU_TIME = "/usr/bin/time"


def run_once(argv: list[str], env: dict[str, str]) -> float:
    """Run ``argv`` once and return its wall time in seconds."""
    start = time.perf_counter()
    completed = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {completed.stderr.decode()}")
    return elapsed


def peak_memory_kib(argv: list[str], env: dict[str, str]) -> int | None:
    """Return the maximum resident set size of one run, measured by GNU time, or None without it.

    A child's own rusage would count the pages of this large Python process
    that it shares between fork and exec, so a small separate program measures.
    """
    if not os.path.exists(GNU_TIME):
        return None
    completed = subprocess.run(
        [GNU_TIME, "-f", "%M", *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    return int(completed.stderr.strip().splitlines()[-1])


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, int | None]:
    """Return the median seconds over ``runs`` runs after 2 warm-up runs, and the peak RSS of one run."""
    for _ in range(2):
        run_once(argv, env)
    median = statistics.median(run_once(argv, env) for _ in range(runs))
    return median, peak_memory_kib(argv, env)


def prepare(folder: Path, server: localaws.MotoServer, team: localaws.Team, extra: dict[str, str]) -> dict[str, str]:
    """Create a home folder with ds-login set up and logged in, and a native assume-role profile."""
    home = folder / "home"
    home.mkdir()
    env = {**homes.environment(home, server.endpoint), **extra}
    ds_login = str(BIN / "ds-login")
    subprocess.run(
        [ds_login, "setup", "--role-arn", team.role_arn, "--region", localaws.REGION],
        env={**env, **homes.user_keys(team)},
        check=True,
        capture_output=True,
    )
    subprocess.run([ds_login, "login"], env=env, check=True, capture_output=True)
    homes.add_native_profile(home, team)
    return env


def table(rows: list[tuple[str, float, int | None]], baseline: float) -> str:
    """Render the results as a Markdown table, times as medians and ratios to the baseline."""
    lines = ["| command | median | ratio to `python -c pass` | peak memory |", "| --- | --- | --- | --- |"]
    for label, seconds, rss in rows:
        memory = f"{rss / 1024:.1f} MiB" if rss is not None else "-"
        lines.append(f"| {label} | {seconds * 1000:.1f} ms | {seconds / baseline:.2f}x | {memory} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs per command (default 21)")
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in that Markdown file")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ds-login-bench-") as temporary, localaws.MotoServer() as server:
        folder = Path(temporary)
        team = localaws.provision_team(server.endpoint)
        server.set_auth(True)
        keyring_service = None
        extra: dict[str, str] = {}
        if localkeyring.missing_programs():
            extra["DS_LOGIN_STORE"] = "plaintext-file"
            store = "plaintext file (no Secret Service programs installed)"
        else:
            keyring_service = localkeyring.PrivateSecretService(folder / "keyring")
            extra.update(keyring_service.start())
            store = "gnome-keyring Secret Service on a private D-Bus session"
        try:
            env = prepare(folder, server, team, extra)
            python_pass = measure([sys.executable, "-c", "pass"], env, options.runs)
            # As botocore runs it: the profile line always names the profile.
            cached = measure([str(BIN / "ds-login"), "credential-process", "--profile", "ds-developer"], env, options.runs)
            # -v is not handled by the cache-hit path, so this run imports the
            # keyring package and discovers its backend, as a naive helper would.
            full_path = measure([str(BIN / "ds-login"), "credential-process", "--profile", "ds-developer", "-v"], env, options.runs)
            aws = str(BIN / "aws")
            through_ds_login = measure([aws, "sts", "get-caller-identity", "--profile", "ds-developer"], env, options.runs)
            native = measure([aws, "sts", "get-caller-identity", "--profile", "native"], env, options.runs)
        finally:
            if keyring_service is not None:
                keyring_service.stop()

    baseline = python_pass[0]
    rows = [
        ("`python -c pass`", python_pass[0], python_pass[1]),
        ("`ds-login credential-process` (cache hit)", cached[0], cached[1]),
        ("`ds-login credential-process -v` (cache hit through the keyring package)", full_path[0], full_path[1]),
        ("`aws sts get-caller-identity`, ds-login profile", through_ds_login[0], through_ds_login[1]),
        ("`aws sts get-caller-identity`, native assume-role profile (its own cache)", native[0], native[1]),
    ]
    text = "\n".join(
        [
            f"Measured by `python -m benchmarks.credential_process`, {options.runs} runs each after 2 warm-up runs, "
            f"on {platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"session store: {store}; AWS: moto server on 127.0.0.1.",
            "",
            table(rows, baseline),
            "",
            f"Cache hit: {cached[0] / baseline:.2f}x `python -c pass` (target: at most 2.5x) and "
            f"{'-' if cached[1] is None else f'{cached[1] / 1024:.1f}'} MiB peak (target: at most 30 MB). An AWS CLI call through ds-login takes "
            f"{through_ds_login[0] / native[0]:.2f}x the same call through the native profile.",
        ]
    )
    print(text)
    if options.write:
        replace_section(options.write, "credential-process", "Cached credential-process", text)


if __name__ == "__main__":
    main()
