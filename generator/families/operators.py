"""Platform operators the rendered objects need, per env cluster (seeds 000, 003, 004).

Each backend type installs the operator that syncs its values (`SecretBackend.operator_install`:
ESO for the AWS types, VSO for Vault); Stakater Reloader restarts a Deployment when its Secret
changes, for the types whose operator does not (`needs_reloader`; VSO restarts its own through
`rolloutRestartTargets`). `argocd.py` turns each into an Application.
"""

from __future__ import annotations

from generator import backends
from generator.catalog.facts import Facts
from generator.catalog.models import Environment, Service
from generator.parts.kube import Obj
from generator.parts.operator import Operator, switched

__all__ = ["Operator", "env_values", "installing_envs", "needed", "reload_secrets"]
RELOAD_ANNOTATION = "secret.reloader.stakater.com/reload"  # Reloader: restart on this Secret
RELOADER = "reloader"  # app name key (the backends' operators have their own keys)


def needed(facts: Facts) -> list[Operator]:
    """The operators the backend types install (each asked: `generator.backends`), then
    Reloader where a backend's operator leaves the restart to it."""
    chosen = backends.operators(facts)
    plugins = [backends.plugin_for(b) for b in facts.platform.secretBackends.values()]
    if switched(facts.platform.operators.reloader, any(p.needs_reloader for p in plugins)):
        chosen.append(_reloader(facts))
    return chosen


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


def env_values(op: Operator, env: Environment) -> Obj:
    return op.values.get(env.name, {})


def reload_secrets(facts: Facts, service: Service) -> list[str]:
    """Secrets whose change must restart the service's pods: its ESO-synced one.

    Rendered whatever `reloader.enabled` says: `false` means a Reloader you run yourself."""
    plan = facts.secret_plan(service)
    return (
        [facts.secret_name(service)]
        if plan is not None and backends.plugin_for(plan.backend).needs_reloader
        else []
    )
