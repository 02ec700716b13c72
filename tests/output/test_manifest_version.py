"""The manifest records the gitops-gen version that last changed the output; `check` notes a
different running version in one line, and a new version alone is never drift."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import __version__
from tests.conftest import run

MANIFEST = "rendered/.gitops-gen-manifest.json"


@pytest.fixture
def repo(make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_catalog().parent
    monkeypatch.chdir(root)
    monkeypatch.setenv("GITOPS_GEN_JOBS", "1")
    assert run(["render"]).exit_code == 0
    return root


def running(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setattr("generator.__version__", version)
    monkeypatch.setattr("generator.output.engine.__version__", version)


def test_a_render_records_the_version_that_wrote_it(repo: Path) -> None:
    doc = json.loads((repo / MANIFEST).read_text())
    assert list(doc) == ["generator", "version", "files"] and doc["version"] == __version__
    done = run(["check"])
    assert (done.exit_code, done.stderr) == (0, "")


def test_a_new_version_alone_is_a_note_not_drift(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (repo / MANIFEST).read_bytes()
    running(monkeypatch, "99.0.0")
    done = run(["check"])
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        f"gitops-gen: note: rendered/.gitops-gen-manifest.json was written by gitops-gen "
        f"{__version__}; this is gitops-gen 99.0.0\n"
    )
    assert run(["render"]).stdout == "gitops-gen: 0 written, 53 unchanged, 0 removed\n"
    assert (repo / MANIFEST).read_bytes() == before  # nothing to commit after an upgrade


def test_a_change_records_the_running_version(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    running(monkeypatch, "99.0.0")
    service = repo / "catalog/services/svc.yaml"
    service.write_text(service.read_text() + "replicas: 3\n")
    assert run(["check"]).exit_code == 1
    assert run(["render"]).exit_code == 0
    assert json.loads((repo / MANIFEST).read_text())["version"] == "99.0.0"
    done = run(["check"])
    assert (done.exit_code, done.stderr) == (0, "")


def test_a_manifest_from_before_versions_is_clean_and_silent(repo: Path) -> None:
    path = repo / MANIFEST
    doc = json.loads(path.read_text())
    del doc["version"]
    path.write_text(json.dumps(doc, indent=1) + "\n")
    done = run(["check"])
    assert (done.exit_code, done.stderr) == (0, "")


def pin(repo: Path, install: str) -> None:
    platform = repo / "catalog/platform.yaml"
    platform.write_text(platform.read_text() + f"ci:\n  install: {json.dumps(install)}\n")
    assert run(["render"]).exit_code == 0


HASH = "0" * 64
PINS = {  # ci.install: the version it pins
    "gitops-gen==7.1.0": "7.1.0",
    f"gitops_gen==7.1.0 --hash=sha256:{HASH}": "7.1.0",
    "gitops-gen==7.1.0 --index-url https://pypi.acme.internal/simple": "7.1.0",
    f"https://files.acme.internal/gitops_gen-7.1.0-py3-none-any.whl#sha256={HASH}": "7.1.0",
}


@pytest.mark.parametrize("install", PINS, ids=range(len(PINS)))
def test_check_notes_a_ci_install_pin_of_another_version_and_still_passes(
    repo: Path, install: str
) -> None:
    pin(repo, install)
    done = run(["check"])
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        f"gitops-gen: note: ci.install in catalog/platform.yaml pins gitops-gen {PINS[install]}"
        f" for CI; this is gitops-gen {__version__}\n"
    )


@pytest.mark.parametrize(
    "install",
    [
        f"gitops-gen=={__version__}",
        "gitops-gen @ git+https://github.com/acme/gitops-gen@" + "a" * 40,  # no version to tell
        "./tools/gitops-gen",
    ],
)
def test_check_is_silent_when_the_pin_matches_or_names_no_version(repo: Path, install: str) -> None:
    pin(repo, install)
    done = run(["check"])
    assert (done.exit_code, done.stderr) == (0, "")


def test_both_notes_when_the_manifest_and_the_pin_differ(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin(repo, "gitops-gen==7.1.0")
    running(monkeypatch, "99.0.0")
    done = run(["check"])
    assert done.exit_code == 0
    assert done.stderr.splitlines() == [
        f"gitops-gen: note: rendered/.gitops-gen-manifest.json was written by gitops-gen "
        f"{__version__}; this is gitops-gen 99.0.0",
        "gitops-gen: note: ci.install in catalog/platform.yaml pins gitops-gen 7.1.0 for CI;"
        " this is gitops-gen 99.0.0",
    ]
