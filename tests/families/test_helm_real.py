"""helm lint --strict and helm template for every env; the wiring each Deployment gets."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.load import load_catalog
from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG
from tests.families.test_kustomize_real import write_out
from tests.tools import need

CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]


def helm(tmp: Path) -> Callable[..., str]:
    binary = need("helm")
    env = {
        **os.environ,
        **{f"HELM_{k}_HOME": str(tmp / f"helm-{k.lower()}") for k in ("CACHE", "CONFIG", "DATA")},
    }

    def run(*args: str) -> str:
        return subprocess.run(
            [binary, *args], check=True, capture_output=True, text=True, env=env
        ).stdout

    return run


def template(tmp: Path, chart: Path, env: str) -> list[dict[str, Any]]:
    out = helm(tmp)("template", "r", str(chart), "-f", str(chart / f"values-{env}.yaml"))
    return [d for d in yaml.safe_load_all(out) if d]


def chart_of(out: Path) -> Path:
    (chart,) = sorted((out / "helm").iterdir())
    return chart


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_chart_lints_and_templates_for_every_env(catalog: Path, tmp_path: Path) -> None:
    out = write_out(catalog, tmp_path)
    chart = chart_of(out)
    run = helm(tmp_path)
    cat = load_catalog(catalog)
    for env in cat.platform.environments:
        run("lint", "--strict", str(chart), "-f", str(chart / f"values-{env.name}.yaml"))
        docs = template(tmp_path, chart, env.name)
        deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
        enabled = {
            s.name
            for s in cat.services
            if (s.environments.get(env.name) is None or s.environments[env.name].enabled)
        }
        assert set(deployments) == enabled


def test_seed_003_stage_and_prod_differ_and_wire_their_own_objects(tmp_path: Path) -> None:
    out = write_out(FIXTURES / "seed003", tmp_path)
    chart = chart_of(out)
    seen = {}
    for env in ("stage", "prod"):
        docs = template(tmp_path, chart, env)
        dep = next(
            d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "my-app"
        )
        cm = next(
            d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "my-app-config"
        )
        ns = f"my-app-{env}"
        assert dep["metadata"]["namespace"] == cm["metadata"]["namespace"] == ns
        container = dep["spec"]["template"]["spec"]["containers"][0]
        assert container["envFrom"] == [
            {"configMapRef": {"name": "my-app-config"}},
            {"secretRef": {"name": "my-app-secrets"}},
        ]
        # the Secret the env's ExternalSecret creates, in that same namespace
        kust = yaml.safe_load(
            (out / "kustomize/my-app/overlays" / env / "kustomization.yaml").read_text()
        )
        base = yaml.safe_load((out / "kustomize/my-app/base/externalsecret.yaml").read_text())
        assert kust["namespace"] == ns and base["spec"]["target"]["name"] == "my-app-secrets"
        seen[env] = (
            cm["data"],
            dep["spec"]["replicas"],
            dep["spec"]["template"]["metadata"]["annotations"]["checksum/config"],
        )
    assert seen["stage"][0]["APP_ENV"] == "stage" and seen["prod"][0]["APP_ENV"] == "production"
    assert seen["stage"][1] == 1 and seen["prod"][1] == 3
    assert seen["stage"][2] != seen["prod"][2]


def test_env_injection_gets_one_secret_key_ref_per_key(tmp_path: Path) -> None:
    out = write_out(REPO_CATALOG, tmp_path)
    docs = template(tmp_path, chart_of(out), "prod")
    dep = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "lornu-ai")
    env = dep["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": "lornu-ai-secrets", "key": k}}}
        for k in ("RESEND_API_KEY", "OPENAI_API_KEY")
    ]


def test_config_values_come_back_byte_equal(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    tricky = {
        "A": "on",
        "B": "1.10",
        "C": "{{ .Values.x }}",
        "D": "a: b\n- c",
        "E": "# not a comment",
        "F": "ünï ☃ 😀",
    }
    lines = "".join(
        f"  {k}: {yaml.safe_dump(v, default_style=chr(34)).strip()}\n" for k, v in tricky.items()
    )
    service = f"name: svc\nowner: t\nimage: {{repository: r, tag: t}}\nconfig:\n{lines}"
    out = write_out(make_catalog({"svc": service}), tmp_path)
    docs = template(tmp_path, chart_of(out), "prod")
    cm = next(d for d in docs if d["kind"] == "ConfigMap")
    assert cm["data"] == tricky


def test_disabled_service_is_left_out_of_that_env(tmp_path: Path) -> None:
    out = write_out(FIXTURES / "seed003", tmp_path)
    chart = chart_of(out)
    names = {
        env: {
            d["metadata"]["name"]
            for d in template(tmp_path, chart, env)
            if d["kind"] == "Deployment"
        }
        for env in ("stage", "prod")
    }
    assert names == {"stage": {"my-app", "beta-feature"}, "prod": {"my-app"}}
    prod_apps = (out / "argocd" / "prod" / "applications.yaml").read_text()
    assert "beta-feature" not in prod_apps
    assert "beta-feature-stage" in (out / "argocd" / "stage" / "applications.yaml").read_text()
