"""The Secret each service's operator writes carries the service's Backstage label, so
Backstage's Kubernetes tab lists it beside the Deployment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.parts.kube import BACKSTAGE_LABEL
from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG, render_tree

CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]


def _objects(catalog: Path, kind: str) -> list[tuple[str, dict[str, object]]]:
    out = []
    for path, text in render_tree(catalog).items():
        if path.startswith("kustomize/") and "/base/" in path:
            out += [(path, d) for d in yaml.safe_load_all(text) if d and d.get("kind") == kind]
    return out


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_vso_writes_the_backstage_label_on_every_secret(catalog: Path) -> None:
    for path, doc in _objects(catalog, "VaultStaticSecret"):
        service = path.split("/")[1]
        destination = doc["spec"]["destination"]  # type: ignore[index]
        assert destination["labels"] == {BACKSTAGE_LABEL: service}, path


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_eso_copies_the_backstage_label_from_the_externalsecret(catalog: Path) -> None:
    """ESO copies an ExternalSecret's labels to its Secret only while `target.template` is
    unset; with one (the per-key blank check), only the template's: they must be the same."""
    for path, doc in _objects(catalog, "ExternalSecret"):
        service = path.split("/")[1]
        labels = doc["metadata"]["labels"]  # type: ignore[index]
        assert labels[BACKSTAGE_LABEL] == service, path
        template = doc["spec"]["target"].get("template")  # type: ignore[index]
        if template is not None:
            assert template["metadata"]["labels"] == labels, path


def test_the_catalogs_have_both_kinds() -> None:
    kinds = {k for c in CATALOGS for k in ("VaultStaticSecret", "ExternalSecret") if _objects(c, k)}
    assert kinds == {"VaultStaticSecret", "ExternalSecret"}
