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

import json
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.catalog.rules_vault import CLUSTER_LOCAL
from generator.review import applied

Obj = dict[str, Any]
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
READ_ACTIONS = {
    "secretsmanager": ("secretsmanager:GetSecretValue",),
    "ssm": ("ssm:GetParameter", "ssm:GetParameters"),
}
SM_SUFFIX = "-AbC123"  # Secrets Manager ends every ARN with '-' and 6 random characters


@dataclass(frozen=True, order=True)
class Principal:
    """A Kubernetes ServiceAccount in one cluster: who logs in or assumes a role."""

    env: str  # the env whose output renders it ("" when no env does)
    cluster: str
    namespace: str
    account: str
    service: str  # the service it belongs to ("" for a platform identity, e.g. ESO's)

    def __str__(self) -> str:
        return f"ServiceAccount {self.namespace}/{self.account} in {self.cluster}"


@dataclass(frozen=True, order=True)
class Secret:
    """One remote secret: an AWS secret or parameter, or a kv-v2 path on one Vault."""

    backend: str  # secretsmanager | ssm | vault
    store: str  # the AWS account and region, or the Vault
    path: str  # the secret's or parameter's name; `<mount>/<path>` on Vault
    envs: tuple[str, ...]  # the envs whose output names it
    service: str  # the service it belongs to ("" for a shared path)


@dataclass(frozen=True, order=True)
class Grant:
    principal: Principal
    via: str  # the role (and store or auth mount) it reads through
    secret: Secret


@dataclass
class Applied:
    """The rendered inputs of the model, per env."""

    tree: dict[str, str]
    envs: list[str]
    clusters: dict[str, str]  # env -> cluster
    objects: dict[str, list[Obj]] = field(default_factory=dict)  # env -> applied objects


def applied_state(tree: dict[str, str], envs: list[str], rendered_path: str) -> Applied:
    """Build every Kustomize app of every env (the chart holds no grant)."""
    every = applied.apps(tree, envs, rendered_path)
    apps = [a for a in every if a.path.startswith(("kustomize/", "platform/"))]
    clusters = {a.env: a.cluster for a in every}
    state = Applied(tree, envs, clusters)
    for app, objects in applied.built_objects(tree, apps).items():
        for key, obj in objects.items():
            meta = obj.setdefault("metadata", {})
            meta.setdefault("namespace", key.namespace)
            state.objects.setdefault(app.env, []).append(obj)
    return state


def model(state: Applied) -> list[Grant]:
    return sorted({*_aws(state), *_unrendered_eso(state), *_vault(state)})


# --- identities ------------------------------------------------------------------------------


def _accounts(state: Applied) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(cluster, namespace, name) -> (env, service) of every ServiceAccount an env applies."""
    out = {}
    for env, objects in state.objects.items():
        for obj in objects:
            if obj.get("kind") == "ServiceAccount":
                meta = obj["metadata"]
                service = (meta.get("labels") or {}).get("app.kubernetes.io/name", "")
                out[state.clusters[env], meta["namespace"], meta["name"]] = (env, service)
    return out


def _principal(state: Applied, cluster: str, namespace: str, account: str) -> Principal:
    """A rendered ServiceAccount's env and service; another (e.g. an operator's, or one
    anybody may create) belongs to the env of its cluster when that cluster has one env."""
    env, service = _accounts(state).get((cluster, namespace, account), ("", ""))
    if not env:
        envs = [e for e in state.envs if state.clusters.get(e) == cluster]
        env = envs[0] if len(envs) == 1 else ""
    return Principal(env, cluster, namespace, account, service)


def _of(obj: Obj) -> str:
    return str((obj["metadata"].get("labels") or {}).get("app.kubernetes.io/name", ""))


# --- AWS -------------------------------------------------------------------------------------


def _tfvars(state: Applied, env: str) -> Obj:
    text = state.tree.get(f"terraform/envs/{env}/terraform.tfvars.json")
    return json.loads(text) if text else {}


def _region(state: Applied, env: str) -> str:
    for obj in state.objects.get(env, []):
        if obj.get("kind") in {"SecretStore", "ClusterSecretStore"}:
            region = ((obj.get("spec") or {}).get("provider") or {}).get("aws", {}).get("region")
            if region:
                return str(region)
    return "*"


def _aws_secrets(state: Applied, account: str) -> dict[str, Secret]:
    """ARN -> secret, for every secret and parameter any env renders."""
    named: dict[tuple[str, str, str], tuple[set[str], str]] = {}
    for env in state.envs:
        tfvars, region = _tfvars(state, env), _region(state, env)
        for backend, collection in (
            ("secretsmanager", "secretsmanager_secrets"),
            ("ssm", "ssm_parameters"),
        ):
            for item in (tfvars.get(collection) or {}).values():
                envs, _ = named.setdefault(
                    (backend, region, item["name"]), (set(), item["service"])
                )
                envs.add(env)
    out = {}
    for (backend, region, name), (envs, service) in named.items():
        if backend == "secretsmanager":
            arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}{SM_SUFFIX}"
        else:
            arn = f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}"
        store = f"AWS account {account} {region}"
        out[arn] = Secret(backend, store, name, tuple(sorted(envs)), service)
    return out


def aws_match(pattern: str, value: str, *, case: bool = True) -> bool:
    """IAM's wildcards: `*` any run of characters (`/` included), `?` exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=0 if case else re.IGNORECASE) is not None


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def _readable(policy: Obj, arns: Iterable[str]) -> set[str]:
    """The ARNs a policy lets its holder read: Allow statements less Deny statements."""
    allowed: set[str] = set()
    denied: set[str] = set()
    for statement in _listed_statements(policy):
        actions = _listed(statement.get("Action"))
        resources = _listed(statement.get("Resource"))
        for arn in arns:
            service = arn.split(":")[2]
            needed = READ_ACTIONS.get(service, ())
            acts = any(aws_match(a, n, case=False) for a in actions for n in needed)
            if acts and any(aws_match(r, arn) for r in resources):
                (allowed if statement.get("Effect") == "Allow" else denied).add(arn)
    return allowed - denied


def _listed_statements(policy: Obj) -> list[Obj]:
    statements = policy.get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


def _subjects(trust: Obj) -> Iterator[tuple[str, str]]:
    """(OIDC issuer, `sub` pattern) of every web-identity trust statement."""
    for statement in _listed_statements(trust):
        if statement.get("Effect") != "Allow" or WEB_IDENTITY not in _listed(statement["Action"]):
            continue
        federated = _listed((statement.get("Principal") or {}).get("Federated"))
        conditions = statement.get("Condition") or {}
        for arn in federated:
            issuer = arn.partition(":oidc-provider/")[2]
            subs = [
                sub
                for test in ("StringEquals", "StringLike")
                for sub in _listed((conditions.get(test) or {}).get(f"{issuer}:sub"))
            ]
            for sub in subs or ["*"]:  # no `sub` condition: every ServiceAccount of the issuer
                yield issuer, sub


def _aws(state: Applied) -> Iterator[Grant]:
    roles = [
        (env, role)
        for env in state.envs
        for role in _tfvars(state, env).get("irsa_roles", {}).values()
    ]
    issuers: dict[str, set[str]] = {}  # OIDC issuer -> clusters of the envs that trust it
    for env, role in roles:
        for issuer, _ in _subjects(role["assume_role_policy"]):
            issuers.setdefault(issuer, set()).add(state.clusters[env])
    accounts = _accounts(state)
    for env, role in roles:
        account = _role_account(role)
        secrets = _aws_secrets(state, account)
        readable = sorted(_readable(role["policy"], secrets))
        for issuer, sub in _subjects(role["assume_role_policy"]):
            for cluster, namespace, name in _who(accounts, issuers[issuer], sub):
                principal = _principal(state, cluster, namespace, name)
                via = f"IAM role {role['name']} (IRSA){_stores(state, env, role)}"
                for arn in readable:
                    yield Grant(principal, via, secrets[arn])


def _unrendered_eso(state: Applied) -> Iterator[Grant]:
    """A ClusterSecretStore without `auth` uses ESO's controller identity. Where the render has
    no IRSA role for it (no OIDC issuer), its IAM policy is not known here: it is taken to
    read every secret of its env that the store's AWS service holds (the safe assumption)."""
    import yaml

    for env in state.envs:
        if _tfvars(state, env).get("irsa_roles"):
            continue
        stores = [
            o
            for o in state.objects.get(env, [])
            if o.get("kind") == "ClusterSecretStore"
            and not ((o.get("spec") or {}).get("provider") or {}).get("aws", {}).get("auth")
        ]
        docs = yaml.safe_load_all(state.tree.get(f"argocd/{env}/operators.yaml", ""))
        eso = next((d for d in docs if isinstance(d, dict) and _is_eso(d)), None)
        if not stores or eso is None:
            continue
        values = eso["spec"]["source"].get("helm", {}).get("valuesObject", {})
        account = values.get("serviceAccount", {})
        arn = (account.get("annotations") or {}).get("eks.amazonaws.com/role-arn", "")
        principal = _principal(
            state, state.clusters[env], eso["spec"]["destination"]["namespace"], account["name"]
        )
        for store in stores:
            kind = {"SecretsManager": "secretsmanager", "ParameterStore": "ssm"}.get(
                store["spec"]["provider"]["aws"].get("service", ""), ""
            )
            name, reach = store["metadata"]["name"], _conditions(store["spec"])
            via = (
                f"IAM role {arn or 'of ESO'} (not rendered: taken to read every secret of the "
                f"env); ClusterSecretStore {name}: {reach}"
            )
            for secret in _aws_secrets(state, "*").values():
                if env in secret.envs and secret.backend == kind:
                    yield Grant(principal, via, secret)


def _is_eso(doc: Obj) -> bool:
    source = (doc.get("spec") or {}).get("source") or {}
    return doc.get("kind") == "Application" and source.get("chart") == "external-secrets"


def _role_account(role: Obj) -> str:
    for statement in _listed_statements(role["assume_role_policy"]):
        for arn in _listed((statement.get("Principal") or {}).get("Federated")):
            return arn.split(":")[4]
    return "*"


def _who(
    accounts: dict[tuple[str, str, str], tuple[str, str]], clusters: set[str], sub: str
) -> Iterator[tuple[str, str, str]]:
    """Every ServiceAccount a `sub` pattern names, in each cluster of the issuer: the exact
    one even where no env renders it (anyone who creates it there gets the role)."""
    if "*" not in sub and "?" not in sub:
        namespace, _, name = sub.removeprefix("system:serviceaccount:").rpartition(":")
        for cluster in sorted(clusters):
            yield cluster, namespace, name
        return
    for cluster, namespace, name in sorted(accounts):
        if cluster in clusters and aws_match(sub, f"system:serviceaccount:{namespace}:{name}"):
            yield cluster, namespace, name


def _stores(state: Applied, env: str, role: Obj) -> str:
    """The stores through which ExternalSecrets use this role, and from where."""
    namespace, _, account = str(role.get("service_account", "")).partition("/")
    found = []
    for obj in state.objects.get(env, []):
        spec = obj.get("spec") or {}
        aws = (spec.get("provider") or {}).get("aws") or {}
        ref = (((aws.get("auth") or {}).get("jwt") or {}).get("serviceAccountRef") or {}).get(
            "name"
        )
        meta = obj["metadata"]
        if obj.get("kind") == "SecretStore" and ref == account and meta["namespace"] == namespace:
            found.append(f"SecretStore {namespace}/{meta['name']}: namespace {namespace} only")
        elif obj.get("kind") == "ClusterSecretStore" and not aws.get("auth"):
            found.append(f"ClusterSecretStore {meta['name']}: {_conditions(spec)}")
    return f"; {'; '.join(sorted(found))}" if found else ""


def _conditions(spec: Obj) -> str:
    names = sorted({n for c in spec.get("conditions") or [] for n in c.get("namespaces") or []})
    selectors = [c for c in spec.get("conditions") or [] if c.get("namespaceSelector")]
    if not names and not selectors:
        return "EVERY namespace"
    return "namespaces " + ", ".join(names + ["(a label selector)"] * bool(selectors))


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
        owner = "" if "-shared-" in obj["metadata"]["name"] else _of(obj)
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
    accounts = _accounts(state)
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
                    principal = _principal(state, cluster, namespace, name)
                    via = f"Vault role {role} through auth/{mount} of {store}"
                    for path in readable:
                        envs, owner = vault.paths[path]
                        yield Grant(
                            principal, via, Secret("vault", store, path, tuple(sorted(envs)), owner)
                        )
