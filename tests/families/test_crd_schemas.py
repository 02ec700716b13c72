"""Every custom resource we render validates against the CRD's published schema."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG, render_tree
from tests.tools import crd_schema

CRD_GROUPS = ("external-secrets.io/", "secrets.hashicorp.com/", "argoproj.io/")


@pytest.mark.parametrize(
    "catalog", [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)], ids=lambda p: p.name
)
def test_custom_resources_match_crd_schemas(catalog: Path) -> None:
    checked = 0
    for path, text in render_tree(catalog).items():
        if not path.endswith(".yaml") or "/templates/" in f"/{path}" or "/skeleton/" in f"/{path}":
            continue
        for doc in yaml.safe_load_all(text):
            if isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith(CRD_GROUPS):
                jsonschema.validate(doc, crd_schema(doc["apiVersion"], doc["kind"]))
                checked += 1
    assert checked > 0
