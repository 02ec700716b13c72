"""No object is owned by two Argo CD apps: every rendered app's source built as Argo CD
builds it (kustomize, helm template, plain folder), keyed by cluster/group/kind/ns/name."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalog import load
from generator.catalog.load import load_catalog
from generator.pipeline.render import OUT, render_catalog
from generator.review import applied
from tests.conftest import FIXTURE_NAMES, FIXTURES, PLATFORM, REPO_CATALOG, SERVICE
from tests.tools import need


def built(catalog: Path) -> dict[applied.App, dict[applied.ObjectKey, applied.Obj]]:
    need("kubectl")
    need("helm")
    cat = load_catalog(catalog)
    tree = render_catalog(cat)[OUT]
    envs = [e.name for e in cat.platform.environments]
    return applied.built_objects(tree, applied.apps(tree, envs, cat.platform.renderedPath))


def one_cluster(tmp_path: Path) -> Path:
    """The example with prod moved into the cluster of dev and stage."""
    copy = tmp_path / "catalog"
    shutil.copytree(REPO_CATALOG, copy)
    platform = copy / "platform.yaml"
    text = platform.read_text()
    assert "    cluster: https://prod.k8s.acme.internal\n" in text
    platform.write_text(text.replace("    cluster: https://prod.k8s.acme.internal\n", ""))
    return copy


@pytest.mark.parametrize("variant", ["example", "one-cluster", *FIXTURE_NAMES])
def test_no_object_has_two_owners(variant: str, tmp_path: Path) -> None:
    catalog = {"example": REPO_CATALOG, "one-cluster": None}.get(variant, FIXTURES / variant)
    objects = built(catalog or one_cluster(tmp_path))
    assert sum(len(o) for o in objects.values()) > 10
    assert list(applied.shared(objects)) == []


def test_the_check_sees_two_owners_when_the_rules_are_off(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proof the ownership check can fail: the smallest two-env platform, rules bypassed."""
    monkeypatch.setattr(load, "isolation_problems", lambda *_: iter(()))
    platform = PLATFORM.replace("    cluster: https://prod.k8s.acme.internal\n", "")
    objects = built(make_catalog({"a": SERVICE.format(name="a")}, platform=platform))
    found = {f"{key} {names}" for key, names in applied.shared(objects)}
    assert "ExternalSecret a/a-secrets ['a-dev', 'a-prod']" in found
    assert "Namespace a ['acme-services-dev', 'acme-services-prod']" in found
    assert (
        "ClusterSecretStore acme-aws ['acme-secret-stores-dev', 'acme-secret-stores-prod']" in found
    )


def test_chart_namespaces_are_never_pruned() -> None:
    objects = built(REPO_CATALOG)
    namespaces = [o for app in objects.values() for k, o in app.items() if k.kind == "Namespace"]
    assert namespaces
    for ns in namespaces:
        assert ns["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false"
