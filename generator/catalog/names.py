"""The names and per-env values a catalog gives each service, computed in ONE place.

Validation rules and every output family call these, so what the rules check is what is
rendered: the synced Secret, the secret stores, a service's namespace and refresh interval
per env.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.catalog.models import Environment, Platform, Service
from generator.catalog.templates import fill

Namespaces = dict[tuple[str, str], str]  # (service, env) -> namespace

NAMESPACE_FIELDS = frozenset({"namespace", "service", "env", "system"})
SECRET_NAME_FIELDS = frozenset({"service", "system"})
CLUSTER_STORE_FIELDS = frozenset({"system", "backend"})
SERVICE_STORE_FIELDS = frozenset({"service", "system"})

CHART_VERSION = "0.1.0"  # the one chart's version: its `helm.sh/chart` label names it


def namespace_of(platform: Platform, service: Service, env: Environment) -> str:
    """The service's own override for this env, else the env's namespace template."""
    over = service.environments.get(env.name)
    if over is not None and over.namespace is not None:
        return over.namespace
    values = {
        "namespace": service.ns,
        "service": service.name,
        "env": env.name,
        "system": platform.system,
    }
    return fill(env.namespace, values)


def namespace_table(platform: Platform, services: Iterable[Service]) -> Namespaces:
    return {
        (service.name, env.name): namespace_of(platform, service, env)
        for service in services
        for env in platform.environments
    }


def refresh_interval_of(service: Service, env: Environment) -> str:
    over = service.environments.get(env.name)
    if over is not None and over.refreshInterval is not None:
        return over.refreshInterval
    return env.refreshInterval


def secret_name_of(platform: Platform, service: Service) -> str:
    """The Kubernetes Secret a service's Deployment reads (ESO target / VSO destination)."""
    if service.secrets is not None and service.secrets.secretName is not None:
        return service.secrets.secretName
    values = {"service": service.name, "system": platform.system}
    return fill(platform.kubernetes.secretName, values)


def cluster_store_name_of(platform: Platform, backend: str) -> str:
    values = {"system": platform.system, "backend": backend}
    return fill(platform.kubernetes.clusterStoreName, values)


def service_store_name_of(platform: Platform, service: Service) -> str:
    values = {"service": service.name, "system": platform.system}
    return fill(platform.kubernetes.serviceStoreName, values)


def variable_name(service: str, key: str) -> str:
    """`lornu-ai` + `RESEND_API_KEY` -> `lornu_ai__resend_api_key`: the Terraform variable
    of a key whose value comes from GitHub.

    `__` keeps names unique: a service name never contains `_`.
    """
    return f"{service.replace('-', '_')}__{key.lower()}"


def github_secret_name(service: str, key: str) -> str:
    """The GitHub environment secret holding a service's key, for the workflows to pass on."""
    return variable_name(service, key).upper()
