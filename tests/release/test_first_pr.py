"""Done when: from a wheel on a local index, `init` + two `new-service` + `render` + commit
gives a repo whose own check workflow steps (taken from its YAML) install the tool in a fresh
venv and pass `check`.

The wheel is built from this repo and served from a PEP 503 folder by the standard library's
HTTP server on 127.0.0.1 (a thread, stopped after), as a private index or a release on PyPI
would serve it.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
import yaml

from generator import __version__
from tests.release.test_install import GIT_ENV, sh, sources, wheel  # noqa: F401 - fixtures
from tests.tools import need

pytestmark = pytest.mark.tools


@pytest.fixture(scope="module")
def index(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """A PEP 503 simple index holding the wheel and its dependencies (what a private index
    or PyPI serves), on 127.0.0.1: its URL."""
    root = tmp_path_factory.mktemp("index")
    files = root / "files"
    files.mkdir()
    shutil.copy2(wheel, files / wheel.name)
    pip: list[str | Path] = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", files]
    pip.append(wheel)
    sh(*pip, cwd=root)
    projects: dict[str, list[Path]] = {}
    for found in sorted(files.iterdir()):
        name = found.name.split("-")[0] if found.suffix == ".whl" else found.name.rsplit("-", 1)[0]
        projects.setdefault(re.sub(r"[-_.]+", "-", name).lower(), []).append(found)
    for project, dists in projects.items():
        folder = root / "simple" / project
        folder.mkdir(parents=True)
        links = "".join(
            f'<a href="../../files/{d.name}#sha256={hashlib.sha256(d.read_bytes()).hexdigest()}">'
            f"{d.name}</a>\n"
            for d in dists
        )
        (folder / "index.html").write_text(
            f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n"
        )
    listing = "".join(f'<a href="{p}/">{p}</a>\n' for p in sorted(projects))
    (root / "simple" / "index.html").write_text(listing)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def new_repo(tmp_path: Path, install: list[str]) -> Path:
    """`init`, two services, `render`, commit: a team's first PR."""
    repo = tmp_path / "gitops"
    run = [sys.executable, "-m", "generator"]
    sh(
        *run,
        "init",
        repo,
        "--system",
        "shop",
        "--env",
        "dev",
        "--env",
        "prod",
        *install,
        cwd=tmp_path,
    )
    for name, key in (("cart", "DB_HOST"), ("billing", "API_KEY")):
        sh(*run, "new-service", name, "--owner", "team", "--key", key, cwd=repo)
    sh(*run, "render", cwd=repo)
    git = need("git")
    sh(git, "init", "-q", "-b", "main", cwd=repo)
    sh(git, "add", "-A", cwd=repo)
    sh(git, "commit", "-q", "-m", "first PR", cwd=repo, env=GIT_ENV)
    return repo


def run_steps(repo: Path, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The check workflow's own install and check steps, as GitHub runs them (bash -e), in a
    fresh venv that holds no gitops-gen."""
    workflow = yaml.safe_load((repo / ".github/workflows/gitops-gen-check.yml").read_text())
    steps = {s.get("name"): s["run"] for s in workflow["jobs"]["drift"]["steps"] if "run" in s}
    venv = tmp_path / "runner-venv"
    sh(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    script = f"{steps['Install gitops-gen']}\n{steps['Check for drift']}\n"
    runner = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_CONFIG_FILE": os.devnull,  # only the index the step names (or PIP_INDEX_URL)
        "PIP_NO_CACHE_DIR": "1",
        **env,
    }
    runner.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=repo,
        env=runner,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:  # what ran is the wheel from the index, not this checkout
        where = subprocess.run(
            [venv / "bin" / "python", "-c", "import generator; print(generator.__file__)"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    return done


def test_the_default_pin_installs_the_released_version_and_check_is_green(
    index: str, tmp_path: Path
) -> None:
    """No --install: ci.install is `gitops-gen==<this version>`, what a release publishes;
    the index the runner's pip uses serves it (here PIP_INDEX_URL, as a mirror would)."""
    repo = new_repo(tmp_path, [])
    done = run_steps(repo, tmp_path, {"PIP_INDEX_URL": index})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Successfully installed" in done.stdout and f"gitops-gen-{__version__}" in done.stdout
    assert (repo / "gitops-gen-report.md").read_text() == (
        "### gitops-gen: no drift\n\nThe rendered output matches the catalog.\n"
    )


def test_a_private_index_in_ci_install_is_what_the_workflow_uses(
    index: str, tmp_path: Path
) -> None:
    repo = new_repo(tmp_path, ["--install", f"gitops-gen=={__version__} --index-url {index}"])
    done = run_steps(repo, tmp_path, {})
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"gitops-gen-{__version__}" in done.stdout
    assert (repo / "gitops-gen-report.md").read_text().startswith("### gitops-gen: no drift\n")


def test_the_steps_fail_when_the_pinned_version_is_not_on_the_index(
    index: str, tmp_path: Path
) -> None:
    repo = new_repo(tmp_path, ["--install", f"gitops-gen==99.0.0 --index-url {index}"])
    done = run_steps(repo, tmp_path, {})
    assert done.returncode == 1
    assert "No matching distribution found for gitops-gen==99.0.0" in done.stderr
