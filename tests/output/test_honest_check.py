"""`check` is clean only when what Argo CD would read equals the render, and `render` repairs
what it can; the tool never writes, deletes or follows a link outside its folders."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PLATFORM, SERVICE_SCOPE_PLATFORM, run
from tests.output.test_write import check, render, snapshot_dir

CHART = "helm/acme-services"


@pytest.fixture
def rendered(make_catalog: Callable[..., Path], tmp_path: Path) -> tuple[Path, Path]:
    catalog, out = make_catalog(), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    assert check(catalog, out).exit_code == 0
    return catalog, out


@pytest.mark.parametrize(
    "extra",
    [
        ".helmignore",  # makes helm skip templates: Argo CD would prune the Deployments
        "crds/evil.yaml",
        "charts/evil/Chart.yaml",
        "files/notes.txt",
    ],
)
def test_anything_added_to_the_chart_folder_is_stray(
    rendered: tuple[Path, Path], extra: str
) -> None:
    catalog, out = rendered
    path = out / CHART / extra
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("templates/deployment.yaml\n")
    result = check(catalog, out)
    assert result.exit_code == 1
    assert f"stray               {out.as_posix()}/{CHART}/{extra}" in result.output


def test_a_linked_folder_in_the_chart_is_stray_and_not_followed(
    rendered: tuple[Path, Path], tmp_path: Path
) -> None:
    catalog, out = rendered
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "evil.yaml").write_text("kind: ClusterRoleBinding\n")
    os.symlink(elsewhere, out / CHART / "templates" / "more")
    result = check(catalog, out)
    assert result.exit_code == 1
    assert f"{out.as_posix()}/{CHART}/templates/more\n" in result.output
    assert "evil.yaml" not in result.output


def test_a_generated_file_replaced_by_a_link_is_drift_and_render_replaces_the_link(
    rendered: tuple[Path, Path], tmp_path: Path
) -> None:
    """Even a link to a file with the very same text: what the link points at is not what
    the render wrote (and may be outside the repo)."""
    catalog, out = rendered
    victim = out / CHART / "values.yaml"
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(victim.read_bytes())
    victim.unlink()
    os.symlink(outside, victim)
    result = check(catalog, out)
    assert result.exit_code == 1
    assert "(on disk: a symbolic link to" in result.output
    assert render(catalog, out)[0] == 0
    assert not victim.is_symlink() and victim.read_bytes() == outside.read_bytes()
    assert check(catalog, out).exit_code == 0


def test_an_executable_generated_file_is_drift_and_render_repairs_its_mode(
    rendered: tuple[Path, Path],
) -> None:
    catalog, out = rendered
    victim = out / CHART / "templates" / "deployment.yaml"
    victim.chmod(0o755)
    result = check(catalog, out)
    assert result.exit_code == 1
    assert "(on disk: an executable file (mode 755)" in result.output
    assert render(catalog, out)[0] == 0
    assert not victim.stat().st_mode & 0o111
    assert check(catalog, out).exit_code == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_place_of_a_generated_file_does_not_hang_check_or_render(
    rendered: tuple[Path, Path],
) -> None:
    catalog, out = rendered
    victim = out / CHART / "values.yaml"
    victim.unlink()
    os.mkfifo(victim)
    command = ["check", "--catalog", str(catalog), "--out", str(out)]
    command += ["--workflows-dir", str(out.parent / "wf")]
    done = subprocess.run(  # a hang would end in the timeout, a failure
        [sys.executable, "-m", "generator", *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and "not a regular file" in done.stdout
    assert render(catalog, out)[0] == 0
    assert stat.S_ISREG(victim.lstat().st_mode)


def test_folders_a_killed_run_left_empty_are_removed(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    """Killed after deleting a removed service's files, before their folders went: the
    manifest still lists the files, and the next render removes the empty folders."""
    from tests.conftest import SERVICE

    two = {"svc": SERVICE.format(name="svc"), "old": SERVICE.format(name="old")}
    catalog, out = make_catalog(two, platform=SERVICE_SCOPE_PLATFORM), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    for path in sorted((out / "kustomize" / "old").rglob("*"), reverse=True):
        if path.is_file():
            path.unlink()  # what the killed run did; its empty folders stay
    (catalog / "services" / "old.yaml").unlink()
    assert render(catalog, out)[0] == 0
    assert not (out / "kustomize" / "old").exists()
    assert check(catalog, out).exit_code == 0


@pytest.mark.parametrize(
    ("field", "line"),
    [("renderedPath", "renderedPath: ../elsewhere"), ("templatesPath", "templatesPath: a/../../t")],
)
def test_a_catalog_path_that_leaves_the_repo_is_refused(
    make_catalog: Callable[..., Path], field: str, line: str
) -> None:
    catalog = make_catalog(platform=PLATFORM + line + "\n")
    result = run(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    value = line.split(": ")[1]
    lineno = len(PLATFORM.splitlines()) + 1
    col = len(field) + 3
    assert result.output == (
        f"{catalog}/platform.yaml:{lineno}:{col}: {field}: {value!r} leaves the repo: a path "
        "here names a folder inside it (no `..`)\n"
    )


def test_workflows_path_that_leaves_the_repo_is_refused(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog(platform=PLATFORM + "ci:\n  workflowsPath: ../../outside/home\n")
    result = run(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert "ci.workflowsPath: '../../outside/home' leaves the repo" in result.output


def test_a_linked_folder_on_the_way_to_the_workflows_is_refused(
    make_catalog: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`.github` as a link: the workflows would be written wherever it points."""
    catalog = make_catalog()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(tmp_path)
    os.symlink(elsewhere, tmp_path / ".github")
    before = snapshot_dir(elsewhere)
    result = run(["render", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.output == (
        ".github: output: a symlink on the way to the output folder; refusing to follow it\n"
    )
    assert snapshot_dir(elsewhere) == before
