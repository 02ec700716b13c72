"""Isolation rules: environments never collide in a cluster, and every name Kubernetes sees is
one it accepts.

Two Argo CD apps that own one object fight over it forever with `selfHeal` (each sync undoes
the other env's), and deleting either app prunes it for both. Namespaces are the unit: a
service's objects are named after the service, so two envs may share a cluster only when
their namespace templates keep every namespace apart. Names are checked after the env's
namespace template is expanded, against the rule the API server applies to that kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from generator.catalog.models import Environment, Platform, Service
from generator.catalog.names import (
    CHART_VERSION,
    Namespaces,
    cluster_store_name_of,
    namespace_table,
)
from generator.catalog.rules_names import service_name_problems, templates_valid
from generator.catalog.source import SourceMap
from generator.catalog.templates import placeholders
from generator.errors import Problem

# Namespaces of Kubernetes itself; the platform's own (Argo CD's, the operators') are added.
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
OPERATOR_NAMESPACES = ("external-secrets", "vault-secrets-operator-system")
NS_FIELDS = {"namespace", "service", "env", "system"}

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_MAX, SUBDOMAIN_MAX = 63, 253
IN_CLUSTER = "https://kubernetes.default.svc"


def isolation_problems(
    platform: Platform,
    psmap: SourceMap,
    services: Mapping[str, Service],
    smaps: Mapping[str, SourceMap],
) -> Iterator[Problem]:
    if not all(set(placeholders(e.namespace)) <= NS_FIELDS for e in platform.environments):
        return  # an unknown placeholder is already refused; nothing can be expanded
    if not templates_valid(platform):
        return
    namespaces = namespace_table(platform, services.values())  # asked four times each
    yield from _shared_cluster_stores(platform, psmap)
    yield from _env_collisions(platform, psmap, services, smaps, namespaces)
    system = system_namespaces(platform)
    yield from _chart_label(platform, psmap)
    for name in sorted(services):
        service, smap = services[name], smaps[name]
        yield from _system_namespace(platform, service, smap, system, namespaces)
        yield from _service_names(platform, service, smap, namespaces)
    yield from service_name_problems(platform, psmap, services, smaps, namespaces)


def system_namespaces(platform: Platform) -> tuple[str, ...]:
    extra = {platform.argocdNamespace, *OPERATOR_NAMESPACES}
    if platform.aws is not None:
        extra.add(platform.aws.esoServiceAccount.partition("/")[0])
    return tuple(sorted({*SYSTEM_NAMESPACES, *extra}))


def cluster_of(env: Environment) -> str:
    return env.cluster.rstrip("/")


def _deployed(service: Service, env: Environment) -> bool:
    over = service.environments.get(env.name)
    return over is None or over.enabled


def _env_field(platform: Platform, index: int) -> tuple[str | int, ...]:
    """Where an env's fix goes: its namespace template, else its cluster, else the entry."""
    env = platform.environments[index]
    fields = env.model_fields_set
    for name in ("namespace", "cluster"):
        if name in fields:
            return ("environments", index, name)
    return ("environments", index)


def _override(service: Service, env: str) -> bool:
    over = service.environments.get(env)
    return over is not None and over.namespace is not None


def _env_collisions(
    platform: Platform,
    psmap: SourceMap,
    services: Mapping[str, Service],
    smaps: Mapping[str, SourceMap],
    namespaces: Namespaces,
) -> Iterator[Problem]:
    """One located error per pair of envs whose objects would share a cluster and namespace;
    at the service's own `environments.<env>.namespace` when that override causes it."""
    owner: dict[tuple[str, str], tuple[str, str]] = {}  # (cluster, ns) -> (env, service)
    clashes: dict[tuple[int, str], list[tuple[str, str, str]]] = {}
    for index, env in enumerate(platform.environments):
        for name in sorted(services):
            service = services[name]
            if not _deployed(service, env):
                continue
            where = (cluster_of(env), namespaces[name, env.name])
            first = owner.setdefault(where, (env.name, name))
            if first[0] == env.name:
                continue
            if _override(service, env.name):
                yield _override_clash(smaps[name], env.name, first, where[1])
            elif _override(services[first[1]], first[0]):
                yield _override_clash(smaps[first[1]], first[0], (env.name, name), where[1])
            else:
                clashes.setdefault((index, first[0]), []).append((name, first[1], where[1]))
    for (index, other), found in sorted(clashes.items()):
        env = platform.environments[index]
        name, other_name, namespace = found[0]
        who = (
            f"service {name!r}"
            if name == other_name
            else f"service {other_name!r} ({other}) and service {name!r} ({env.name})"
        )
        more = f" (and {len(found) - 1} more service(s))" if len(found) > 1 else ""
        msg = (
            f"envs {other!r} and {env.name!r} would both put {who} into namespace "
            f"{namespace!r} of cluster {cluster_of(env)}{more}: their Argo CD apps would fight "
            "over the same objects; give this env its own `cluster` or a `namespace` template "
            'that differs per env, e.g. "{namespace}-{env}"'
        )
        yield psmap.problem(_env_field(platform, index), msg)


def _override_clash(smap: SourceMap, env: str, other: tuple[str, str], namespace: str) -> Problem:
    """A service's per-env namespace override that lands where another env puts a service."""
    msg = (
        f"namespace {namespace!r} (env {env}) is also where service {other[1]!r} runs in env "
        f"{other[0]!r}, in the same cluster: their Argo CD apps would fight over the same "
        "objects; pick a namespace of its own"
    )
    return smap.problem(("environments", env, "namespace"), msg)


def _shared_cluster_stores(platform: Platform, psmap: SourceMap) -> Iterator[Problem]:
    """ClusterSecretStores are per backend, not per env, and ESO's one ServiceAccount in a
    cluster carries one env's IRSA role: two envs in one cluster cannot both have them."""
    aws = platform.aws
    backends = sorted(n for n, b in platform.secretBackends.items() if b.on_aws)
    if aws is None or aws.secretStoreScope != "cluster" or not backends:
        return
    first: dict[str, str] = {}
    for index, env in enumerate(platform.environments):
        other = first.setdefault(cluster_of(env), env.name)
        if other == env.name:
            continue
        store = cluster_store_name_of(platform, backends[0])
        msg = (
            f"envs {other!r} and {env.name!r} share cluster {cluster_of(env)} with "
            f"aws.secretStoreScope `cluster`: both would own ClusterSecretStore {store!r}, and "
            f"ESO's ServiceAccount ({aws.esoServiceAccount}) can carry only one env's IAM role; "
            "give this env its own `cluster`, or set aws.secretStoreScope: service"
        )
        where = "cluster" in env.model_fields_set
        yield psmap.problem(("environments", index, "cluster")[: 3 if where else 2], msg)


def _service_field(service: Service) -> tuple[str, ...]:
    return ("namespace",) if service.namespace is not None else ("name",)


def _system_namespace(
    platform: Platform,
    service: Service,
    smap: SourceMap,
    system: tuple[str, ...],
    namespaces: Namespaces,
) -> Iterator[Problem]:
    for env in platform.environments:
        namespace = namespaces[service.name, env.name]
        if namespace in system:
            msg = (
                f"namespace {namespace!r} (env {env.name}) is a system namespace "
                f"({', '.join(system)}): a service never lands there; set `namespace` to one "
                "of its own"
            )
            own = _override(service, env.name)
            where = ("environments", env.name, "namespace") if own else _service_field(service)
            yield smap.problem(where, msg)
            return


def _service_names(
    platform: Platform, service: Service, smap: SourceMap, namespaces: Namespaces
) -> Iterator[Problem]:
    """The names the render gives this service's objects, each by its kind's rule."""
    if not DNS1035_LABEL.match(service.name):
        msg = (
            f"{service.name!r} becomes a Service name, which Kubernetes requires to be a "
            "DNS-1035 label (start with a letter): rename the service"
        )
        yield smap.problem(("name",), msg)
    for env in platform.environments:
        namespace = namespaces[service.name, env.name]
        if len(namespace) > LABEL_MAX or not DNS1123_LABEL.match(namespace):
            msg = (
                f"namespace {namespace!r} (env {env.name}, {len(namespace)} characters) is not a "
                f"DNS-1123 label of at most {LABEL_MAX}: shorten `namespace` or the env's "
                "namespace template"
            )
            yield smap.problem(_service_field(service), msg)
            break
    shared = service.secrets.shared if service.secrets else []
    for index, path in enumerate(shared):
        name = f"{service.name}-shared-{path.replace('/', '-')}"
        if len(name) > SUBDOMAIN_MAX or not DNS1123_SUBDOMAIN.match(name):
            msg = f"Secret name {name!r} is not a DNS-1123 subdomain: shorten the shared path"
            yield smap.problem(("secrets", "shared", index), msg)


def _chart_label(platform: Platform, psmap: SourceMap) -> Iterator[Problem]:
    """The chart labels every object `helm.sh/chart: <system>-services-<version>`."""
    value = f"{platform.system}-services-{CHART_VERSION}"
    if len(value) > LABEL_MAX:
        msg = (
            f"label value helm.sh/chart {value!r} is {len(value)} characters; Kubernetes allows "
            f"{LABEL_MAX}: shorten `system`"
        )
        yield psmap.problem(("system",), msg)
