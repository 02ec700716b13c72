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
