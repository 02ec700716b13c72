"""Access through Vault: kubernetes auth mounts per cluster, roles, policies, kv paths."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from generator.catalog.models.vault import CLUSTER_LOCAL
from generator.review.access_model import (
    Applied,
    Grant,
    Secret,
    principal_of,
    service_accounts,
    service_of,
)

# --- Vault -----------------------------------------------------------------------------------


def vault_store(address: str, cluster: str) -> str:
    """A Vault as the model names it: a cluster-local address is one Vault per cluster."""
    address = address.rstrip("/")
    host = re.sub(r"^[a-z]+://", "", address).split("/")[0].split(":")[0]
    return f"{address} in {cluster}" if CLUSTER_LOCAL.search(host.lower()) else address


@dataclass
class _Vault:
    mounts: dict[str, set[str]] = field(default_factory=dict)  # auth mount -> clusters
    roles: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    policies: dict[str, list[str]] = field(default_factory=dict)  # name -> readable globs
    paths: dict[str, tuple[set[str], str]] = field(default_factory=dict)  # kv path -> envs, owner


def _vaults(state: Applied) -> dict[str, _Vault]:
    vaults: dict[str, _Vault] = {}
    for env in state.envs:
        _bootstrap(state, env, vaults)
        _synced_paths(state, env, vaults)
    return vaults


def _bootstrap(state: Applied, env: str, vaults: dict[str, _Vault]) -> None:
    """What the env's bootstrap.sh sets up; its auth mounts are configured with env's cluster."""
    import hcl2

    cluster = state.clusters[env]
    vault = None
    for line in state.tree.get(f"vault/{env}/bootstrap.sh", "").splitlines():
        calls = ("use_vault ", "ensure_kubernetes_auth ", "ensure_policy ", "ensure_role ")
        words = shlex.split(line, comments=True) if line.startswith(calls) else []
        if not words:
            continue
        if words[0] == "use_vault":
            vault = vaults.setdefault(vault_store(words[1], cluster), _Vault())
        elif vault is None:
            continue
        elif words[0] == "ensure_kubernetes_auth":
            vault.mounts.setdefault(words[1], set()).add(cluster)
        elif words[0] == "ensure_policy":
            parsed = hcl2.loads(state.tree.get(f"vault/{env}/{words[2]}", ""))
            vault.policies[words[1]] = [
                path.strip('"')
                for block in parsed.get("path", [])
                for path, body in block.items()
                if {"read", "sudo", "root"} & {c.strip('"') for c in body.get("capabilities", [])}
            ]
        elif words[0] == "ensure_role":
            binding = (words[3], words[4], words[5])  # names, namespaces, policies
            vault.roles.setdefault((words[1], words[2]), []).append(binding)


def _synced_paths(state: Applied, env: str, vaults: dict[str, _Vault]) -> None:
    objects = state.objects.get(env, [])
    connections = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o["spec"]["address"]
        for o in objects
        if o.get("kind") == "VaultConnection"
    }
    auths = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o["spec"].get("vaultConnectionRef")
        for o in objects
        if o.get("kind") == "VaultAuth"
    }
    for obj in objects:
        if obj.get("kind") != "VaultStaticSecret":
            continue
        ns, spec = obj["metadata"]["namespace"], obj["spec"]
        address = connections.get((ns, auths.get((ns, spec.get("vaultAuthRef")), "")))
        if address is None:
            continue
        vault = vaults.setdefault(vault_store(address, state.clusters[env]), _Vault())
        path = f"{spec['mount']}/{spec['path']}"
        owner = "" if "-shared-" in obj["metadata"]["name"] else service_of(obj)
        envs, _ = vault.paths.setdefault(path, (set(), owner))
        envs.add(env)


def vault_match(glob: str, api_path: str) -> bool:
    """Vault policy paths: `+` one segment, a trailing `*` any rest."""
    prefix = glob.endswith("*")
    parts = re.escape(glob.removesuffix("*")).replace(r"\+", "[^/]+")
    return re.fullmatch(parts + (".*" if prefix else ""), api_path) is not None


def _api_path(kv_path: str) -> str:
    mount, _, rest = kv_path.partition("/")
    return f"{mount}/data/{rest}"


def _bound(pattern: str, value: str) -> bool:
    return any(
        p in ("*", value) or (p.endswith("*") and value.startswith(p[:-1]))
        for p in pattern.split(",")
    )


def _bound_accounts(
    accounts: dict[tuple[str, str, str], tuple[str, str]],
    clusters: set[str],
    names: str,
    namespaces: str,
) -> Iterator[tuple[str, str, str]]:
    """Every ServiceAccount a role binds, in each cluster of its mount: exact bindings even
    where no env renders the account (anyone who creates it there logs in as the role)."""
    found = {
        (cluster, namespace, name)
        for cluster, namespace, name in accounts
        if cluster in clusters and _bound(names, name) and _bound(namespaces, namespace)
    }
    exact = [n for n in names.split(",") if "*" not in n]
    exact_ns = [n for n in namespaces.split(",") if "*" not in n]
    found |= {(c, ns, n) for c in clusters for ns in exact_ns for n in exact}
    yield from sorted(found)


def _vault(state: Applied) -> Iterator[Grant]:
    accounts = service_accounts(state)
    for store, vault in sorted(_vaults(state).items()):
        for (mount, role), bindings in sorted(vault.roles.items()):
            clusters = vault.mounts.get(mount, set())
            for names, namespaces, policies in bindings:
                globs = [g for p in policies.split(",") for g in vault.policies.get(p, [])]
                readable = [
                    path
                    for path in sorted(vault.paths)
                    if any(vault_match(g, _api_path(path)) for g in globs)
                ]
                for cluster, namespace, name in _bound_accounts(
                    accounts, clusters, names, namespaces
                ):
                    principal = principal_of(state, cluster, namespace, name)
                    via = f"Vault role {role} through auth/{mount} of {store}"
                    for path in readable:
                        envs, owner = vault.paths[path]
                        yield Grant(
                            principal, via, Secret("vault", store, path, tuple(sorted(envs)), owner)
                        )
