"""Backstage template and catalog-info files; the skeleton yields the entry new-service writes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from syrupy.assertion import SnapshotAssertion

from generator.catalog.load import load_catalog
from generator.commands.scaffold import NewService, entry_text
from generator.families.skeleton import fill_skeleton
from tests.conftest import REPO_CATALOG, render_tree, run

TREE = render_tree(REPO_CATALOG)


def doc(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(TREE[path])
    return loaded


def fill_step_values(template: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """What Backstage passes to fetch:template: `${{ parameters.x }}` keeps the value's type."""
    step = next(s for s in template["spec"]["steps"] if s["action"] == "fetch:template")
    out = {}
    for key, value in step["input"]["values"].items():
        match = re.fullmatch(r"\$\{\{ parameters\.(\w+) \}\}", str(value))
        out[key] = parameters.get(match.group(1), "") if match else value
    return out


def test_template_has_the_required_shape() -> None:
    template = doc("backstage/template/template.yaml")
    assert template["apiVersion"] == "scaffolder.backstage.io/v1beta3"
    assert template["kind"] == "Template"
    spec = template["spec"]
    assert {"owner", "type", "parameters", "steps"} <= set(spec)
    props = {k: v for page in spec["parameters"] for k, v in page["properties"].items()}
    platform = load_catalog(REPO_CATALOG).platform
    assert props["backend"]["enum"] == sorted(platform.secretBackends)
    assert props["owner"]["ui:field"] == "OwnerPicker"
    actions = [s["action"] for s in spec["steps"]]
    assert actions == ["fetch:template", "publish:github:pull-request"]
    assert spec["steps"][1]["input"]["repoUrl"] == "github.com?owner=acme&repo=gitops"


def test_skeleton_filled_like_backstage_is_the_new_service_entry(tmp_path: Path) -> None:
    template = doc("backstage/template/template.yaml")
    params: dict[str, Any] = {
        "name": "checkout",
        "owner": "group:default/team-shop",
        "description": "Checkout API",
        "namespace": "",
        "imageRepository": "ghcr.io/acme/checkout",
        "imageTag": "v2.0.1",
        "port": 9090,
        "backend": "ssm",
        "secretKeys": ["DB_PASSWORD", "API_TOKEN"],
    }
    # the form's own JSON Schema accepts these parameters
    for page in template["spec"]["parameters"]:
        schema = {
            "type": "object",
            "required": page["required"],
            "properties": {
                k: {kk: vv for kk, vv in v.items() if not kk.startswith("ui:")}
                for k, v in page["properties"].items()
            },
        }
        jsonschema.validate(params, schema)
    skeleton = [p for p in TREE if str(p).startswith("backstage/template/skeleton/")]
    assert [str(p) for p in skeleton] == [
        "backstage/template/skeleton/catalog/services/${{ values.name }}.yaml"
    ]
    filled = fill_skeleton(fill_step_values(template, params))
    platform = load_catalog(REPO_CATALOG).platform
    spec = NewService(
        name="checkout",
        owner="group:default/team-shop",
        backend="ssm",
        keys=("DB_PASSWORD", "API_TOKEN"),
        image="ghcr.io/acme/checkout:v2.0.1",
        port=9090,
        description="Checkout API",
    )
    assert filled == entry_text(platform, spec)
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO_CATALOG, catalog)
    (catalog / "services" / "checkout.yaml").write_text(filled)
    assert "checkout" in [s.name for s in load_catalog(catalog).services]


def test_every_catalog_info_carries_the_required_fields() -> None:
    catalog = load_catalog(REPO_CATALOG)
    location = doc("backstage/catalog-info.yaml")
    assert location["kind"] == "Location"
    for svc in catalog.services:
        path = f"backstage/services/{svc.name}/catalog-info.yaml"
        assert f"./services/{svc.name}/catalog-info.yaml" in location["spec"]["targets"]
        info = doc(path)
        assert info["apiVersion"] == "backstage.io/v1alpha1" and info["kind"] == "Component"
        assert info["metadata"]["name"] == svc.name
        assert info["spec"] == {
            "type": "service",
            "lifecycle": "production",
            "owner": svc.owner,
            "system": "acme",
        }
        ann = info["metadata"]["annotations"]
        assert ann["argocd/app-selector"] == f"app.kubernetes.io/name={svc.name}"
        assert ann["backstage.io/source-location"].startswith(
            "url:https://github.com/acme/gitops/tree/main/"
        )
        # the selector really selects this service's Argo CD apps
        for env in catalog.platform.environments:
            apps = list(yaml.safe_load_all(TREE[f"argocd/{env.name}/applications.yaml"]))
            mine = [
                a for a in apps if a["metadata"]["labels"].get("app.kubernetes.io/name") == svc.name
            ]
            assert [a["metadata"]["name"] for a in mine] == [f"{svc.name}-{env.name}"]


def test_schema_files_are_committed_where_modelines_point() -> None:
    for kind in ("platform", "service"):
        schema = yaml.safe_load(TREE[f"schema/{kind}.schema.json"])
        assert schema["$id"].endswith(f"{kind}.schema.json")
        assert (
            run(["schema", "--for", kind]).output.splitlines()[1:]
            == TREE[f"schema/{kind}.schema.json"].splitlines()[2:]
        )
    for path in sorted(REPO_CATALOG.rglob("*.yaml")):
        first = path.read_text().splitlines()[0]
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target.is_file(), (path, target)
        jsonschema.validate(yaml.safe_load(path.read_text()), yaml.safe_load(target.read_text()))


RUNBOOK_SERVICES = ["payment-service", "tenant-api", "lornu-ai", "my-app", "cert-manager"]


def test_one_runbook_per_backend(snapshot: SnapshotAssertion) -> None:
    catalog = load_catalog(REPO_CATALOG)
    backends = {s.name: s.secrets.backend for s in catalog.services if s.secrets}
    assert sorted({backends[s] for s in RUNBOOK_SERVICES}) == sorted(
        catalog.platform.secretBackends
    )
    assert {s: TREE[f"runbooks/{s}.md"] for s in RUNBOOK_SERVICES} == snapshot
