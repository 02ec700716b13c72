"""`kubernetes:` names and defaults, and a service's per-env overrides: each setting changes
exactly the objects that carry it, and the defaults change nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.catalog.load import load_catalog
from generator.pipeline.render import OUT, WORKFLOWS, render_catalog
from tests.conftest import FIXTURES, SERVICE, own_issuers, render_tree
from tests.conftest import PLATFORM as CLUSTER_SCOPE
from tests.families.test_helm_real import chart_of, template
from tests.families.test_kustomize_real import built, write_out

# Two AWS services need the `service` store scope (a ClusterSecretStore would let each read the
# other's secret): every cluster its own OIDC issuer.
PLATFORM = own_issuers(CLUSTER_SCOPE).replace(
    'accountId: "123456789012"', 'accountId: "123456789012"\n  oidcProvider: oidc.example/id/X'
)
SERVICES = {"web": SERVICE.format(name="web"), "api": SERVICE.format(name="api")}
Make = Callable[..., Path]


def changed(make_catalog: Make, services: dict[str, str], platform: str = PLATFORM) -> list[str]:
    """The output files that differ from the two-service catalog with every default."""
    before = render_tree(make_catalog(SERVICES, platform=PLATFORM))
    after = render_tree(make_catalog(services, platform=platform))
    return sorted(p for p in {*before, *after} if before.get(p) != after.get(p))


def doc(tree: dict[str, str], path: str) -> Any:
    return yaml.safe_load(tree[path])


def with_web(extra: str) -> dict[str, str]:
    return {**SERVICES, "web": SERVICES["web"] + extra}


def test_spelled_out_defaults_render_the_same_files(make_catalog: Make) -> None:
    defaults = (
        "kubernetes:\n"
        '  secretName: "{service}-secrets"\n'
        '  clusterStoreName: "{system}-{backend}"\n'
        "  managedLabel: gitops-gen.io/managed\n"
        "  probes: {readiness: {path: /healthz}, liveness: {path: /healthz}}\n"
        "  podSecurity: {runAsNonRoot: true, dropCapabilities: [ALL]}\n"
    )
    assert changed(make_catalog, SERVICES, PLATFORM + defaults) == []


def test_service_secret_name_renames_the_target_the_chart_and_the_runbook(
    make_catalog: Make,
) -> None:
    services = with_web("  secretName: payment-secrets\n")
    assert changed(make_catalog, services) == [
        "helm/acme-services/values.yaml",
        "kustomize/web/base/externalsecret.yaml",
        "kustomize/web/overlays/dev/kustomization.yaml",
        "kustomize/web/overlays/prod/kustomization.yaml",
        "runbooks/web.md",
    ]
    tree = render_tree(make_catalog(services, platform=PLATFORM))
    es = doc(tree, "kustomize/web/base/externalsecret.yaml")
    assert es["spec"]["target"]["name"] == es["metadata"]["name"] == "payment-secrets"
    values = doc(tree, "helm/acme-services/values.yaml")["services"]
    assert values["web"]["secretName"] == "payment-secrets"
    assert values["api"]["secretName"] == "api-secrets"
    assert "Secret `payment-secrets`" in tree["runbooks/web.md"]


def test_platform_secret_name_template_renames_every_service(make_catalog: Make) -> None:
    platform = PLATFORM + 'kubernetes: {secretName: "{system}-{service}-env"}\n'
    tree = render_tree(make_catalog(SERVICES, platform=platform))
    values = doc(tree, "helm/acme-services/values.yaml")["services"]
    assert {n: v["secretName"] for n, v in values.items()} == {
        "api": "acme-api-env",
        "web": "acme-web-env",
    }


def test_managed_label_moves_the_es_label_the_runbook_and_the_force_sync(
    make_catalog: Make,
) -> None:
    platform = PLATFORM + "kubernetes: {managedLabel: zerotouch.io/managed}\n"
    assert changed(make_catalog, SERVICES, platform) == [
        "kustomize/api/base/externalsecret.yaml",
        "kustomize/web/base/externalsecret.yaml",
        "runbooks/api.md",
        "runbooks/web.md",
    ]
    trees = render_catalog(load_catalog(make_catalog(SERVICES, platform=platform)))
    labels = doc(trees[OUT], "kustomize/web/base/externalsecret.yaml")["metadata"]["labels"]
    assert labels["zerotouch.io/managed"] == "true"
    assert "gitops-gen.io/managed" not in labels
    workflows = "".join(trees[WORKFLOWS].values())
    assert "-l zerotouch.io/managed=true" in workflows
    assert "gitops-gen.io/managed" not in workflows + trees[OUT]["runbooks/web.md"]


def test_cluster_store_name_renames_the_stores_and_their_references(make_catalog: Make) -> None:
    platform = CLUSTER_SCOPE + 'kubernetes: {clusterStoreName: "{backend}-store"}\n'
    tree = render_tree(make_catalog({"web": SERVICES["web"]}, platform=platform))
    assert sorted(p for p in tree if p.startswith("platform/secret-stores/")) == [
        "platform/secret-stores/aws-store.yaml",
        "platform/secret-stores/kustomization.yaml",
        "platform/secret-stores/ssm-store.yaml",
    ]
    assert doc(tree, "platform/secret-stores/aws-store.yaml")["metadata"]["name"] == "aws-store"
    ref = doc(tree, "kustomize/web/base/externalsecret.yaml")["spec"]["secretStoreRef"]
    assert ref == {"kind": "ClusterSecretStore", "name": "aws-store"}


def test_service_store_name_renames_the_secret_store_and_its_reference(
    make_catalog: Make,
) -> None:
    platform = PLATFORM + 'kubernetes: {serviceStoreName: "{service}-aws"}\n'
    tree = render_tree(make_catalog(SERVICES, platform=platform))
    store = doc(tree, "kustomize/web/base/secretstore.yaml")
    assert store["metadata"]["name"] == "web-aws"
    ref = doc(tree, "kustomize/web/base/externalsecret.yaml")["spec"]["secretStoreRef"]
    assert ref == {"kind": "SecretStore", "name": "web-aws"}


def test_probe_and_pod_security_defaults_are_inherited_and_overridden(
    make_catalog: Make,
) -> None:
    platform = PLATFORM + (
        "kubernetes:\n"
        "  probes: {readiness: {path: /ready}, liveness: {periodSeconds: 30}}\n"
        "  podSecurity: {runAsUser: 10001, readOnlyRootFilesystem: false}\n"
    )
    services = with_web("probes: {readiness: {path: /web/ready}}\npodSecurity: {runAsUser: 2000}\n")
    assert changed(make_catalog, services, platform) == ["helm/acme-services/values.yaml"]
    values = doc(
        render_tree(make_catalog(services, platform=platform)), "helm/acme-services/values.yaml"
    )
    web, api = values["services"]["web"], values["services"]["api"]
    assert web["probes"]["readiness"]["path"] == "/web/ready"
    assert api["probes"]["readiness"]["path"] == "/ready"
    assert web["probes"]["liveness"] == api["probes"]["liveness"]
    assert api["probes"]["liveness"]["periodSeconds"] == 30
    assert api["probes"]["liveness"]["path"] == "/healthz"
    assert web["podSecurityContext"]["runAsUser"] == 2000
    assert api["podSecurityContext"]["runAsUser"] == 10001
    assert web["securityContext"]["readOnlyRootFilesystem"] is False


def test_per_env_namespace_moves_only_that_env(make_catalog: Make) -> None:
    services = with_web("environments:\n  prod: {namespace: web-production}\n")
    assert changed(make_catalog, services) == [
        "argocd/prod/applications.yaml",
        "argocd/prod/projects.yaml",
        "helm/acme-services/values-prod.yaml",
        "kustomize/web/overlays/prod/kustomization.yaml",
        "runbooks/web.md",
        "terraform/envs/prod/terraform.tfvars.json",  # the IRSA trust names the namespace
    ]
    tree = render_tree(make_catalog(services, platform=PLATFORM))
    assert doc(tree, "kustomize/web/overlays/prod/kustomization.yaml")["namespace"] == (
        "web-production"
    )
    assert doc(tree, "kustomize/web/overlays/dev/kustomization.yaml")["namespace"] == "web"
    prod = doc(tree, "helm/acme-services/values-prod.yaml")["services"]["web"]
    assert prod["namespace"] == "web-production"


def test_per_env_refresh_interval_patches_only_that_env(make_catalog: Make) -> None:
    services = with_web("environments:\n  prod: {refreshInterval: 5m}\n")
    assert changed(make_catalog, services) == [
        "kustomize/web/overlays/prod/patches/externalsecret.yaml"
    ]
    tree = render_tree(make_catalog(services, platform=PLATFORM))
    for env, interval in (("dev", "5m"), ("prod", "5m")):
        ops = doc(tree, f"kustomize/web/overlays/{env}/patches/externalsecret.yaml")
        assert {"op": "replace", "path": "/spec/refreshInterval", "value": interval} in ops
    api = doc(tree, "kustomize/api/overlays/prod/patches/externalsecret.yaml")
    assert {"op": "replace", "path": "/spec/refreshInterval", "value": "1h"} in api


def test_zerotouch_fixture_uses_seed_001s_label() -> None:
    trees = render_catalog(load_catalog(FIXTURES / "zerotouch"))
    es = doc(trees[OUT], "kustomize/service/base/externalsecret.yaml")
    assert es["metadata"]["labels"]["zerotouch.io/managed"] == "true"
    assert "-l zerotouch.io/managed=true" in "".join(trees[WORKFLOWS].values())


def test_seed_names_agree_in_built_overlays_and_templated_chart(tmp_path: Path) -> None:
    """Real kustomize and helm: in every env each Deployment's secretRef is the Secret the
    service's ExternalSecret targets, in the same namespace, under the seeds' names."""
    out = write_out(FIXTURES / "zerotouch", tmp_path)
    chart = chart_of(out)
    targets: dict[tuple[str, str], dict[str, str]] = {}
    for env in ("dev", "stg", "prod"):
        for svc in ("payment-service", "service"):
            (es,) = [
                d
                for d in built(out / "kustomize" / svc / "overlays" / env)
                if d["kind"] == "ExternalSecret"
            ]
            targets[(env, svc)] = {
                "namespace": es["metadata"]["namespace"],
                "secret": es["spec"]["target"]["name"],
                "refresh": es["spec"]["refreshInterval"],
            }
        for d in template(tmp_path, chart, env):
            if d["kind"] != "Deployment" or d["metadata"]["name"] not in (
                "payment-service",
                "service",
            ):
                continue
            refs = [
                e["secretRef"]["name"]
                for e in d["spec"]["template"]["spec"]["containers"][0]["envFrom"]
                if "secretRef" in e
            ]
            target = targets[(env, d["metadata"]["name"])]
            assert refs == [target["secret"]]
            assert d["metadata"]["namespace"] == target["namespace"]
    assert {t["secret"] for (_, s), t in targets.items() if s == "service"} == {"service-db"}
    assert targets[("prod", "payment-service")]["secret"] == "payment-secrets"
    assert [targets[(e, "payment-service")]["refresh"] for e in ("dev", "stg", "prod")] == [
        "1m",
        "5m",
        "5m",
    ]


def test_pod_security_and_probes_reach_the_templated_deployment(
    make_catalog: Make, tmp_path: Path
) -> None:
    platform = PLATFORM + (
        "kubernetes:\n"
        "  probes: {liveness: {enabled: false}}\n"
        "  podSecurity: {runAsUser: 10001, addCapabilities: [NET_BIND_SERVICE]}\n"
    )
    services = with_web("probes: {readiness: {path: /ready}}\npodSecurity: {fsGroup: 2000}\n")
    out = write_out(make_catalog(services, platform=platform), tmp_path)
    chart = chart_of(out)
    docs = {
        d["metadata"]["name"]: d
        for d in template(tmp_path, chart, "prod")
        if d["kind"] == "Deployment"
    }
    pod = docs["web"]["spec"]["template"]["spec"]
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "fsGroup": 2000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    (container,) = pod["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
    }
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert "livenessProbe" not in container
    assert "fsGroup" not in docs["api"]["spec"]["template"]["spec"]["securityContext"]
