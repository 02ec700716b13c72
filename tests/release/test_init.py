"""`gitops-gen init`: a new repo that passes its own check, and a refusal that writes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from generator import __version__
from generator.catalog.load import load_catalog
from generator.commands import init
from tests.release.test_workflow_hardening import actionlint, zizmor_findings

COMMIT = "3d3c42e5aac5ba805825da76410c181273ba90b1"
PINNED = f"gitops-gen @ git+https://git.invalid/platform/gitops-gen.git@{COMMIT}"


def gitops_gen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "generator", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.tools
def test_init_then_new_service_render_and_check_pass(tmp_path: Path) -> None:
    repo = tmp_path / "new-repo"
    args = ["--system", "shop", "--env", "dev", "--env", "prod"]
    args += ["--aws-account-id", "123456789012", "--region", "eu-west-1", "--install", PINNED]
    done = gitops_gen(tmp_path, "init", str(repo), *args)
    assert done.returncode == 0, done.stderr
    written = set(tree(repo))
    assert written >= {
        "catalog/platform.yaml",
        "catalog/services/.gitkeep",
        "Makefile",
        ".pre-commit-config.yaml",
        "README.md",
        ".github/workflows/gitops-gen-check.yml",
    }
    platform = (repo / "catalog/platform.yaml").read_text()
    assert platform.startswith("# yaml-language-server: $schema=../rendered/schema/")
    catalog = load_catalog(repo / "catalog")  # validates as written
    assert [e.name for e in catalog.platform.environments] == ["dev", "prod"]
    assert catalog.platform.ci.install == PINNED and len(catalog.platform.secretBackends) == 1
    new = gitops_gen(repo, "new-service", "cart", "--owner", "team-cart", "--backend", "aws")
    assert new.returncode == 2  # a backend without keys: refused, as for any repo
    args = ["new-service", "cart", "--owner", "team-cart", "--backend", "aws", "--key", "DB_HOST"]
    assert gitops_gen(repo, *args).returncode == 0
    if shutil.which("make"):
        made = subprocess.run(
            ["make", "render", "check", f"GITOPS_GEN={sys.executable} -m generator"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        assert made.returncode == 0, made.stdout + made.stderr
    else:
        assert gitops_gen(repo, "render").returncode == 0
    checked = gitops_gen(repo, "check")
    assert checked.returncode == 0, checked.stdout
    workflows = sorted((repo / ".github/workflows").glob("*.yml"))
    assert zizmor_findings(workflows) == [] and actionlint(workflows) == []
    check = yaml.safe_load((repo / ".github/workflows/gitops-gen-check.yml").read_text())
    runs = [s.get("run", "") for s in check["jobs"]["drift"]["steps"]]
    assert f"python -m pip install '{PINNED}'" in runs


def test_init_without_aws_starts_with_vault_and_pins_this_version(tmp_path: Path) -> None:
    done = gitops_gen(tmp_path, "init", "--system", "shop")
    assert done.returncode == 0, done.stderr
    assert (
        f"note: ci.install pins gitops-gen=={__version__} (this gitops-gen) for the workflows: "
        "change it in catalog/platform.yaml when you upgrade, or to a private index "
        "(`--index-url URL`), a wheel URL with its sha256 or a VCS URL at a commit\n"
    ) in done.stdout
    assert "set gitRepo" in done.stdout
    platform = load_catalog(tmp_path / "catalog").platform
    assert [e.name for e in platform.environments] == ["dev", "stage", "prod"]
    assert [b.type for b in platform.secretBackends.values()] == ["vault"]
    assert platform.ci.install == f"gitops-gen=={__version__}"
    check = yaml.safe_load((tmp_path / ".github/workflows/gitops-gen-check.yml").read_text())
    steps = {s.get("name"): s for s in check["jobs"]["drift"]["steps"]}
    assert steps["Install gitops-gen"]["run"] == f"python -m pip install gitops-gen=={__version__}"


def test_init_in_an_installable_repo_installs_its_checkout(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'tools'\n")
    done = gitops_gen(tmp_path, "init", "--system", "shop")
    assert done.returncode == 0, done.stderr
    assert "ci.install is unset" in done.stdout
    assert load_catalog(tmp_path / "catalog").platform.ci.install is None


@pytest.mark.parametrize(
    ("existing", "args", "message"),
    [
        ("Makefile", [], "Makefile: already exists: init writes nothing"),
        (".github/workflows/gitops-gen-check.yml", [], "gitops-gen-check.yml: already exists"),
        ("catalog", [], "catalog: already exists"),
        (None, ["--install", "gitops-gen>=0.1"], "--install: 'gitops-gen>=0.1'"),
        (None, ["--region", "eu-west-1"], "--aws-account-id: missing: --region needs it"),
        (None, ["--env", "Prod"], "--env: 'Prod' is not a DNS label"),
        (None, ["--aws-account-id", "12", "--region", "eu-west-1"], "--aws-account-id: '12' does"),
    ],
)
def test_init_refuses_and_writes_nothing(
    existing: str | None, args: list[str], message: str, tmp_path: Path
) -> None:
    if existing:
        (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / existing).write_text("mine\n")
    before = tree(tmp_path)
    done = gitops_gen(tmp_path, "init", "--system", "shop", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert ":1:1:" not in done.stderr  # a flag or a file as a whole: no invented location
    assert tree(tmp_path) == before


class FakeDistribution:
    def __init__(self, direct_url: dict[str, object] | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return json.dumps(self.direct_url) if self.direct_url is not None else None


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (
            {
                "url": "https://git.invalid/p/gitops-gen.git",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
            },
            f"gitops-gen @ git+https://git.invalid/p/gitops-gen.git@{COMMIT}",
        ),
        (
            {"url": "https://git.invalid/p/g.git", "vcs_info": {"vcs": "git", "commit_id": "main"}},
            None,
        ),
        ({"url": "file:///src", "dir_info": {"editable": True}}, None),
        (None, None),
    ],
)
def test_init_pins_the_commit_gitops_gen_was_installed_from(
    direct_url: dict[str, object] | None, expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metadata, "distribution", lambda _name: FakeDistribution(direct_url))
    assert init.installed_from() == expected
