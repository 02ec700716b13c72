"""Every family of a service lands in the same base and overlays: none replaces another's files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.backends import ESO, secret_parts
from generator.catalog.facts import Facts
from generator.catalog.load import load_catalog
from generator.catalog.models import Environment, Service
from generator.families import kustomize
from generator.parts.inventory import Inventory, ObjectId
from generator.parts.kube import Parts, Patch
from generator.parts.result import Results
from tests.conftest import REPO_CATALOG
from tests.tools import kustomize_build

EXTRA = "configmap-extra.yaml"


def eso_parts(facts: Facts, service: Service) -> Parts | None:
    """The ESO family alone (services on an AWS backend)."""
    plan = facts.secret_plan(service)
    if plan is None or plan.backend.operator != ESO:
        return None
    return secret_parts(facts, service)


def extra_family(facts: Facts, service: Service) -> Parts | None:
    """A second family beside ESO: one ConfigMap in base, one patch of it per env."""
    if eso_parts(facts, service) is None:
        return None
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra"}}

    def patches(env: Environment) -> list[Patch]:
        ops = [{"op": "add", "path": "/data", "value": {"ENV": env.name}}]
        return [Patch("patches/configmap-extra.yaml", "v1", "ConfigMap", "extra", ops)]

    return Parts({EXTRA: obj}, patches, {"extra-secret": frozenset({"K"})})


@pytest.fixture(scope="module")
def rendered() -> tuple[Facts, dict[str, str], Inventory]:
    facts = Facts(load_catalog(REPO_CATALOG))
    result = kustomize.render(facts, [eso_parts, extra_family])
    return facts, result.files, Results((result,)).inventory()


def test_base_lists_every_familys_resources(
    rendered: tuple[Facts, dict[str, str], Inventory],
) -> None:
    facts, files, _ = rendered
    services = [s for s in facts.services if eso_parts(facts, s) is not None]
    assert services
    for service in services:
        base = f"kustomize/{service.name}/base"
        resources = yaml.safe_load(files[f"{base}/kustomization.yaml"])["resources"]
        assert "externalsecret.yaml" in resources
        assert EXTRA in resources
        assert {f"{base}/{name}" for name in resources} <= files.keys()


def test_overlays_patch_with_every_family_and_record_every_secret(
    rendered: tuple[Facts, dict[str, str], Inventory],
) -> None:
    facts, files, inventory = rendered
    service = next(s for s in facts.services if eso_parts(facts, s) is not None)
    for env in facts.envs:
        overlay = kustomize.overlay_dir(service.name, env.name)
        patches = yaml.safe_load(files[f"{overlay}/kustomization.yaml"])["patches"]
        paths = {p["path"] for p in patches}
        assert {"patches/externalsecret.yaml", "patches/configmap-extra.yaml"} <= paths
        namespace = facts.deployed(service, env).namespace
        assert ObjectId(env.name, namespace, "Secret", "extra-secret") in inventory.produced


def test_the_merged_overlay_builds_with_both_families(
    rendered: tuple[Facts, dict[str, str], Inventory], tmp_path: Path
) -> None:
    facts, files, _ = rendered
    service = next(s for s in facts.services if eso_parts(facts, s) is not None)
    for rel, text in files.items():
        if rel.startswith(f"kustomize/{service.name}/"):
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_text(text)
    env = facts.envs[0]
    built = yaml.safe_load_all(
        kustomize_build(tmp_path / kustomize.overlay_dir(service.name, env.name))
    )
    kinds = {(d["kind"], d["metadata"]["name"]): d for d in built if d}
    assert any(kind == "ExternalSecret" for kind, _ in kinds)
    assert kinds[("ConfigMap", "extra")]["data"] == {"ENV": env.name}


def test_two_families_writing_the_same_file_is_refused() -> None:
    facts = Facts(load_catalog(REPO_CATALOG))
    with pytest.raises(RuntimeError, match="two secret families"):
        kustomize.render(facts, [eso_parts, eso_parts])


def test_a_service_with_secrets_has_the_tree_its_declared_apps_sync() -> None:
    """A backend that gives a service with secrets no objects (its `parts` may return None)
    still leaves the service a tree: `kustomize.apps` declared an app for each overlay, from
    the catalog alone, and the app must not point at nothing."""
    facts = Facts(load_catalog(REPO_CATALOG))
    files = kustomize.render(facts, [lambda _facts, _service: None]).files
    apps = list(kustomize.apps(facts))
    assert apps
    for app in apps:
        assert f"{app.path}/kustomization.yaml" in files, app
