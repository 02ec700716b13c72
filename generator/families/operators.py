"""Platform operators the rendered objects need, per env cluster (seeds 000, 003, 004).

ESO serves the ExternalSecrets and ClusterSecretStores of the AWS backends, VSO the Vault
objects, and Stakater Reloader restarts a Deployment when its ESO-synced Secret changes (VSO
restarts its own through `rolloutRestartTargets`). `argocd.py` turns each into an Application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from generator.backends import plugin_for
from generator.backends.base import ESO, VSO
from generator.backends.eso import IRSA_ANNOTATION, role_arn
from generator.catalog.facts import Facts
from generator.catalog.models import Chart, Environment, Service
from generator.parts.kube import Obj

RELOAD_ANNOTATION = "secret.reloader.stakater.com/reload"  # Reloader: restart on this Secret
ESO_ROLE = "external-secrets"  # the per-env role Terraform creates in `cluster` scope
RELOADER = "reloader"  # app name key (ESO and VSO: the backends' operator keys)


@dataclass(frozen=True)
class Operator:
    """One operator as an Argo CD app installs it into one env's cluster."""

    key: str  # names the app: <system>-<key>-<env>
    chart: Chart
    namespace: str
    server_side: bool  # its CRDs exceed the client-side apply annotation limit
    values: dict[str, Obj] = field(default_factory=dict)  # env name -> Helm values


def needed(facts: Facts) -> list[Operator]:
    """The operators `wanted` names, built for the catalog's envs (ESO, VSO, Reloader)."""
    chosen = wanted(facts)
    return [build(facts) for key, build in _BUILDERS.items() if key in chosen]


def wanted(facts: Facts) -> frozenset[str]:
    """The decision alone: what the catalog's backends need, unless `enabled` says otherwise."""
    ops = facts.platform.operators
    plugins = [plugin_for(b) for b in facts.platform.secretBackends.values()]
    has_aws = facts.platform.aws is not None  # ESO's AWS provider has nothing to read without
    on = {
        ESO: _on(ops.externalSecrets, has_aws and any(p.operator == ESO for p in plugins)),
        VSO: _on(ops.vaultSecretsOperator, any(p.operator == VSO for p in plugins)),
        RELOADER: _on(ops.reloader, has_aws and any(p.needs_reloader for p in plugins)),
    }
    return frozenset(key for key, yes in on.items() if yes)


def _vault_secrets_operator(facts: Facts) -> Operator:
    vso = facts.platform.operators.vaultSecretsOperator
    return Operator(VSO, vso, vso.namespace, server_side=True)


def _reloader(facts: Facts) -> Operator:
    """`annotations`: it marks the pod template instead of adding an env var Argo CD would
    report as drift (Reloader's README, "reloadStrategy")."""
    values = {e.name: {"reloader": {"reloadStrategy": "annotations"}} for e in facts.envs}
    reloader = facts.platform.operators.reloader
    return Operator(RELOADER, reloader, reloader.namespace, False, values)


def installing_envs(facts: Facts) -> set[str]:
    """Envs whose root installs the operators: the first (in promotion order) of each
    cluster, so two envs sharing a cluster never install one operator twice."""
    first: dict[str, str] = {}
    for env in facts.envs:
        first.setdefault(env.cluster, env.name)
    return set(first.values())


def _on(chart: Chart, needed: bool) -> bool:
    return needed if chart.enabled is None else chart.enabled


def eso_service_account(facts: Facts) -> tuple[str, str]:
    """(namespace, name): what the Terraform role trusts, so also where ESO must run."""
    account = facts.platform.aws.esoServiceAccount if facts.platform.aws else ""
    namespace, _, name = (account or "external-secrets/external-secrets").partition("/")
    return namespace, name


def _external_secrets(facts: Facts) -> Operator:
    """ESO under the ServiceAccount the role trusts; in `cluster` scope it carries the role."""
    namespace, name = eso_service_account(facts)
    aws = facts.platform.aws
    values: dict[str, Obj] = {}
    for env in facts.envs:
        account: Obj = {"name": name}
        if aws is not None and aws.secretStoreScope == "cluster":
            arn = role_arn(aws, facts.system, env.name, ESO_ROLE)
            account["annotations"] = {IRSA_ANNOTATION: arn}
        values[env.name] = {"installCRDs": True, "serviceAccount": account}
    return Operator(ESO, facts.platform.operators.externalSecrets, namespace, True, values)


_BUILDERS: dict[str, Callable[[Facts], Operator]] = {  # in install order
    ESO: _external_secrets,
    VSO: _vault_secrets_operator,
    RELOADER: _reloader,
}


def env_values(op: Operator, env: Environment) -> Obj:
    return op.values.get(env.name, {})


def reload_secrets(facts: Facts, service: Service) -> list[str]:
    """Secrets whose change must restart the service's pods: its ESO-synced one.

    Rendered whatever `reloader.enabled` says: `false` means a Reloader you run yourself."""
    plan = facts.secret_plan(service)
    return (
        [facts.secret_name(service)]
        if plan is not None and plugin_for(plan.backend).needs_reloader
        else []
    )
