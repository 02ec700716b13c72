"""Who can read what: an access model computed from the rendered grants, not from the catalog.

Input is the rendered tree and what Argo CD would apply from it (`applied.py`: every
Kustomize app built as Argo CD builds it). Two kinds of grant are read:

- AWS: each env's IRSA roles (`terraform.tfvars.json`): the trust policy (OIDC issuer and
  `sub`) names the ServiceAccounts that may assume a role, in every cluster whose envs use
  that issuer; the role policy's `Resource` patterns (AWS `*` and `?`) are matched against
  the ARN of every secret and parameter any env renders in the account. The stores that use a
  role (a namespaced SecretStore, or a ClusterSecretStore and its `conditions`) say from where
  ExternalSecrets can make ESO use it.
- Vault: each env's `bootstrap.sh` configures kubernetes auth mounts (with that env's cluster
  API), policies and roles. A ServiceAccount logs in through every mount configured for its
  cluster, as every role whose bound names and namespaces match it; each policy path (Vault
  `*` prefix and `+` segment globs) is matched against every kv path the Vault's envs render.

A Vault is its address, plus the cluster when the address is cluster-local (`*.svc`).
"""

from __future__ import annotations

from generator.review import applied
from generator.review.access_aws import _aws, _unrendered_eso, through_cluster_stores
from generator.review.access_model import Applied, Grant, Principal, Secret
from generator.review.access_vault import _vault

__all__ = ["Applied", "Grant", "Principal", "Secret", "applied_state", "crossings", "model"]


def applied_state(
    tree: dict[str, str],
    envs: list[str],
    rendered_path: str,
    issuers: dict[str, str] | None = None,
) -> Applied:
    """Build every Kustomize app of every env (the chart holds no grant); `issuers` (env ->
    OIDC issuer of its cluster) adds the clusters that render no IRSA role themselves."""
    every = applied.apps(tree, envs, rendered_path)
    apps = [a for a in every if a.path.startswith(("kustomize/", "platform/"))]
    clusters = {a.env: a.cluster for a in every}
    state = Applied(tree, envs, clusters, issuers=dict(issuers or {}))
    for app, objects in applied.built_objects(tree, apps).items():
        for key, obj in objects.items():
            meta = obj.setdefault("metadata", {})
            meta.setdefault("namespace", key.namespace)
            state.objects.setdefault(app.env, []).append(obj)
    return state


def model(state: Applied) -> list[Grant]:
    grants = {*_aws(state), *_unrendered_eso(state), *_vault(state)}
    return sorted(grants | set(through_cluster_stores(state, grants)))


def crossings(grants: list[Grant]) -> list[Grant]:
    """Reads the catalog did not declare: a principal of one env reading another env's secret,
    or a service's principal reading another service's. ESO's own identity (no service) is the
    platform's and reads its env's secrets; a shared Vault path (no service) is read only
    where a policy grants it, which follows the services' `shared` lists."""
    out = []
    for grant in grants:
        p, s = grant.principal, grant.secret
        other_env = p.env not in s.envs
        other_service = bool(s.service) and bool(p.service) and p.service != s.service
        if other_env or other_service:
            out.append(grant)
    return out
