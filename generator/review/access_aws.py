"""Access through AWS: IRSA roles, their trust and policies, and the stores that use them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from generator.review.access_model import (
    ANY_EXTERNAL_SECRET,
    READ_ACTIONS,
    SM_SUFFIX,
    WEB_IDENTITY,
    Applied,
    Grant,
    Obj,
    Principal,
    Secret,
    principal_of,
    service_accounts,
    service_of,
)

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
    issuers: dict[str, set[str]] = {}  # OIDC issuer -> clusters whose tokens carry it
    for env, issuer in state.issuers.items():
        if env in state.clusters:
            issuers.setdefault(issuer, set()).add(state.clusters[env])
    for env, role in roles:
        for issuer, _ in _subjects(role["assume_role_policy"]):
            issuers.setdefault(issuer, set()).add(state.clusters[env])
    accounts = service_accounts(state)
    for env, role in roles:
        account = _role_account(role)
        secrets = _aws_secrets(state, account)
        readable = sorted(_readable(role["policy"], secrets))
        for issuer, sub in _subjects(role["assume_role_policy"]):
            for cluster, namespace, name in _who(accounts, issuers[issuer], sub):
                principal = principal_of(state, cluster, namespace, name)
                via = f"IAM role {role['name']} (IRSA){_stores(state, env, role)}"
                for arn in readable:
                    yield Grant(principal, via, secrets[arn])


def _unrendered_eso(state: Applied) -> Iterator[Grant]:
    """A ClusterSecretStore without `auth` uses ESO's controller identity. Where the render has
    no IRSA role for it (no OIDC issuer), its IAM policy is not known here: it is taken to
    read every secret of its env that the store's AWS service holds (the safe assumption)."""
    for env in state.envs:
        if _tfvars(state, env).get("irsa_roles"):
            continue
        stores = _cluster_stores(state, env)
        eso = _eso(state, env)
        if not stores or eso is None:
            continue
        arn, principal = eso
        for store in stores:
            kind = _store_kind(store)
            name, reach = store["metadata"]["name"], _conditions(store["spec"])
            via = (
                f"IAM role {arn or 'of ESO'} (not rendered: taken to read every secret of the "
                f"env); ClusterSecretStore {name}: {reach}"
            )
            for secret in _aws_secrets(state, "*").values():
                if env in secret.envs and secret.backend == kind:
                    yield Grant(principal, via, secret)


def through_cluster_stores(state: Applied, grants: Iterable[Grant]) -> Iterator[Grant]:
    """What ESO's identity reads, every namespace a ClusterSecretStore admits reads too: an
    ExternalSecret there names any remote key and ESO fetches it (the store has no `auth`)."""
    grants = list(grants)
    for env in state.envs:
        eso = _eso(state, env)
        if eso is None:
            continue
        _, identity = eso
        namespaces = {
            (o["metadata"]["namespace"], service_of(o))
            for o in state.objects.get(env, [])
            if o.get("kind") == "ExternalSecret"
        }
        for store in _cluster_stores(state, env):
            kind, name = _store_kind(store), store["metadata"]["name"]
            admitted = [(ns, svc) for ns, svc in sorted(namespaces) if _admits(store, ns)]
            for grant in grants:
                if grant.principal != identity or grant.secret.backend != kind:
                    continue
                for namespace, service in admitted:
                    who = Principal(env, identity.cluster, namespace, ANY_EXTERNAL_SECRET, service)
                    yield Grant(who, f"ClusterSecretStore {name} as {grant.via}", grant.secret)


def _cluster_stores(state: Applied, env: str) -> list[Obj]:
    """The env's AWS ClusterSecretStores that read as ESO's own identity (no `auth`)."""
    found = []
    for obj in state.objects.get(env, []):
        provider = ((obj.get("spec") or {}).get("provider") or {}).get("aws")
        if obj.get("kind") == "ClusterSecretStore" and provider and not provider.get("auth"):
            found.append(obj)
    return found


def _store_kind(store: Obj) -> str:
    service = store["spec"]["provider"]["aws"].get("service", "")
    return {"SecretsManager": "secretsmanager", "ParameterStore": "ssm"}.get(service, "")


def _admits(store: Obj, namespace: str) -> bool:
    """A store's `conditions`: none admits every namespace; a label selector is taken to
    admit any (labels are not known here)."""
    conditions = (store.get("spec") or {}).get("conditions") or []
    if not conditions:
        return True
    return any(
        c.get("namespaceSelector") or namespace in (c.get("namespaces") or []) for c in conditions
    )


def _eso(state: Applied, env: str) -> tuple[str, Principal] | None:
    """ESO's IRSA role ARN (or "") and its ServiceAccount in the env's cluster."""
    import yaml

    docs = yaml.safe_load_all(state.tree.get(f"argocd/{env}/operators.yaml", ""))
    eso = next((d for d in docs if isinstance(d, dict) and _is_eso(d)), None)
    if eso is None:
        return None
    values = eso["spec"]["source"].get("helm", {}).get("valuesObject", {})
    account = values.get("serviceAccount", {})
    arn = (account.get("annotations") or {}).get("eks.amazonaws.com/role-arn", "")
    namespace = eso["spec"]["destination"]["namespace"]
    name = account.get("name") or "external-secrets"  # the chart's default: its release's
    return arn, principal_of(state, state.clusters[env], namespace, name)


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
