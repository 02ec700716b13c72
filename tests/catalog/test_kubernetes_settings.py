"""Validation of the `kubernetes:` settings and a service's per-env overrides: every name they
produce is one Kubernetes accepts and no other object has, or a located error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.catalog.test_isolation import ONE_CLUSTER, SERVICE_SCOPE, errors_or_none
from tests.catalog.test_validation import errors, svc
from tests.conftest import PLATFORM

Make = Callable[..., Path]
PER_ENV_NS = ONE_CLUSTER.replace('accountId: "123456789012"', SERVICE_SCOPE).replace(
    "\naws:\n", '\n    namespace: "{namespace}-{env}"\naws:\n'
)


def test_secret_name_template_yielding_an_invalid_name(make_catalog: Make) -> None:
    platform = PLATFORM + 'kubernetes:\n  secretName: "{service}_Secrets"\n'
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:19:15: kubernetes.secretName: Secret name 'svc_Secrets' (service svc) is not a DNS-1123 subdomain of at most 253 characters"
    ]


def test_secret_name_template_with_an_unknown_placeholder(make_catalog: Make) -> None:
    platform = PLATFORM + 'kubernetes:\n  secretName: "{env}-secrets"\n'
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:19:15: kubernetes.secretName: template '{env}-secrets': placeholders allowed are {service}, {system}"
    ]


def test_service_secret_name_is_checked_where_it_is_set(make_catalog: Make) -> None:
    service = svc("  secretName: Payment.Secrets\n")
    assert errors(make_catalog({"svc": service})) == [
        "services/svc.yaml:7:15: secrets.secretName: Secret name 'Payment.Secrets' is not a DNS-1123 subdomain of at most 253 characters"
    ]


def test_two_services_syncing_one_secret_in_one_namespace(make_catalog: Make) -> None:
    shared = "  secretName: app-secrets\nnamespace: shop\n"
    out = errors(make_catalog({"a": svc(shared, name="a"), "b": svc(shared, name="b")}))
    assert [line for line in out if not line.startswith("platform.yaml")] == [
        "services/b.yaml:7:15: secrets.secretName: services 'a' and 'b' would both sync Secret 'app-secrets' in namespace 'shop' (env dev): give one its own secrets.secretName"
    ]


def test_per_env_namespace_colliding_with_another_env(make_catalog: Make) -> None:
    """dev puts `web` into `web`; prod's override puts it there too, in the same cluster."""
    service = svc("environments:\n  prod: {namespace: web}\n", name="web")
    assert errors(make_catalog({"web": service}, platform=PER_ENV_NS)) == [
        "services/web.yaml:8:21: environments.prod.namespace: namespace 'web' (env prod) is also where service 'web' runs in env 'dev', in the same cluster: their Argo CD apps would fight over the same objects; pick a namespace of its own"
    ]


def test_earlier_env_override_is_blamed_not_the_template(make_catalog: Make) -> None:
    """dev's override takes `web-prod`, which prod's own template then also yields."""
    service = svc("environments:\n  dev: {namespace: web-prod}\n", name="web")
    assert errors(make_catalog({"web": service}, platform=PER_ENV_NS)) == [
        "services/web.yaml:8:20: environments.dev.namespace: namespace 'web-prod' (env dev) is also where service 'web' runs in env 'prod', in the same cluster: their Argo CD apps would fight over the same objects; pick a namespace of its own"
    ]


def test_per_env_namespace_that_stays_apart_is_accepted(make_catalog: Make) -> None:
    service = svc("environments:\n  prod: {namespace: web-production}\n", name="web")
    assert errors_or_none(make_catalog({"web": service}, platform=PER_ENV_NS)) == []


def test_per_env_namespace_may_not_be_a_system_namespace(make_catalog: Make) -> None:
    service = svc("environments:\n  prod: {namespace: kube-system}\n")
    assert errors(make_catalog({"svc": service})) == [
        "services/svc.yaml:8:21: environments.prod.namespace: namespace 'kube-system' (env prod) is a system namespace (argocd, default, external-secrets, kube-node-lease, kube-public, kube-system, vault-secrets-operator-system): a service never lands there; set `namespace` to one of its own"
    ]


def test_refresh_interval_override_needs_an_aws_backend(make_catalog: Make) -> None:
    no_secrets = svc("environments:\n  prod: {refreshInterval: 5m}\n", secrets="port: 8080\n")
    zero = svc("environments:\n  prod: {refreshInterval: 0s}\n", name="zero")
    assert errors(make_catalog({"svc": no_secrets, "zero": zero})) == [
        "services/svc.yaml:6:27: environments.prod.refreshInterval: refreshInterval is ESO's: this service has no AWS secret backend to refresh",
        "services/zero.yaml:8:27: environments.prod.refreshInterval: 0 stops ESO's refresh: a value rotated in AWS would never reach the Secret; use a duration such as 1h",
    ]


def test_managed_label_must_be_its_own_valid_key(make_catalog: Make) -> None:
    own = PLATFORM + "kubernetes: {managedLabel: app.kubernetes.io/name}\n"
    assert errors(make_catalog(platform=own)) == [
        "platform.yaml:18:28: kubernetes.managedLabel: 'app.kubernetes.io/name' is a label gitops-gen sets itself; the force-sync label needs its own key"
    ]
    bad = PLATFORM + "kubernetes: {managedLabel: Zerotouch.io/managed}\n"
    (message,) = errors(make_catalog(platform=bad))
    assert message.startswith("platform.yaml:18:28: kubernetes.managedLabel: ")


def test_cluster_store_name_without_backend_collides(make_catalog: Make) -> None:
    platform = PLATFORM + 'kubernetes: {clusterStoreName: "{system}-store"}\n'
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:18:32: kubernetes.clusterStoreName: backends 'aws' and 'ssm' would share ClusterSecretStore 'acme-store': put {backend} in the template"
    ]
