"""What the access model is made of: principals, secrets, grants, the rendered state they
are read from, and the ServiceAccounts it names (`access.py` puts them together)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
READ_ACTIONS = {
    "secretsmanager": ("secretsmanager:GetSecretValue",),
    "ssm": ("ssm:GetParameter", "ssm:GetParameters"),
}
# the account of a namespace that reaches a store through its ExternalSecrets
ANY_EXTERNAL_SECRET = "*"  # noqa: S105 - a name, not a credential
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
        if self.account == ANY_EXTERNAL_SECRET:
            return f"any ExternalSecret in namespace {self.namespace} in {self.cluster}"
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
    # env -> the OIDC issuer of its cluster's tokens, where the catalog says (an env that
    # renders no IRSA role still carries one); otherwise an issuer's clusters are those of
    # the envs whose rendered roles trust it
    issuers: dict[str, str] = field(default_factory=dict)


# --- identities ------------------------------------------------------------------------------


def service_accounts(state: Applied) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(cluster, namespace, name) -> (env, service) of every ServiceAccount an env applies."""
    out = {}
    for env, objects in state.objects.items():
        for obj in objects:
            if obj.get("kind") == "ServiceAccount":
                meta = obj["metadata"]
                service = (meta.get("labels") or {}).get("app.kubernetes.io/name", "")
                out[state.clusters[env], meta["namespace"], meta["name"]] = (env, service)
    return out


def principal_of(state: Applied, cluster: str, namespace: str, account: str) -> Principal:
    """A rendered ServiceAccount's env and service; another (e.g. an operator's, or one
    anybody may create) belongs to the env of its cluster when that cluster has one env."""
    env, service = service_accounts(state).get((cluster, namespace, account), ("", ""))
    if not env:
        envs = [e for e in state.envs if state.clusters.get(e) == cluster]
        env = envs[0] if len(envs) == 1 else ""
    return Principal(env, cluster, namespace, account, service)


def service_of(obj: Obj) -> str:
    return str((obj["metadata"].get("labels") or {}).get("app.kubernetes.io/name", ""))
