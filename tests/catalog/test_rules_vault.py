"""Isolation on Vault: one exact located message per rule, and the cases that stay valid."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.catalog.load import load_catalog
from tests.catalog.test_validation import errors

BASE = """\
system: acme
gitRepo: https://github.com/acme/gitops.git
environments:
{envs}
secretBackends:
  vault:
    type: vault
    address: {address}
    key: "{key}"
"""
TWO_ENVS = "  - {name: dev, namespace: '{namespace}-dev'}\n  - {name: stage, namespace: '{namespace}-stage'}"


def platform(
    key: str = "{service}/credentials",
    address: str = "https://vault.acme.internal:8200",
    envs: str = TWO_ENVS,
) -> str:
    return BASE.format(envs=envs, address=address, key=key)


def service(name: str) -> str:
    return (
        f"name: {name}\nowner: t\nimage: {{repository: r, tag: v}}\n"
        "secrets: {backend: vault, keys: [TOKEN]}\n"
    )


def test_shared_vault_key_without_env_is_refused(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog({"api": service("api")}, platform())
    assert errors(root) == [
        "platform.yaml:10:10: secretBackends.vault.key: envs dev, stage reach one Vault "
        "(https://vault.acme.internal:8200) and this key has no {env}: they would read and write "
        'one secret; add {env} (e.g. "{env}/{service}/credentials") or give each env its own '
        "vaultAddress"
    ]


def test_cluster_local_vault_is_shared_within_one_cluster(
    make_catalog: Callable[..., Path],
) -> None:
    root = make_catalog({"api": service("api")}, platform(address="http://vault.vault.svc:8200"))
    assert errors(root) == [
        "platform.yaml:10:10: secretBackends.vault.key: envs dev, stage reach one Vault "
        "(http://vault.vault.svc:8200 in cluster https://kubernetes.default.svc) and this key "
        'has no {env}: they would read and write one secret; add {env} (e.g. "{env}/{service}'
        '/credentials") or give each env its own vaultAddress'
    ]


def test_cluster_local_vault_in_separate_clusters_is_not_shared(
    make_catalog: Callable[..., Path],
) -> None:
    envs = "  - {name: dev, cluster: https://dev.k8s}\n  - {name: prod, cluster: https://prod.k8s}"
    for address in ("http://vault.vault.svc:8200", "http://vault.vault.svc.cluster.local:8200"):
        text = platform(address=address, envs=envs)
        assert load_catalog(make_catalog({"api": service("api")}, text)).services


def test_separate_vault_addresses_may_omit_env(make_catalog: Callable[..., Path]) -> None:
    envs = TWO_ENVS.replace("{name: stage,", "{name: stage, vaultAddress: 'https://v2:8200',")
    assert load_catalog(make_catalog({"api": service("api")}, platform(envs=envs))).services


def test_own_path_under_shared_is_refused(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog({"api": service("api")}, platform(key="shared/{env}-{service}"))
    assert errors(root) == [
        "platform.yaml:10:10: secretBackends.vault.key: a service's own path must not start with "
        "shared/: services that declare that shared path would read it; use e.g. "
        '"{env}/{service}/credentials"'
    ]


def test_policy_names_unique_per_vault(make_catalog: Callable[..., Path]) -> None:
    """Policy `acme-<env>-<service>`: env `a`+service `b-c` and env `a-b`+service `c` meet."""
    envs = "  - {name: a, namespace: '{namespace}-a'}\n  - {name: a-b, namespace: '{namespace}-ab'}"
    text = platform(key="{env}/{service}", envs=envs)
    root = make_catalog({"b-c": service("b-c"), "c": service("c")}, text)
    assert errors(root) == [
        "services/c.yaml:1:7: name: policy 'acme-a-b-c' on Vault https://vault.acme.internal:8200 "
        "would belong to service 'c' in env a-b and to service 'b-c' in env a: rename the "
        "service or the env so the names differ"
    ]


def test_role_names_unique_per_auth_mount(make_catalog: Callable[..., Path]) -> None:
    """Role `<service>-<env>`: service `a`+env `b-c` and service `a-b`+env `c` meet."""
    envs = "  - {name: c, namespace: '{namespace}-c'}\n  - {name: b-c, namespace: '{namespace}-bc'}"
    text = platform(key="{env}/{service}", envs=envs)
    root = make_catalog({"a": service("a"), "a-b": service("a-b")}, text)
    assert (
        "services/a-b.yaml:1:7: name: auth role 'a-b-c' on Vault https://vault.acme.internal:8200 "
        "would belong to service 'a-b' in env c and to service 'a' in env b-c: rename the "
        "service or the env so the names differ"
    ) in errors(root)


def test_paths_unique_per_mount(make_catalog: Callable[..., Path]) -> None:
    text = platform(key="{env}-{service}", envs="  - {name: a}\n  - {name: a-b}")
    root = make_catalog({"b-c": service("b-c"), "c": service("c")}, text)
    assert (
        "services/c.yaml:1:7: name: kv-v2 path 'a-b-c' on Vault https://vault.acme.internal:8200 "
        "would belong to service 'c' in env a-b and to service 'b-c' in env a: rename the "
        "service or the env so the names differ"
    ) in errors(root)


def test_repo_catalog_keeps_envs_apart() -> None:
    assert load_catalog(Path(__file__).resolve().parents[2] / "catalog").services


def test_a_path_spanning_envs_must_not_be_an_envs_own_shared_path(
    make_catalog: Callable[..., Path],
) -> None:
    text = platform(key="{env}/{service}/credentials") + "    sharedAcrossEnvs: [ovh-dns, dev/x]\n"
    root = make_catalog({"api": service("api")}, text)
    assert errors(root) == [
        "platform.yaml:11:33: secretBackends.vault.sharedAcrossEnvs[1]: shared/dev/x would also "
        "be env dev's per-env shared path 'x': rename it so it does not start with dev/"
    ]
