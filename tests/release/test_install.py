"""Installed the way users install it, gitops-gen renders what the editable install renders.

A wheel built from the sources goes into a fresh venv and into a separate `--target` folder;
each renders the example catalog byte-identically and its `check` is clean. The pre-commit
hooks of this repo run through the real `pre-commit try-repo` on a temporary GitOps repo.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_CATALOG
from tests.tools import ROOT, need

pytestmark = pytest.mark.tools
GIT_ENV = {
    "GIT_AUTHOR_NAME": "gitops-gen tests",
    "GIT_AUTHOR_EMAIL": "tests@gitops-gen.invalid",
    "GIT_COMMITTER_NAME": "gitops-gen tests",
    "GIT_COMMITTER_EMAIL": "tests@gitops-gen.invalid",
}


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repo's files (committed or not, never ignored ones) as a fresh git repo."""
    git = need("git")
    listed = sh(git, "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    src = tmp_path_factory.mktemp("src")
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    sh(git, "init", "-q", "-b", "main", cwd=src)
    sh(git, "add", "-A", cwd=src)
    sh(git, "commit", "-q", "-m", "snapshot", cwd=src, env=GIT_ENV)
    return src


@pytest.fixture(scope="module")
def wheel(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip"]
    sh(*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, sources, cwd=dist)
    (found,) = dist.glob("gitops_gen-*.whl")
    return found


def render_and_check(python: Path | str, workdir: Path, env: dict[str, str]) -> dict[str, bytes]:
    """Render the example catalog in `workdir` with `python`; `check` must then be clean."""
    shutil.copytree(REPO_CATALOG, workdir / "catalog")
    run = [python, "-m", "generator"]
    sh(*run, "render", cwd=workdir, env=env)
    sh(*run, "check", cwd=workdir, env=env)
    return {
        str(p.relative_to(workdir)): p.read_bytes()
        for p in sorted(workdir.rglob("*"))
        if p.is_file() and p.parts[len(workdir.parts)] != "catalog"
    }


def test_wheel_in_a_venv_and_in_a_target_folder_render_what_the_editable_install_does(
    wheel: Path, tmp_path: Path
) -> None:
    editable = render_and_check(sys.executable, tmp_path / "editable", {})
    assert "rendered/.gitops-gen-manifest.json" in editable
    assert ".github/workflows/gitops-gen-check.yml" in editable

    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    sh(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    assert render_and_check(venv / "bin" / "python", tmp_path / "in-venv", {}) == editable

    target = tmp_path / "target"
    pip: list[str | Path] = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    pip += ["--target", target]
    sh(*pip, wheel, cwd=tmp_path)
    env = {"PYTHONPATH": str(target)}
    where = sh(
        sys.executable, "-c", "import generator; print(generator.__file__)", cwd=tmp_path, env=env
    )
    assert where.startswith(str(target))  # not the editable checkout
    assert render_and_check(sys.executable, tmp_path / "in-target", env) == editable


def test_pre_commit_drift_hook_passes_then_fails_after_a_catalog_edit(
    sources: Path, tmp_path: Path
) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    pre_commit = pre_commit or need("pre-commit")
    git = need("git")
    repo = tmp_path / "gitops"
    run = [sys.executable, "-m", "generator"]
    sh(*run, "init", repo, "--system", "shop", cwd=tmp_path)
    sh(
        *run,
        "new-service",
        "cart",
        "--owner",
        "team-cart",
        "--backend",
        "vault",
        "--key",
        "DB_HOST",
        cwd=repo,
    )
    sh(*run, "render", cwd=repo)
    sh(git, "init", "-q", "-b", "main", cwd=repo)
    sh(git, "add", "-A", cwd=repo)
    sh(git, "commit", "-q", "-m", "start", cwd=repo, env=GIT_ENV)

    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), **GIT_ENV}
    try_repo: list[str | Path] = [pre_commit, "try-repo", sources, "gitops-gen-check"]
    try_repo.append("--all-files")
    assert "Passed" in sh(*try_repo, cwd=repo, env=env)

    service = repo / "catalog" / "services" / "cart.yaml"
    service.write_text(service.read_text() + "replicas: 2\n")
    sh(git, "add", "-A", cwd=repo)
    done = subprocess.run(
        [str(a) for a in try_repo],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    assert done.returncode == 1 and "Failed" in done.stdout, done.stdout + done.stderr
    assert "cart" in done.stdout  # the drift report names what changed
