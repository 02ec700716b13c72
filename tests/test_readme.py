"""The README's quick start works verbatim: its commands, run in an empty folder with the
installed console script, end with a clean `check`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import ROOT, need

README = ROOT / "README.md"


def quick_start() -> str:
    """The first `sh` block of the README's Quick start section."""
    section = README.read_text(encoding="utf-8").split("\n## Quick start\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found, "the Quick start section has no sh block"
    return found.group(1)


def console_script() -> str:
    """The `gitops-gen` installed beside the interpreter running the suite."""
    found = shutil.which("gitops-gen", path=str(Path(sys.executable).parent))
    if not found:
        pytest.skip("gitops-gen console script is not installed beside this Python")
    return found


def test_the_quick_start_runs_verbatim_and_ends_clean(tmp_path: Path) -> None:
    script = quick_start()
    assert script.startswith("git init") and "gitops-gen init" in script
    for tool in ("git", "make", "bash"):
        need(tool)
    path = os.pathsep.join([str(Path(console_script()).parent), os.environ.get("PATH", "")])
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    who |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env = {**os.environ, "PATH": path, "GITOPS_GEN_JOBS": "1", **who}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("gitops-gen: no drift: rendered output matches the catalog\n"), (
        done.stdout
    )
    services = sorted(p.name for p in (tmp_path / "catalog/services").glob("*.yaml"))
    assert services == ["cart.yaml", "checkout.yaml"]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""  # everything the quick start made is committed
