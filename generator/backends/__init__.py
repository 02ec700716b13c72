"""Secret backend plug-ins, keyed by the catalog's `type`: one module per type.

A type is a catalog model (a `BackendModel`: its fields, operator, placeholders, its own
rules) and one module implementing `SecretBackend` (`base.py` lists every attribute and
method: its objects, the operator it installs, its families and templates, Terraform inputs
and IAM grants, workflow needs, push, runbook lines). The built-in ones are listed in
`PLUGINS`; a plug-in from outside the package calls `register`.

This module is the only one the rest of the package imports (a test holds every import from
outside `generator/backends/` to it): the functions below ask each registered plug-in, so
no caller names a type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from generator.backends.aws_parameter_store import ParameterStoreBackend
from generator.backends.aws_secrets_manager import SecretsManagerBackend
from generator.backends.base import ESO, VSO, CloudLogin, ClusterAccess, SecretBackend
from generator.backends.cluster_access import cluster_access
from generator.backends.commands import Fill, target
from generator.backends.vault import VaultBackend
from generator.catalog.models.platform import register_backend_model, unregister_backend_model
from generator.parts.family import Family
from generator.templating.context import Context

if TYPE_CHECKING:
    from generator.catalog.facts import Facts
    from generator.catalog.load import Catalog
    from generator.catalog.models import Aws, Backend, Environment, Service
    from generator.parts.kube import Parts
    from generator.parts.operator import Operator

__all__ = [
    "ESO",
    "PLUGINS",
    "VSO",
    "CloudLogin",
    "ClusterAccess",
    "Fill",
    "SecretBackend",
    "cluster_access",
    "cluster_kinds",
    "families",
    "fill",
    "operators",
    "plugin_for",
    "push_secrets",
    "read_grants",
    "register",
    "secret_parts",
    "template_contexts",
    "terraform_files",
    "terraform_variables",
    "unregister",
]

PLUGINS: dict[str, SecretBackend] = {
    p.type: p for p in (SecretsManagerBackend(), ParameterStoreBackend(), VaultBackend())
}


def register(plugin: SecretBackend) -> None:
    """Add a backend type from outside the package: its catalog model becomes a valid
    `secretBackends` entry, and its plug-in (with the families it brings) renders it."""
    if plugin.type in PLUGINS:
        raise ValueError(f"a secret backend type {plugin.type!r} is registered already")
    register_backend_model(plugin.model)  # first: it refuses a model without a `key`
    PLUGINS[plugin.type] = plugin


def unregister(type_name: str) -> None:
    plugin = PLUGINS.pop(type_name, None)
    if plugin is not None:
        unregister_backend_model(plugin.model)


def families() -> list[Family]:
    """The output families the backend types bring, each once, in the registry's order."""
    found: list[Family] = []
    for plugin in PLUGINS.values():
        found += [f for f in plugin.families if f not in found]
    return found


def cluster_kinds() -> list[tuple[str, str]]:
    """The cluster-scoped kinds the registered types may create, each once: what the
    services' Argo CD project allows (whether this catalog's backends create them or not)."""
    found: dict[tuple[str, str], None] = {}
    for plugin in PLUGINS.values():
        found.update(dict.fromkeys(plugin.cluster_kinds))
    return list(found)


def operators(facts: Facts) -> list[Operator]:
    """The operators the backend types install, each once (by key), in the registry's order.

    Every type is asked, used or not: platform.yaml may turn an operator on that no backend
    of the catalog needs."""
    used = {plugin_for(b).operator for b in facts.platform.secretBackends.values()}
    found: dict[str, Operator] = {}
    for plugin in PLUGINS.values():
        operator = plugin.operator_install(facts, plugin.operator in used)
        if operator is not None:
            found.setdefault(operator.key, operator)
    return list(found.values())


def terraform_files(facts: Facts, env: Environment) -> dict[str, str]:
    """The files the backend types add to one env's Terraform root, by name."""
    files: dict[str, str] = {}
    for plugin in PLUGINS.values():
        files.update(plugin.tf_files(facts, env))
    return files


def terraform_variables(facts: Facts, env: Environment) -> tuple[tuple[str, str], ...]:
    """(Terraform variable, GitHub secret) the secret sync workflow passes in one env."""
    return tuple(v for plugin in PLUGINS.values() for v in plugin.tf_variables(facts, env))


def template_contexts() -> dict[str, Context]:
    """The contexts of the backend types' templates, by template name."""
    return {name: c for plugin in PLUGINS.values() for name, c in plugin.templates.items()}


def read_grants(aws: Aws, resources: list[str]) -> list[tuple[dict[str, Any], str]]:
    """(IAM statement, AWS service a KMS decrypt goes through) of each type that owns some of
    `resources`, in the registry's order."""
    grants = (plugin.read_grant(aws, resources) for plugin in PLUGINS.values())
    return [grant for grant in grants if grant is not None]


def plugin_for(backend: Backend) -> SecretBackend:
    """The plug-in of a backend model; a model with none is a bug, refused loudly."""
    plugin = PLUGINS.get(backend.type)
    if plugin is None or not isinstance(backend, plugin.model):
        raise LookupError(f"no secret backend plug-in for type {backend.type!r}")
    return plugin


def secret_parts(facts: Facts, service: Service) -> Parts | None:
    """A service's secret objects, from its backend's plug-in (the Kustomize family)."""
    plan = facts.secret_plan(service)
    return None if plan is None else plugin_for(plan.backend).parts(facts, service, plan)


def fill(facts: Facts, service: Service, env: Environment) -> Fill | None:
    """The commands that put a service's values in place in one env (runbooks, new-service)."""
    plan = facts.secret_plan(service)
    return None if plan is None else plugin_for(plan.backend).fill(facts, service, env, plan)


def push_secrets(
    catalog: Catalog, env: str, service: str, values: Mapping[str, str], options: Mapping[str, Any]
) -> None:
    """`push-secrets`, through the service's backend plug-in; `options`: source, lines, url
    (the endpoint), dry_run."""
    _facts, _env, plan = target(catalog, env, service)
    plugin_for(plan.backend).push(catalog, env, service, values, options)
