"""Vault Secrets Operator per service, read-only Vault policies and the admin bootstrap (seed 004).

Each service pulls its own kv-v2 path, and every shared path it declares, into its OWN
namespace: no secret-copier, nothing crosses namespaces.
"""

from __future__ import annotations

from generator.catalog.models import Environment, Service, Vault
from generator.catalog.rules_vault import SHARED_PREFIX, role_name, vault_address
from generator.catalog.rules_vault import policy_name as _policy_name
from generator.catalog.templates import ENV_PLACEHOLDER, expand
from generator.render.facts import Facts, header, secret_name
from generator.render.hcl import hcl_string
from generator.render.kube import Obj, Parts, Patch, managed, meta
from generator.render.result import CloudEffects, FamilyResult
from generator.render.vault_bootstrap import Grant, script

__all__ = [
    "SHARED_PREFIX",
    "address",
    "parts",
    "policy_name",
    "policy_paths",
    "refresh_after",
    "render",
    "shared_secret_name",
]
API = "secrets.hashicorp.com/v1beta1"
ROOT = "vault"


def shared_secret_name(service: Service, shared: str) -> str:
    return f"{service.name}-shared-{shared.replace('/', '-')}"


def _backend(facts: Facts, service: Service) -> Vault | None:
    plan = facts.secret_plan(service)
    return plan.backend if plan and isinstance(plan.backend, Vault) else None


def _path(facts: Facts, backend: Vault, service: Service, env: str) -> str:
    return expand(backend.key, system=facts.system, env=env, service=service.name)


def address(backend: Vault, env: Environment) -> str:
    return vault_address(backend, env)


def refresh_after(backend: Vault, env: Environment) -> str:
    return env.refreshAfter or backend.refreshAfter


def parts(facts: Facts, service: Service) -> Parts | None:
    backend = _backend(facts, service)
    if backend is None or service.secrets is None:
        return None
    resources = _auth_resources(facts, service, backend)
    secrets = {secret_name(service): frozenset(service.secrets.keys)}
    statics = [(secret_name(service), _path(facts, backend, service, ENV_PLACEHOLDER))]
    statics += [
        (shared_secret_name(service, s), f"{SHARED_PREFIX}/{s}") for s in service.secrets.shared
    ]
    for secret, path in statics:
        resources[f"vaultstaticsecret-{secret}.yaml"] = _static_secret(
            facts, backend, service, secret, path
        )
        secrets.setdefault(secret, frozenset())

    def patches(env: Environment) -> list[Patch]:
        return _env_patches(service, backend, statics, env)

    return Parts(resources=resources, patches=patches, secrets=secrets)


def _auth_resources(facts: Facts, service: Service, backend: Vault) -> dict[str, Obj]:
    """The service's own identity towards Vault: ServiceAccount, connection, kubernetes auth."""
    ns, name = service.ns, service.name
    return {
        "serviceaccount.yaml": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta(name, ns, facts.system, name),
        },
        "vaultconnection.yaml": {
            "apiVersion": API,
            "kind": "VaultConnection",
            "metadata": meta(name, ns, facts.system, name),
            "spec": {"address": backend.address, "skipTLSVerify": False},
        },
        "vaultauth.yaml": {
            "apiVersion": API,
            "kind": "VaultAuth",
            "metadata": meta(name, ns, facts.system, name),
            "spec": {
                "vaultConnectionRef": name,
                "method": "kubernetes",
                "mount": backend.authMount,
                "kubernetes": {
                    "role": role_name(name, ENV_PLACEHOLDER),
                    "serviceAccount": name,
                    "audiences": ["vault"],
                },
            },
        },
    }


def _env_patches(
    service: Service, backend: Vault, statics: list[tuple[str, str]], env: Environment
) -> list[Patch]:
    """One env's overlay: its Vault address, auth role, refreshAfter and, where templated,
    its path."""
    conn = [{"op": "replace", "path": "/spec/address", "value": address(backend, env)}]
    role = role_name(service.name, env.name)
    auth = [{"op": "replace", "path": "/spec/kubernetes/role", "value": role}]
    out = [
        Patch("patches/vaultconnection.yaml", API, "VaultConnection", service.name, conn),
        Patch("patches/vaultauth.yaml", API, "VaultAuth", service.name, auth),
    ]
    for secret, path in statics:
        ops: list[Obj] = [
            {"op": "replace", "path": "/spec/refreshAfter", "value": refresh_after(backend, env)}
        ]
        if ENV_PLACEHOLDER in path:
            value = path.replace(ENV_PLACEHOLDER, env.name)
            ops.append({"op": "replace", "path": "/spec/path", "value": value})
        file = f"patches/vaultstaticsecret-{secret}.yaml"
        out.append(Patch(file, API, "VaultStaticSecret", secret, ops))
    return out


def _static_secret(facts: Facts, backend: Vault, service: Service, secret: str, path: str) -> Obj:
    return {
        "apiVersion": API,
        "kind": "VaultStaticSecret",
        "metadata": managed(meta(secret, service.ns, facts.system, service.name)),
        "spec": {
            "vaultAuthRef": service.name,
            "type": "kv-v2",
            "mount": backend.mount,
            "path": path,
            "refreshAfter": backend.refreshAfter,
            "hmacSecretData": True,
            "destination": {"name": secret, "create": True},
            "rolloutRestartTargets": [{"kind": "Deployment", "name": service.name}],
        },
    }


def policy_name(facts: Facts, env: str, service: str) -> str:
    return _policy_name(facts.system, env, service)


def policy_paths(facts: Facts, service: Service, env: str) -> list[str]:
    """The only kv-v2 API paths a service may read: its own, then each shared one it declared."""
    backend = _backend(facts, service)
    if backend is None or service.secrets is None:
        return []
    own = f"{backend.mount}/data/{_path(facts, backend, service, env)}"
    return [own, *(f"{backend.mount}/data/{SHARED_PREFIX}/{s}" for s in service.secrets.shared)]


def render(facts: Facts) -> dict[str, str]:
    files: dict[str, str] = {}
    for env in facts.envs:
        grants = []
        for svc in facts.services:
            backend = _backend(facts, svc)
            if backend is None:
                continue
            paths = policy_paths(facts, svc, env.name)
            policy = "\n".join(
                f'path {hcl_string(p)} {{\n  capabilities = ["read"]\n}}\n' for p in paths
            )
            rel = f"policies/{svc.name}.hcl"
            files[f"{ROOT}/{env.name}/{rel}"] = header(facts.source(svc)) + "\n" + policy
            grants.append(
                Grant(
                    service=svc.name,
                    address=address(backend, env),
                    mount=backend.mount,
                    auth_mount=backend.authMount,
                    policy=policy_name(facts, env.name, svc.name),
                    policy_file=rel,
                    role=role_name(svc.name, env.name),
                    namespace=facts.deployed(svc, env).namespace,
                    paths=tuple(paths),
                )
            )
        if grants:
            files[f"{ROOT}/{env.name}/bootstrap.sh"] = script(facts.source(), env.name, grants)
    return files


def result(facts: Facts) -> FamilyResult:
    """The policies and bootstrap scripts, and each policy's grants as data (for `diff`)."""
    grants = {
        (env.name, svc.name): frozenset(policy_paths(facts, svc, env.name))
        for env in facts.envs
        for svc in facts.services
        if _backend(facts, svc) is not None
    }
    return FamilyResult(ROOT, render(facts), cloud=CloudEffects(vault_grants=grants))
