"""The pre-commit hooks (this repo's and the one `init` writes) run on edits under the
catalog, its templates folder, the output and the gitops-gen workflows, at the paths
catalog/platform.yaml names: custom ones included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands.render import concerns
from tests.release.test_install import GIT_ENV, sh
from tests.tools import need

CUSTOM = """
renderedPath: deploy/out
templatesPath: overrides
ci:
  catalogPath: platform/catalog
  workflowsPath: ci/flows
"""


def custom_repo(root: Path) -> Path:
    """An `init` repo whose platform.yaml moves every folder; rendered and committed."""
    run = [sys.executable, "-m", "generator"]
    sh(*run, "init", root, "--system", "shop", "--env", "dev", cwd=root.parent)
    (root / "platform").mkdir()
    (root / "catalog").rename(root / "platform" / "catalog")
    platform = root / "platform/catalog/platform.yaml"
    text = platform.read_text()  # init wrote `ci: install:` (the pinned version)
    assert "\nci:\n" in text
    paths = "\nci:\n  catalogPath: platform/catalog\n  workflowsPath: ci/flows\n"
    text = text.replace("\nci:\n", paths) + "renderedPath: deploy/out\ntemplatesPath: overrides\n"
    platform.write_text(text)
    shutil.rmtree(root / ".github")
    cat = ["--catalog", "platform/catalog"]
    sh(
        *run,
        "new-service",
        "cart",
        "--owner",
        "t",
        "--backend",
        "vault",
        "--key",
        "DB_HOST",
        *cat,
        cwd=root,
    )
    sh(*run, "render", *cat, "--out", "deploy/out", cwd=root)
    return root


@pytest.mark.parametrize(
    ("name", "runs"),
    [
        ("platform/catalog/services/cart.yaml", True),
        ("platform/catalog/platform.yaml", True),
        ("platform/overrides/runbooks/secrets.md.j2", True),
        ("deploy/out/runbooks/cart.md", True),
        ("ci/flows/gitops-gen-check.yml", True),
        ("ci/flows/release.yml", False),
        ("README.md", False),
        ("templates/runbooks/secrets.md.j2", False),  # the default folder, moved away
        ("platform/catalog-notes.md", False),
    ],
)
def test_a_file_concerns_the_output_where_platform_yaml_puts_the_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, runs: bool
) -> None:
    root = tmp_path / "gitops"
    root.mkdir()
    monkeypatch.chdir(root)
    catalog = Path("platform/catalog")
    catalog.mkdir(parents=True)
    (catalog / "platform.yaml").write_text(
        "system: shop\ngitRepo: https://github.com/acme/gitops.git\nenvironments: [{name: dev}]\n"
        + CUSTOM
    )
    assert concerns([Path(name)], catalog, Path("deploy/out"), None) is runs


def test_without_files_the_command_always_runs(tmp_path: Path) -> None:
    assert concerns([], tmp_path / "nowhere", tmp_path / "out", None) is True


@pytest.mark.tools
def test_init_hook_fails_on_a_template_override_edit_at_custom_paths(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    pre_commit = pre_commit or need("pre-commit")
    git = need("git")
    root = custom_repo(tmp_path / "gitops")
    hooks = root / ".pre-commit-config.yaml"  # the hook passes the catalog folder: custom here
    hooks.write_text(
        hooks.read_text().replace(
            "entry: gitops-gen check",
            "entry: gitops-gen check --catalog platform/catalog --out deploy/out --workflows-dir ci/flows",
        )
    )
    sh(git, "init", "-q", "-b", "main", cwd=root)
    sh(git, "add", "-A", cwd=root)
    sh(git, "commit", "-q", "-m", "start", cwd=root, env=GIT_ENV)
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    sh(
        sys.executable,
        "-m",
        "generator",
        "templates",
        "eject",
        "runbooks/secrets.md.j2",
        "--catalog",
        "platform/catalog",
        cwd=root,
    )
    override = root / "platform/overrides/runbooks/secrets.md.j2"
    override.write_text(override.read_text() + "\nAsk #platform before rotating.\n")
    (root / "README.md").write_text("notes\n")

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        command = [pre_commit, "run", "gitops-gen-check", "--files", *files]
        return subprocess.run(
            command, cwd=root, capture_output=True, text=True, check=False, env=env
        )

    assert hook("README.md").returncode == 0
    done = hook("platform/overrides/runbooks/secrets.md.j2")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "deploy/out/runbooks/cart.md" in done.stdout  # the drifted runbook is named
