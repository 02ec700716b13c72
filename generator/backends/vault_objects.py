"""Vault Secrets Operator per service, read-only Vault policies and the admin bootstrap (seed 004).

Each service pulls its own kv-v2 path, and every shared path it declares, into its OWN
namespace: no secret-copier, nothing crosses namespaces.
"""

from __future__ import annotations

from typing import NamedTuple

from generator.backends.vault_bootstrap import Grant, script, token_reviewer
from generator.catalog.facts import Facts, header
from generator.catalog.models import Environment, Service, Vault
from generator.catalog.models.vault import (
    SHARED_PREFIX,
    auth_mount,
    role_name,
    shared_path,
    vault_address,
)
from generator.catalog.models.vault import policy_name as _policy_name
from generator.catalog.templates import ENV_PLACEHOLDER, expand
from generator.parts.family import Family
from generator.parts.inventory import produced_by
from generator.parts.kube import (
    BACKSTAGE_LABEL,
    MetaView,
    Obj,
    Parts,
    Patch,
    managed,
    meta,
    meta_view,
)
from generator.parts.result import CloudEffects, FamilyResult
from generator.templating.context import scope
from generator.templating.engine import Templates, templates_for

__all__ = [
    "SHARED_PREFIX",
    "address",
    "parts",
    "policy_name",
    "policy_paths",
    "refresh_after",
    "shared_secret_name",
]
API = "secrets.hashicorp.com/v1beta1"
ROOT = "vault"
STATIC_TEMPLATE = "vault/vaultstaticsecret.yaml.j2"
POLICY_TEMPLATE = "vault/policy.hcl.j2"


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


class AuthView(NamedTuple):
    """What `vault/serviceaccount.yaml.j2`, `vault/vaultconnection.yaml.j2` and
    `vault/vaultauth.yaml.j2` see as `auth`: the service's own identity towards Vault."""

    meta: MetaView  # all three objects are named after the service
    address: str  # the base's Vault address; each env's overlay patches its own
    auth_mount: str  # the kubernetes auth method's mount
    role: str  # the base's auth role (`_ENV_`); each env's overlay patches its own


class StaticSecretView(NamedTuple):
    """What `vault/vaultstaticsecret.yaml.j2` sees as `vss`: one kv-v2 secret synced."""

    meta: MetaView
    auth: str  # the VaultAuth it logs in with
    mount: str  # the kv-v2 mount
    path: str  # under the mount (`_ENV_` in the base where the path has {env})
    refresh_after: str  # the base's; each env's overlay patches its own
    destination: str  # the Kubernetes Secret VSO writes
    destination_labels: tuple[tuple[str, str], ...]  # labels VSO puts on that Secret
    restart: str  # the Deployment VSO restarts when the Secret changes
    templates: tuple[tuple[str, str], ...]  # (declared key, VSO Go template): () for shared


def key_template(key: str) -> str:
    """VSO's Go template of one declared key: its value, or a failed sync when the kv secret
    lacks it or holds a blank value (VSO then writes no Secret, and the pod cannot start)."""
    return (
        f'{{{{- if not (hasKey .Secrets "{key}") -}}}}'
        f'{{{{- fail "declared key {key} is missing from the Vault secret" -}}}}{{{{- end -}}}}'
        f'{{{{- $v := get .Secrets "{key}" | toString -}}}}'
        f'{{{{- if eq (trim $v) "" -}}}}'
        f'{{{{- fail "declared key {key} is blank in the Vault secret" -}}}}{{{{- end -}}}}'
        "{{- $v -}}"
    )


def parts(facts: Facts, service: Service) -> Parts | None:
    backend = _backend(facts, service)
    if backend is None or service.secrets is None:
        return None
    templates = templates_for(facts.catalog)
    resources = _auth_resources(facts, service, backend, templates)
    declared = frozenset(service.secrets.keys)
    secrets: dict[str, frozenset[str]] = {}
    statics = [(facts.secret_name(service), _path(facts, backend, service, ENV_PLACEHOLDER))]
    statics += [
        (shared_secret_name(service, s), shared_path(backend, s, ENV_PLACEHOLDER))
        for s in service.secrets.shared
    ]
    # VSO copies none of its own labels to the Secret (ESO copies an ExternalSecret's):
    # Backstage's Kubernetes tab finds the Secret by this one
    destination_labels = ((BACKSTAGE_LABEL, service.name),)
    for secret, path in statics:
        own = secret == facts.secret_name(service)
        view = StaticSecretView(
            meta=meta_view(
                managed(meta(secret, service.ns, facts.system, service.name), facts.managed_label)
            ),
            auth=service.name,
            mount=backend.mount,
            path=path,
            refresh_after=backend.refreshAfter,
            destination=secret,
            destination_labels=destination_labels,
            restart=service.name,
            templates=tuple((k, key_template(k)) for k in service.secrets.keys) if own else (),
        )
        text = templates.render(STATIC_TEMPLATE, vss=view, **scope(service))
        resources[f"vaultstaticsecret-{secret}.yaml"] = text
        keys = declared if own else frozenset()
        written = {secret: keys}
        if templates.from_override(STATIC_TEMPLATE):
            written = produced_by(templates.documents(text), keys)
        for name, found in written.items():
            secrets[name] = secrets.get(name, frozenset()) | found

    def patches(env: Environment) -> list[Patch]:
        return _env_patches(facts, service, backend, statics, env)

    return Parts(resources=resources, patches=patches, secrets=secrets)


def _auth_resources(
    facts: Facts, service: Service, backend: Vault, templates: Templates
) -> dict[str, Obj | str]:
    """The service's own identity towards Vault: ServiceAccount, connection, kubernetes auth."""
    name = service.name
    auth = AuthView(
        meta=meta_view(meta(name, service.ns, facts.system, name)),
        address=backend.address,
        auth_mount=backend.authMount,
        role=role_name(name, ENV_PLACEHOLDER),
    )
    return {
        f"{kind}.yaml": templates.render(f"{ROOT}/{kind}.yaml.j2", auth=auth, **scope(service))
        for kind in ("serviceaccount", "vaultconnection", "vaultauth")
    }


def _env_patches(
    facts: Facts,
    service: Service,
    backend: Vault,
    statics: list[tuple[str, str]],
    env: Environment,
) -> list[Patch]:
    """One env's overlay: its Vault address, auth role (and mount, where a Vault serves
    several clusters), refreshAfter and, where templated, its path."""
    conn = [{"op": "replace", "path": "/spec/address", "value": address(backend, env)}]
    role = role_name(service.name, env.name)
    auth = [{"op": "replace", "path": "/spec/kubernetes/role", "value": role}]
    mount = auth_mount(facts.platform, backend, env)
    if mount != backend.authMount:
        auth.append({"op": "replace", "path": "/spec/mount", "value": mount})
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


class PolicyView(NamedTuple):
    """What `vault/policy.hcl.j2` sees as `policy`: one service's read-only policy in one env."""

    service: str
    paths: tuple[str, ...]  # kv-v2 API paths (`<mount>/data/...`): its own, then shared ones


def policy_name(facts: Facts, env: str, service: str) -> str:
    return _policy_name(facts.system, env, service)


def policy_paths(facts: Facts, service: Service, env: str) -> list[str]:
    """The only kv-v2 API paths a service may read: its own, then each shared one it declared."""
    backend = _backend(facts, service)
    if backend is None or service.secrets is None:
        return []
    own = f"{backend.mount}/data/{_path(facts, backend, service, env)}"
    shared = (shared_path(backend, s, env) for s in service.secrets.shared)
    return [own, *(f"{backend.mount}/data/{path}" for path in shared)]


def _render(facts: Facts, grants: dict[str, list[Grant]]) -> dict[str, str]:
    files: dict[str, str] = {}
    templates = templates_for(facts.catalog)
    models = {e.name: e for e in facts.envs}
    for env, found in grants.items():
        for grant in found:
            view = PolicyView(grant.service, grant.paths)
            here = scope(facts.service(grant.service), models[env])
            policy = templates.render(POLICY_TEMPLATE, policy=view, **here)
            source = facts.catalog.source(grant.service)
            files[f"{ROOT}/{env}/{grant.policy_file}"] = header(source) + policy
        if found:
            bound = templates.bound(**scope(None, models[env]))
            files[f"{ROOT}/{env}/bootstrap.sh"] = script(bound, facts.source(), env, found)
            files[f"{ROOT}/{env}/token-reviewer.yaml"] = token_reviewer(bound, facts.source())
    return files


def env_grants(facts: Facts, env: Environment) -> list[Grant]:
    """Each Vault service of one env: its policy and the auth role its VaultAuth logs in with."""
    grants = []
    for svc in facts.services:
        backend = _backend(facts, svc)
        if backend is None:
            continue
        grants.append(
            Grant(
                service=svc.name,
                address=address(backend, env),
                mount=backend.mount,
                auth_mount=auth_mount(facts.platform, backend, env),
                policy=policy_name(facts, env.name, svc.name),
                policy_file=f"policies/{svc.name}.hcl",
                role=role_name(svc.name, env.name),
                namespace=facts.deployed(svc, env).namespace,
                paths=tuple(policy_paths(facts, svc, env.name)),
            )
        )
    return grants


def result(facts: Facts) -> FamilyResult:
    """The policies and bootstrap scripts, and as data (for `diff`) each policy's grants and
    each auth role's binding: who may log in as the service, and which policy they get."""
    grants = {env.name: env_grants(facts, env) for env in facts.envs}
    cloud = CloudEffects(
        vault_grants={(e, g.service): frozenset(g.paths) for e, gs in grants.items() for g in gs},
        vault_roles={(e, g.service): role_binding(g) for e, gs in grants.items() for g in gs},
    )
    return FamilyResult(ROOT, _render(facts, grants), cloud=cloud)


def role_binding(grant: Grant) -> str:
    """One auth role as a reviewer reads it: where, who may log in, what they get."""
    return (
        f"{grant.address} auth/{grant.auth_mount}/role/{grant.role}: service account "
        f"{grant.namespace}/{grant.service} gets policy {grant.policy}"
    )


POLICIES = Family("vault", result)
