"""An output folder a flag names may be anywhere, but never one that holds the catalog or the
templates: the manifest there (in git, editable by any change) names what a render deletes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run


@pytest.mark.parametrize("flag", ["--out", "--workflows-dir"])
def test_an_output_folder_holding_the_catalog_is_refused(
    make_catalog: Callable[..., Path], flag: str
) -> None:
    catalog = make_catalog()
    repo = catalog.parent
    manifest = {"generator": "gitops-gen", "files": {"out": ["catalog/platform.yaml"]}}
    (repo / ".gitops-gen-manifest.json").write_text(json.dumps(manifest))
    before = (catalog / "platform.yaml").read_bytes()
    folders = {"--out": str(repo / "rendered"), "--workflows-dir": str(repo / "wf")}
    folders[flag] = str(repo)
    args = ["--catalog", str(catalog), *[x for kv in folders.items() for x in kv]]
    result = run(["render", *args])
    assert result.exit_code == 2
    assert result.output == (
        f"{repo}: output: the output folder holds the catalog ({catalog.as_posix()}); a "
        "render deletes the files its manifest lists: give the output a folder of its own\n"
    )
    assert (catalog / "platform.yaml").read_bytes() == before
    assert run(["check", *args]).exit_code == 2


def test_an_output_folder_holding_the_templates_is_refused(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    templates = catalog.parent / "templates"
    (templates / "runbooks").mkdir(parents=True)
    args = ["--catalog", str(catalog), "--workflows-dir", str(catalog.parent / "wf")]
    result = run(["render", *args, "--out", str(templates.parent / "templates")])
    assert result.exit_code == 2
    assert "the output folder holds the templates" in result.output
    assert run(["render", *args, "--out", str(catalog.parent / "rendered")]).exit_code == 0


def test_a_first_render_looks_at_no_folder_but_a_folder_in_the_way_is_found(
    make_catalog: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An output folder holding only this run's staging folder has nothing on the way of a
    write: no folder of the tree is looked at (a tenth of a second at 10,000 services). One
    holding anything else has each folder checked."""
    from generator.output import guard

    catalog, out = make_catalog(), tmp_path / "rendered"
    looked: list[str] = []
    real_mode = guard._mode

    def mode(full: str) -> int | None:
        looked.append(full)
        return real_mode(full)

    monkeypatch.setattr(guard, "_mode", mode)
    args = ["render", "--catalog", str(catalog), "--out", str(out)]
    args += ["--workflows-dir", str(tmp_path / "wf")]
    assert run(args).exit_code == 0
    assert looked == []
    for path in [p for p in out.rglob("*") if p.is_file()]:
        path.unlink()
    blocker = out / "kustomize"
    for path in sorted(blocker.rglob("*"), reverse=True):
        path.rmdir()
    blocker.rmdir()
    blocker.write_text("mine\n")
    result = run(args)
    assert result.exit_code == 2
    assert result.output == f"{blocker}: output: a file stands where a generated folder goes\n"
    assert looked
