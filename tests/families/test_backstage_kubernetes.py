"""Backstage finds each service: every object carries the label its catalog-info selects on,
the System its Components name exists, and Backstage's own catalog model accepts every entity."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.facts import configmap_name
from generator.catalog.load import load_catalog
from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG, render_tree
from tests.families.test_helm_real import chart_of, template
from tests.families.test_kustomize_real import built, write_out
from tests.tools import ROOT, need

CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]
LABEL = "backstage.io/kubernetes-id"
VALIDATOR = ROOT / "tools" / "validate-backstage.cjs"
CATALOG_MODEL = ROOT / "tools" / "node_modules" / "@backstage" / "catalog-model"


def selector(tree: dict[str, str], service: str) -> str:
    info = yaml.safe_load(tree[f"backstage/services/{service}/catalog-info.yaml"])
    selected: str = info["metadata"]["annotations"][LABEL]
    return selected


def assert_labelled(doc: dict[str, Any], service: str) -> None:
    assert doc["metadata"]["labels"][LABEL] == service, (doc["kind"], doc["metadata"]["name"])
    if doc["kind"] == "Deployment":  # the plugin lists pods by the same label
        assert doc["spec"]["template"]["metadata"]["labels"][LABEL] == service


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_every_object_of_a_service_carries_its_backstage_label(
    catalog: Path, tmp_path: Path
) -> None:
    out = write_out(catalog, tmp_path)
    tree = render_tree(catalog)
    cat = load_catalog(catalog)
    env = cat.platform.environments[0].name
    owner = {name: s.name for s in cat.services for name in (s.name, configmap_name(s))}
    checked = set()
    for overlay in sorted((out / "kustomize").glob(f"*/overlays/{env}")):
        service = overlay.parent.parent.name
        for doc in built(overlay):
            assert_labelled(doc, selector(tree, service))
            checked.add(doc["kind"])
    for doc in template(tmp_path, chart_of(out), env):
        if doc["kind"] != "Namespace":  # shared by services: no one service's object
            assert_labelled(doc, selector(tree, owner[doc["metadata"]["name"]]))
            checked.add(doc["kind"])
    assert {"Deployment", "Service", "ConfigMap"} <= checked


def entities(tree: dict[str, str]) -> list[dict[str, Any]]:
    return [
        yaml.safe_load(text)
        for path, text in tree.items()
        if path.startswith("backstage/") and "/skeleton/" not in path
    ]


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_the_system_the_components_name_is_rendered_and_registered(catalog: Path) -> None:
    tree = render_tree(catalog)
    docs = entities(tree)
    (system,) = [d for d in docs if d["kind"] == "System"]
    components = [d for d in docs if d["kind"] == "Component"]
    assert components and {c["spec"]["system"] for c in components} == {system["metadata"]["name"]}
    location = yaml.safe_load(tree["backstage/catalog-info.yaml"])
    assert "./system.yaml" in location["spec"]["targets"]
    assert yaml.safe_load(tree["backstage/system.yaml"]) == system


def validate(docs: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    node = need("node")
    if not CATALOG_MODEL.is_dir():
        pytest.skip("npm @backstage/catalog-model is not installed (run `make test`)")
    return subprocess.run(
        [node, str(VALIDATOR)], input=json.dumps(docs), capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_backstage_catalog_model_accepts_every_entity(catalog: Path) -> None:
    docs = entities(render_tree(catalog))
    result = validate(docs)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(docs)} entities checked, 0 problems" in result.stdout


def test_the_validator_rejects_a_component_without_its_system() -> None:
    docs = [d for d in entities(render_tree(REPO_CATALOG)) if d["kind"] != "System"]
    result = validate(docs)
    assert result.returncode == 1
    assert "spec.system acme names no System entity" in result.stdout
