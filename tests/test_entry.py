"""The installed entry point, as a real process: exit codes and output survive the fast exit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import __version__
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM


def gitops_gen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_exit_codes_and_streams(make_catalog: Callable[..., Path], tmp_path: Path) -> None:
    catalog = make_catalog()
    flags = ["--catalog", str(catalog), "--out", "out", "--workflows-dir", "wf"]
    assert gitops_gen("--version", cwd=tmp_path).stdout == f"gitops-gen, version {__version__}\n"
    drift = gitops_gen("check", *flags, cwd=tmp_path)
    assert drift.returncode == 1 and "drift from the catalog" in drift.stdout
    done = gitops_gen("render", *flags, cwd=tmp_path)
    assert (
        done.returncode == 0 and done.stdout.startswith("gitops-gen: ") and "written" in done.stdout
    )
    assert gitops_gen("check", *flags, cwd=tmp_path).returncode == 0
    bad = gitops_gen("validate", "--catalog", str(tmp_path / "none"), cwd=tmp_path)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == f"{tmp_path / 'none' / 'platform.yaml'}:1:1: (file): file not found\n"
    usage = gitops_gen("render", "--no-such-flag", cwd=tmp_path)
    assert usage.returncode == 2 and "No such option" in usage.stderr


@pytest.mark.parametrize("lines", [1, 3])
def test_a_reader_that_stops_early_is_no_crash(
    make_catalog: Callable[..., Path], tmp_path: Path, lines: int
) -> None:
    """`gitops-gen check | head`: the drift report is cut short, never a traceback."""
    services = {f"svc{i}": SERVICE.format(name=f"svc{i}") for i in range(40)}
    catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
    cmd = [sys.executable, "-m", "generator", "check", "--catalog", str(catalog), "--out", "o"]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    for _ in range(lines):
        proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 1
    assert "Traceback" not in err and "internal error" not in err
