"""Count STS calls for 50 simultaneous cold callers, and time ds-login dvc pull against dvc pull.

Everything runs on this machine: a moto server on 127.0.0.1 set up like a data
team, with a counting proxy in front of it (tests/integration/proxy.py). The
throw-away home folder uses the explicit plaintext store, so the figures do
not depend on a Secret Service.

1. Fifty processes start at once with empty caches: ``ds-login
   credential-process``, then ``aws sts get-caller-identity`` through the AWS
   CLI's native assume-role profile. The proxy counts the AssumeRole requests.
2. ``ds-login dvc pull`` against plain ``dvc pull`` with AWS_PROFILE set to the
   same ds-login profile, on the same data, alternating, median of the runs.

Usage: python -m benchmarks.callers_and_dvc [--runs N] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks import homes
from benchmarks.homes import BIN
from benchmarks.markdown import replace_section
from credhelper import localaws
from tests.integration.proxy import AwsProxy

CALLERS = 50
FILES = 40
FILE_BYTES = 256 * 1024


def _check(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
    completed = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {completed.stderr}")


def _simultaneous(argv: list[str], env: dict[str, str]) -> int:
    """Start CALLERS copies of ``argv`` at once; return how many succeeded."""
    processes = [subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(CALLERS)]
    return sum(process.wait() == 0 for process in processes)


def cold_callers(folder: Path, team: localaws.Team, proxy: AwsProxy) -> list[tuple[str, int, int]]:
    home = folder / "callers"
    home.mkdir()
    env = {**homes.environment(home, proxy.endpoint), "DS_LOGIN_STORE": "plaintext-file"}
    setup = [str(BIN / "ds-login"), "setup", "--role-arn", team.role_arn, "--region", localaws.REGION]
    _check(setup, {**env, **homes.user_keys(team)})
    homes.add_native_profile(home, team)

    results = []
    before = proxy.assume_role_count
    succeeded = _simultaneous([str(BIN / "ds-login"), "credential-process"], env)
    results.append(("`ds-login credential-process`", succeeded, proxy.assume_role_count - before))

    before = proxy.assume_role_count
    succeeded = _simultaneous([str(BIN / "aws"), "sts", "get-caller-identity", "--profile", "native"], env)
    results.append(("`aws sts get-caller-identity`, native assume-role profile", succeeded, proxy.assume_role_count - before))
    return results


def dvc_pull(folder: Path, team: localaws.Team, runs: int) -> tuple[float, float]:
    home = folder / "dvc-home"
    home.mkdir()
    env = {**homes.environment(home, team.endpoint), "DS_LOGIN_STORE": "plaintext-file"}
    setup = [str(BIN / "ds-login"), "setup", "--role-arn", team.role_arn, "--region", localaws.REGION]
    _check(setup, {**env, **homes.user_keys(team)})
    _check([str(BIN / "ds-login"), "login"], env)

    project = folder / "project"
    project.mkdir()
    dvc = str(BIN / "dvc")
    _check(["git", "init", "-q"], env, project)
    _check([dvc, "init", "-q"], env, project)
    _check([dvc, "config", "core.check_update", "false"], env, project)
    _check([dvc, "remote", "add", "-d", "storage", f"s3://{team.bucket}/files"], env, project)
    data = project / "data"
    data.mkdir()
    for number in range(FILES):
        (data / f"part-{number:03d}.bin").write_bytes(os.urandom(FILE_BYTES))
    _check([dvc, "add", "-q", "data"], env, project)
    _check([str(BIN / "ds-login"), "dvc", "push", "-q"], env, project)

    plain_env = {**env, "AWS_PROFILE": "ds-developer"}
    commands = {
        "ds-login": ([str(BIN / "ds-login"), "dvc", "pull", "-q"], env),
        "plain": ([dvc, "pull", "-q"], plain_env),
    }
    samples: dict[str, list[float]] = {"ds-login": [], "plain": []}
    for _ in range(runs):
        for name, (argv, command_env) in commands.items():
            shutil.rmtree(data)
            shutil.rmtree(project / ".dvc" / "cache")
            start = time.perf_counter()
            _check(argv, command_env, project)
            samples[name].append(time.perf_counter() - start)
    return statistics.median(samples["ds-login"]), statistics.median(samples["plain"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="dvc pull runs per command (default 7)")
    parser.add_argument("--write", type=Path, help="replace these sections in that Markdown file")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ds-login-bench-") as temporary, localaws.MotoServer() as server:
        folder = Path(temporary)
        team = localaws.provision_team(server.endpoint)
        server.set_auth(True)
        with AwsProxy(server.endpoint) as proxy:
            callers = cold_callers(folder, team, proxy)
        with_ds_login, plain = dvc_pull(folder, team, options.runs)

    machine = f"{platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}"
    callers_text = "\n".join(
        [
            f"Measured by `python -m benchmarks.callers_and_dvc` on {machine}: {CALLERS} processes started at once "
            "with empty caches, against a moto server on 127.0.0.1 behind a counting proxy.",
            "",
            "| callers | succeeded | AssumeRole calls |",
            "| --- | --- | --- |",
            *[f"| {label} | {succeeded} of {CALLERS} | {calls} |" for label, succeeded, calls in callers],
            "",
            "Target for ds-login: 1 call. awsume is not installed here, so it is not measured.",
        ]
    )
    dvc_text = "\n".join(
        [
            f"Measured by `python -m benchmarks.callers_and_dvc` on {machine}: {FILES} files of "
            f"{FILE_BYTES // 1024} KiB from a moto server on 127.0.0.1, workspace and cache deleted before each of "
            f"{options.runs} alternating runs; medians.",
            "",
            "| command | median | ratio |",
            "| --- | --- | --- |",
            f"| `dvc pull` with AWS_PROFILE set | {plain:.2f} s | 1.00x |",
            f"| `ds-login dvc pull` | {with_ds_login:.2f} s | {with_ds_login / plain:.2f}x |",
            "",
            "Target: at most 1.05x.",
        ]
    )
    print(callers_text + "\n\n" + dvc_text)
    if options.write:
        replace_section(options.write, "cold-callers", "Fifty simultaneous cold callers", callers_text)
        replace_section(options.write, "dvc-pull", "ds-login dvc pull against dvc pull", dvc_text)


if __name__ == "__main__":
    main()
