"""The release workflow: one build on a version tag, the tag checked against the package
version, attested, published by Trusted Publishing, each job with only what it needs."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import yaml

from generator import __version__
from tests.tools import ROOT

RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def workflow() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(RELEASE.read_text())
    return doc


def step(job: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        s for s in workflow()["jobs"][job]["steps"] if s.get("name") == name
    )
    return found


def test_runs_on_version_tags_only() -> None:
    assert workflow()["on"] == {"push": {"tags": ["v*"]}}


def test_each_job_holds_only_its_permissions_and_the_id_token_only_where_oidc_is_used() -> None:
    jobs = workflow()["jobs"]
    assert workflow()["permissions"] == {}
    assert {name: job["permissions"] for name, job in jobs.items()} == {
        "build": {"contents": "read"},
        "attest": {"id-token": "write", "attestations": "write"},
        "publish": {"id-token": "write"},
        "github-release": {"contents": "write"},
    }
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert jobs["publish"]["needs"] == ["build", "attest"]


def test_builds_once_and_every_later_job_uses_those_files() -> None:
    jobs = workflow()["jobs"]
    uses = {
        name: [s.get("uses", "").split("@")[0] for s in job["steps"]] for name, job in jobs.items()
    }
    assert "actions/upload-artifact" in uses["build"]
    for name in ("attest", "publish", "github-release"):
        assert uses[name][0] == "actions/download-artifact", name
        assert not any("build" in s.get("run", "") for s in jobs[name]["steps"]), name
    assert uses["attest"][1] == "actions/attest-build-provenance"
    assert uses["publish"][1] == "pypa/gh-action-pypi-publish"


def test_no_expression_reaches_a_run_step() -> None:
    for job in workflow()["jobs"].values():
        for s in job["steps"]:
            assert "${{" not in s.get("run", ""), s


def run_version_check(tag: str) -> subprocess.CompletedProcess[str]:
    script = step("build", "the tag is the package version")["run"]
    env = {**os.environ, "TAG": tag}
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_the_version_check_passes_on_the_package_version() -> None:
    done = run_version_check(f"v{__version__}")
    assert (done.returncode, done.stdout) == (0, f"releasing gitops-gen {__version__}\n")


def test_the_version_check_fails_on_another_tag() -> None:
    done = run_version_check("v9.9.9")
    assert done.returncode == 1
    assert done.stdout == (
        f"::error::tag v9.9.9 is not the package version v{__version__} (generator/__init__.py):"
        f" tag v{__version__}, or change __version__ and tag again\n"
    )
