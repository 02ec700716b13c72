"""Isolation rules: envs never share a cluster+namespace or cluster-scoped stores, services
stay out of system namespaces, and every generated name is one Kubernetes accepts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.catalog.test_validation import errors, svc
from tests.conftest import PLATFORM

ONE_CLUSTER = PLATFORM.replace("    cluster: https://prod.k8s.acme.internal\n", "")
SERVICE_SCOPE = (
    'accountId: "123456789012"\n  oidcProvider: oidc.example/id/X\n  secretStoreScope: service'
)


def test_smallest_two_env_platform_is_refused(make_catalog: Callable[..., Path]) -> None:
    """Both envs default to the in-cluster server and `{namespace}`: one set of objects."""
    out = errors(make_catalog({"a": svc(name="a"), "b": svc(name="b")}, platform=ONE_CLUSTER))
    assert [line for line in out if ": aws: " not in line] == [  # the cluster scope's: below
        "platform.yaml:6:5: environments[1]: envs 'dev' and 'prod' share cluster https://kubernetes.default.svc with aws.secretStoreScope `cluster`: both would own ClusterSecretStore 'acme-aws', and ESO's ServiceAccount (external-secrets/external-secrets) can carry only one env's IAM role; give this env its own `cluster`, or set aws.secretStoreScope: service",
        "platform.yaml:6:5: environments[1]: envs 'dev' and 'prod' would both put service 'a' into namespace 'a' of cluster https://kubernetes.default.svc (and 1 more service(s)): their Argo CD apps would fight over the same objects; give this env its own `cluster` or a `namespace` template that differs per env, e.g. \"{namespace}-{env}\"",
    ]


def test_namespace_collision_points_at_the_template(make_catalog: Callable[..., Path]) -> None:
    platform = ONE_CLUSTER.replace("\naws:\n", "\n    namespace: apps\naws:\n").replace(
        'accountId: "123456789012"', SERVICE_SCOPE
    )
    platform = platform.replace("    refreshInterval: 5m\n", '    namespace: "{service}"\n')
    out = errors(make_catalog({"apps": svc(name="apps")}, platform=platform))
    assert out == [
        "platform.yaml:7:16: environments[1].namespace: envs 'dev' and 'prod' would both put service 'apps' into namespace 'apps' of cluster https://kubernetes.default.svc: their Argo CD apps would fight over the same objects; give this env its own `cluster` or a `namespace` template that differs per env, e.g. \"{namespace}-{env}\""
    ]


def test_two_services_can_collide_through_their_namespace(
    make_catalog: Callable[..., Path],
) -> None:
    """dev puts `a` into `shop`; prod puts service `shop` into `shop`: one Namespace object."""
    platform = ONE_CLUSTER.replace('accountId: "123456789012"', SERVICE_SCOPE)
    platform = platform.replace("    refreshInterval: 5m\n", "    namespace: shop\n")
    platform = platform.replace("\naws:\n", '\n    namespace: "{service}"\naws:\n')
    out = errors(make_catalog({"a": svc(name="a"), "shop": svc(name="shop")}, platform=platform))
    assert out == [
        "platform.yaml:7:16: environments[1].namespace: envs 'dev' and 'prod' would both put service 'a' (dev) and service 'shop' (prod) into namespace 'shop' of cluster https://kubernetes.default.svc: their Argo CD apps would fight over the same objects; give this env its own `cluster` or a `namespace` template that differs per env, e.g. \"{namespace}-{env}\""
    ]


def test_per_env_namespaces_in_one_cluster_are_accepted(
    make_catalog: Callable[..., Path],
) -> None:
    platform = ONE_CLUSTER.replace('accountId: "123456789012"', SERVICE_SCOPE)
    platform = platform.replace("\naws:\n", '\n    namespace: "{namespace}-{env}"\naws:\n')
    assert errors_or_none(make_catalog(platform=platform)) == []


def errors_or_none(root: Path) -> list[str]:
    from generator.catalog.load import load_catalog
    from generator.errors import CatalogError

    try:
        load_catalog(root)
    except CatalogError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_system_namespaces_are_refused(make_catalog: Callable[..., Path]) -> None:
    out = errors(make_catalog({"svc": svc("namespace: kube-system\n")}))
    assert out == [
        "services/svc.yaml:7:12: namespace: namespace 'kube-system' (env dev) is a system namespace (argocd, default, external-secrets, kube-node-lease, kube-public, kube-system, vault-secrets-operator-system): a service never lands there; set `namespace` to one of its own"
    ]


def test_argocd_namespace_and_eso_namespace_are_system(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace(
        'accountId: "123456789012"', 'accountId: "123456789012"\n  esoServiceAccount: eso/eso'
    )
    platform += "argocdNamespace: gitops\n"
    out = errors(
        make_catalog({"gitops": svc(name="gitops"), "eso": svc(name="eso")}, platform=platform)
    )
    system = "(default, eso, external-secrets, gitops, kube-node-lease"
    found = [line for line in out if "system namespace" in line]  # not the cluster scope's
    assert [line[: line.index(", kube-public")] for line in found] == [
        f"services/eso.yaml:1:7: name: namespace 'eso' (env dev) is a system namespace {system}",
        f"services/gitops.yaml:1:7: name: namespace 'gitops' (env dev) is a system namespace {system}",
    ]


def test_service_name_must_be_a_dns_1035_label(make_catalog: Callable[..., Path]) -> None:
    out = errors(make_catalog({"3d-render": svc(name="3d-render")}))
    assert out == [
        "services/3d-render.yaml:1:7: name: '3d-render' becomes a Service name, which Kubernetes requires to be a DNS-1035 label (start with a letter): rename the service"
    ]


def test_expanded_namespace_must_fit_a_label(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace(
        "    refreshInterval: 5m\n", '    namespace: "{namespace}-development-{system}"\n'
    )
    name = "s" * 50
    out = errors(make_catalog({name: svc(name=name)}, platform=platform))
    assert out == [
        f"services/{name}.yaml:1:7: name: namespace '{name}-development-acme' (env dev, 67 characters) is not a DNS-1123 label of at most 63: shorten `namespace` or the env's namespace template"
    ]


def test_expanded_namespace_must_be_lowercase(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace("    refreshInterval: 5m\n", '    namespace: "{namespace}_Dev"\n')
    out = errors(make_catalog({"svc": svc("namespace: shop\n")}, platform=platform))
    assert out == [
        "services/svc.yaml:7:12: namespace: namespace 'shop_Dev' (env dev, 8 characters) is not a DNS-1123 label of at most 63: shorten `namespace` or the env's namespace template"
    ]


def test_chart_label_value_fits(make_catalog: Callable[..., Path]) -> None:
    system = "a" * 50
    platform = PLATFORM.replace("system: acme", f"system: {system}")
    out = errors(make_catalog(platform=platform))
    assert out == [
        f"platform.yaml:1:9: system: label value helm.sh/chart '{system}-services-0.1.0' is 65 characters; Kubernetes allows 63: shorten `system`"
    ]
