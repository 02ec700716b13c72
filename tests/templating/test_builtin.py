"""A repo whose templates folder is the built-in package itself (this repo, read by an
installed gitops-gen of the same version) has no overrides; one changed file makes it a
folder of overrides again."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from generator.catalog.load import load_catalog
from generator.templating.builtin import is_copy, templates_dir
from generator.templating.engine import templates_for


def test_a_copy_of_the_built_in_package_is_no_override(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    folder = catalog.parent / "templates"
    shutil.copytree(templates_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    assert (folder / "__init__.py").is_file()
    assert is_copy(folder)
    assert templates_for(load_catalog(catalog)).override_names == frozenset()
    chart = folder / "helm" / "deployment.yaml"
    chart.write_text(chart.read_text() + "# ours\n")
    assert not is_copy(folder)
    assert "helm/deployment.yaml" in templates_for(load_catalog(catalog)).override_names


def test_a_folder_without_the_package_marker_is_overrides(
    make_catalog: Callable[..., Path],
) -> None:
    """A team that ejected every template unchanged still has overrides (they go stale)."""
    catalog = make_catalog()
    folder = catalog.parent / "templates"
    shutil.copytree(templates_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "__init__.py").unlink()
    assert not is_copy(folder)
    assert "helm/deployment.yaml" in templates_for(load_catalog(catalog)).override_names
