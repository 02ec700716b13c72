"""The documents an overlay is built from, where a template of the Kustomize tree is
overridden, are what the rendered files say: an override's output from the parse that checked
it, a built-in kustomization, ServiceAccount or SecretStore from its view (not parsed back),
the rest parsed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import concurrency
from generator.families.kustomize_build import Overlays
from tests.conftest import REPO_CATALOG, render_tree
from tests.templating.test_override_inventory import edited
from tests.templating.test_overrides import LABELS, OVERLAY, built_in, override

NOTE = "  annotations:\n    team.example.com/cost: cc-1\nspec:\n"
OVERRIDES = {  # template, its change, the file the overlays then read from the check's parse
    "externalsecret": ("eso/externalsecret.yaml.j2", "\nspec:\n", "\n" + NOTE, "externalsecret"),
    "vaultstaticsecret": (
        "vault/vaultstaticsecret.yaml.j2",
        "\nspec:\n",
        "\n" + NOTE,
        "vaultstatic",
    ),
    "overlay": (OVERLAY, "", "", "kustomization"),
}


@pytest.mark.parametrize(("name", "old", "new", "read"), OVERRIDES.values(), ids=OVERRIDES.keys())
def test_the_documents_the_overlays_read_are_what_their_files_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, old: str, new: str, read: str
) -> None:
    catalog = Path(shutil.copytree(REPO_CATALOG, tmp_path / "catalog"))
    text = edited(name, old, new) if old else built_in(name) + LABELS
    override(catalog, name, text)
    seen: list[tuple[dict[str, str], dict[str, list[Any]]]] = []
    real = Overlays.__init__

    def spy(self: Overlays, tree: dict[str, str], *args: Any, **kwargs: Any) -> None:
        seen.append((tree, dict(kwargs.get("held") or {})))
        real(self, tree, *args, **kwargs)

    monkeypatch.setattr(Overlays, "__init__", spy)
    concurrency.set_jobs(1)  # every family in this process, where the spy is
    try:
        render_tree(catalog)
    finally:
        concurrency.set_jobs(None)
    vault_only = name == "vault/vaultstaticsecret.yaml.j2"  # the trees of the vault services
    assert len(seen) > (0 if vault_only else 10)
    files = set()
    for tree, held in seen:
        for path, docs in held.items():
            parsed = [d for d in yaml.safe_load_all(tree[path]) if isinstance(d, dict)]
            assert docs == parsed, path
            files.add(path.rpartition("/")[2])
    assert "kustomization.yaml" in files  # the built-in ones from their views
    if not vault_only:  # an AWS service's IRSA, from its views
        assert {"serviceaccount.yaml", "secretstore.yaml"} <= files
    else:  # only the trees an override rendered a file of are built
        assert all(any("/vaultstaticsecret-" in path for path in tree) for tree, _ in seen)
    assert any(file.startswith(read) for file in files)
