"""Argo CD apps deploy every service in every env, from paths that exist in rendered/."""

from __future__ import annotations

from pathlib import PurePosixPath

import yaml

from generator.catalog.load import load_catalog
from tests.conftest import REPO_CATALOG, render_tree


def test_every_app_path_exists_and_every_service_env_is_deployed() -> None:
    cat = load_catalog(REPO_CATALOG)
    tree = render_tree(REPO_CATALOG)
    folders = {q for p in map(PurePosixPath, tree) for q in p.parents}
    prefix = PurePosixPath(cat.platform.renderedPath)
    for env in cat.platform.environments:
        apps = [d for d in yaml.safe_load_all(tree[f"argocd/{env.name}/applications.yaml"]) if d]
        paths = [PurePosixPath(a["spec"]["source"]["path"]) for a in apps]
        assert all(p.relative_to(prefix) in folders for p in paths), paths
        chart = next(a for a in apps if "helm" in a["spec"]["source"])
        assert chart["spec"]["source"]["helm"]["valueFiles"] == [
            "values.yaml",
            f"values-{env.name}.yaml",
        ]
        overlays = {
            a["metadata"]["name"] for a in apps if "/kustomize/" in a["spec"]["source"]["path"]
        }
        on = [
            s
            for s in cat.services
            if s.environments.get(env.name) is None or s.environments[env.name].enabled
        ]
        assert overlays == {f"{s.name}-{env.name}" for s in on if s.secrets}
        assert all(a["spec"]["destination"]["server"] == env.cluster for a in apps)
