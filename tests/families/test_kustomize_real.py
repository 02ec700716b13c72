"""kubectl kustomize builds every overlay; remote keys are the env's own and no _ENV_ survives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.load import load_catalog
from generator.output.plan import make_plan
from generator.output.write import apply
from generator.pipeline.render import OUT, WORKFLOWS, render_catalog
from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG
from tests.tools import kustomize_build

CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]


def write_out(catalog: Path, tmp: Path) -> Path:
    desired = render_catalog(load_catalog(catalog))
    apply(make_plan(desired, {OUT: tmp / "out", WORKFLOWS: tmp / "wf"}, OUT), OUT)
    return tmp / "out"


def built(folder: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(kustomize_build(folder)) if d]


def remote_keys(doc: dict[str, Any]) -> Iterator[str]:
    spec = doc["spec"]
    yield from (d["remoteRef"]["key"] for d in spec.get("data", []))
    yield from (d["extract"]["key"] for d in spec.get("dataFrom", []))


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_every_overlay_builds_with_its_own_env(catalog: Path, tmp_path: Path) -> None:
    out = write_out(catalog, tmp_path)
    overlays = sorted(out.glob("kustomize/*/overlays/*"))
    assert overlays
    cat = load_catalog(catalog)
    envs = {e.name: e for e in cat.platform.environments}
    services = {s.name: s for s in cat.services}
    for overlay in overlays:
        env = envs[overlay.name]
        own = services[overlay.parent.parent.name].environments.get(env.name)
        interval = own.refreshInterval if own and own.refreshInterval else env.refreshInterval
        text = kustomize_build(overlay)
        assert "_ENV_" not in text, overlay
        for doc in built(overlay):
            if doc["kind"] == "ExternalSecret":
                assert doc["spec"]["refreshInterval"] == interval
                keys = list(remote_keys(doc))
                assert keys and all(f"/{env.name}/" in f"/{k}" for k in keys), keys
                others = [e for e in envs if e != env.name]
                assert not any(f"/{o}/" in f"/{k}" for k in keys for o in others)


def test_seed_paths_are_the_documented_ones(tmp_path: Path) -> None:
    out = write_out(FIXTURES / "zerotouch", tmp_path)
    docs = built(out / "kustomize" / "service" / "overlays" / "prod")
    es = next(d for d in docs if d["kind"] == "ExternalSecret")
    assert list(remote_keys(es)) == [
        "/zerotouch/prod/service/database_url",
        "/zerotouch/prod/service/redis_url",
    ]
    assert es["metadata"]["labels"]["zerotouch.io/managed"] == "true"  # seed 001's label
    docs = built(out / "kustomize" / "payment-service" / "overlays" / "prod")
    es = next(d for d in docs if d["kind"] == "ExternalSecret")
    assert set(remote_keys(es)) == {"prod/payment-service"}
    properties = [d["remoteRef"]["property"] for d in es["spec"]["data"]]
    assert properties == [d["secretKey"] for d in es["spec"]["data"]] and properties
    assert es["spec"]["target"]["name"] == "payment-secrets"  # seed 000's name
    assert es["metadata"]["namespace"] == "payment"
