"""A rotated value reaches running pods: Reloader restarts ESO-backed Deployments (VSO restarts
its own through rolloutRestartTargets), and the cluster that runs them installs Reloader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.load import load_catalog
from generator.families.operators import RELOAD_ANNOTATION
from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG
from tests.families.test_helm_real import chart_of, template
from tests.families.test_kustomize_real import write_out

CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]


def secrets_read(deployment: dict[str, Any]) -> set[str]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    names = {s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s}
    names |= {
        e["valueFrom"]["secretKeyRef"]["name"]
        for e in container.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    return names


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_eso_backed_deployments_restart_when_their_secret_changes(
    catalog: Path, tmp_path: Path
) -> None:
    cat = load_catalog(catalog)
    out = write_out(catalog, tmp_path)
    first = cat.platform.environments[0].name
    backends = cat.platform.secretBackends
    eso = {
        s.name for s in cat.services if s.secrets and backends[s.secrets.backend].type != "vault"
    }
    for doc in template(tmp_path, chart_of(out), first):
        if doc["kind"] != "Deployment":
            continue
        reload = doc["metadata"].get("annotations", {}).get(RELOAD_ANNOTATION)
        if doc["metadata"]["name"] in eso:
            assert set(reload.split(",")) == secrets_read(doc)
        else:
            assert reload is None  # VSO restarts it, or it has no secret
    text = (out / "argocd" / first / "operators.yaml").read_text() if eso else ""
    reloaders = [d for d in yaml.safe_load_all(text) if d and "reloader" in d["metadata"]["name"]]
    assert len(reloaders) == (1 if eso else 0)
    for app in reloaders:  # an env var would show as drift in Argo CD; an annotation does not
        values = app["spec"]["source"]["helm"]["valuesObject"]
        assert values["reloader"]["reloadStrategy"] == "annotations"
