"""Every name an applied object holds resolves in its env and namespace: a template override
that points a reference at nothing exits 2 with one line naming the env, the object and the
override file, and rendered/ stays as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.parts.object_refs import names
from tests.conftest import PLATFORM, SERVICE, own_issuers
from tests.templating.test_override_inventory import edited, refused
from tests.templating.test_overrides import override, render
from tests.templating.test_secret_templates import VAULT_PLATFORM, VAULT_SERVICE

SERVICE_SCOPE = own_issuers(PLATFORM).replace(
    '  accountId: "123456789012"\n',
    '  accountId: "123456789012"\n  secretStoreScope: service\n'
    "  oidcProvider: oidc.eks.ap-south-1.amazonaws.com/id/EXAMPLE\n",
)
AWS = {"svc": SERVICE.format(name="svc")}
VAULT = {"svc": VAULT_SERVICE.format(name="svc")}

# reference kind: (platform, services, template, its text, the broken text, the error)
BROKEN = {
    "secretStoreRef-SecretStore": (
        SERVICE_SCOPE,
        AWS,
        "eso/externalsecret.yaml.j2",
        "name: {{ es.store_name }}",
        "name: other-store",
        "svc[dev]: ExternalSecret svc/svc-secrets: secretStoreRef names SecretStore "
        "'other-store', which nothing renders in env 'dev', namespace 'svc'",
    ),
    "secretStoreRef-ClusterSecretStore": (
        PLATFORM,
        AWS,
        "eso/externalsecret.yaml.j2",
        "name: {{ es.store_name }}",
        "name: other-store",
        "svc[dev]: ExternalSecret svc/svc-secrets: secretStoreRef names ClusterSecretStore "
        "'other-store', which nothing renders in env 'dev' (cluster-wide)",
    ),
    "SecretStore-serviceAccountRef": (
        SERVICE_SCOPE,
        AWS,
        "eso/secretstore.yaml.j2",
        "name: {{ store.service_account }}",
        "name: nobody",
        "svc[prod]: SecretStore svc/svc: serviceAccountRef names ServiceAccount 'nobody', "
        "which nothing renders in env 'prod', namespace 'svc'",
    ),
    "vaultAuthRef": (
        VAULT_PLATFORM,
        VAULT,
        "vault/vaultstaticsecret.yaml.j2",
        "vaultAuthRef: {{ vss.auth }}",
        "vaultAuthRef: nobody",
        "svc[dev]: VaultStaticSecret svc/svc-secrets: vaultAuthRef names VaultAuth 'nobody', "
        "which nothing renders in env 'dev', namespace 'svc'",
    ),
    "rolloutRestartTargets": (
        VAULT_PLATFORM,
        VAULT,
        "vault/vaultstaticsecret.yaml.j2",
        "name: {{ vss.restart }}",
        "name: nobody",
        "svc[dev]: VaultStaticSecret svc/svc-secrets: rolloutRestartTargets names Deployment "
        "'nobody', which nothing renders in env 'dev', namespace 'svc'",
    ),
    "vaultConnectionRef": (
        VAULT_PLATFORM,
        VAULT,
        "vault/vaultauth.yaml.j2",
        "vaultConnectionRef: {{ auth.meta.name }}",
        "vaultConnectionRef: nobody",
        "svc[dev]: VaultAuth svc/svc: vaultConnectionRef names VaultConnection 'nobody', "
        "which nothing renders in env 'dev', namespace 'svc'",
    ),
    "VaultAuth-serviceAccount": (
        VAULT_PLATFORM,
        VAULT,
        "vault/vaultauth.yaml.j2",
        "serviceAccount: {{ auth.meta.name }}",
        "serviceAccount: nobody",
        "svc[dev]: VaultAuth svc/svc: kubernetes.serviceAccount names ServiceAccount 'nobody', "
        "which nothing renders in env 'dev', namespace 'svc'",
    ),
}


@pytest.mark.parametrize(
    ("platform", "services", "name", "old", "new", "error"), BROKEN.values(), ids=BROKEN.keys()
)
def test_a_reference_an_override_points_at_nothing_is_a_located_error(
    make_catalog: Callable[..., Path],
    platform: str,
    services: dict[str, str],
    name: str,
    old: str,
    new: str,
    error: str,
) -> None:
    catalog = make_catalog(services, platform=platform)
    text = edited(name, old, new)
    stderr = refused(catalog, name, text)
    before = text[: text.index(new)]  # the edited line: where the name is written
    line = before.count("\n") + 1
    col = len(before) - len(before.rpartition("\n")[0]) + len(new.partition(": ")[0]) + 2
    file = (catalog.parent / "templates" / name).as_posix()
    assert f"{file}:{line}:{col}: {error}\n" in stderr, stderr
    assert all(out.startswith(f"{file}:{line}:{col}: svc[") for out in stderr.splitlines())


def test_a_rename_made_in_both_overrides_renders(make_catalog: Callable[..., Path]) -> None:
    """The store renamed in its own template and in the ExternalSecret's: nothing dangles."""
    catalog = make_catalog(AWS, platform=SERVICE_SCOPE)
    store = "eso/secretstore.yaml.j2"
    override(catalog, store, edited(store, "name: {{ store.meta.name }}", "name: team-store"))
    es = "eso/externalsecret.yaml.j2"
    override(catalog, es, edited(es, "name: {{ es.store_name }}", "name: team-store"))
    assert render(catalog) == (0, "")
    base = catalog.parent / "rendered" / "kustomize" / "svc" / "base"
    assert "name: team-store" in (base / "secretstore.yaml").read_text()


def test_names_reads_every_field_a_pod_reads_from() -> None:
    pod = {
        "serviceAccountName": "runner",
        "initContainers": [{"envFrom": [{"configMapRef": {"name": "init-config"}}]}],
        "containers": [
            {
                "envFrom": [
                    {"secretRef": {"name": "app-secrets"}},
                    {"secretRef": {"name": "maybe", "optional": True}},
                ],
                "env": [
                    {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "A"}}},
                    {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "B"}}},
                ],
            }
        ],
        "volumes": [{"secret": {"secretName": "tls"}}, {"configMap": {"name": "files"}}],
    }
    annotations = {"secret.reloader.stakater.com/reload": "app-secrets, other"}
    doc = {
        "kind": "Deployment",
        "metadata": {"annotations": annotations},
        "spec": {"template": {"spec": pod}},
    }
    reloader = "annotation secret.reloader.stakater.com/reload"
    assert sorted(names(doc, "ns")) == sorted(
        [
            ("Secret", "ns", "app-secrets", None, reloader),
            ("Secret", "ns", "other", None, reloader),
            ("ServiceAccount", "ns", "runner", None, "serviceAccountName"),
            ("ConfigMap", "ns", "init-config", None, "configMapRef"),
            ("Secret", "ns", "app-secrets", None, "secretRef"),
            ("Secret", "ns", "s", "A", "secretKeyRef"),
            ("ConfigMap", "ns", "c", "B", "configMapKeyRef"),
            ("Secret", "ns", "tls", None, "volumes.secret"),
            ("ConfigMap", "ns", "files", None, "volumes.configMap"),
        ]
    )


def test_a_vault_reference_may_name_another_namespace() -> None:
    doc = {"kind": "VaultStaticSecret", "spec": {"vaultAuthRef": "vault-auth/shared"}}
    assert list(names(doc, "svc")) == [("VaultAuth", "vault-auth", "shared", None, "vaultAuthRef")]
