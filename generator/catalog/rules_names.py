"""Rules for the `kubernetes:` name settings and the per-env service overrides.

Every name is checked after expansion, by the function the render uses (`names.py`), against
the rule the API server applies: a template that yields an invalid or colliding name is a
located error here, not a failed `kubectl apply` later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from generator.catalog.models import ESO, Platform, Service
from generator.catalog.names import (
    CLUSTER_STORE_FIELDS,
    SECRET_NAME_FIELDS,
    SERVICE_STORE_FIELDS,
    Namespaces,
    cluster_store_name_of,
    secret_name_of,
    service_store_name_of,
)
from generator.catalog.rotation import zero
from generator.catalog.source import SourceMap
from generator.catalog.templates import placeholders, stray_brace
from generator.errors import Problem

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SUBDOMAIN_MAX, LABEL_NAME_MAX = 253, 63
# Labels gitops-gen sets itself: a force-sync label with one of these keys would replace them.
OWN_LABELS = (
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "backstage.io/kubernetes-id",
)
TEMPLATES = (
    ("secretName", SECRET_NAME_FIELDS),
    ("clusterStoreName", CLUSTER_STORE_FIELDS),
    ("serviceStoreName", SERVICE_STORE_FIELDS),
)


def subdomain_problem(name: str) -> str | None:
    if len(name) > SUBDOMAIN_MAX or not DNS1123_SUBDOMAIN.match(name):
        return f"is not a DNS-1123 subdomain of at most {SUBDOMAIN_MAX} characters"
    return None


def kubernetes_problems(platform: Platform, smap: SourceMap) -> Iterator[Problem]:
    """The `kubernetes:` section of platform.yaml on its own."""
    kube = platform.kubernetes
    for field, allowed in TEMPLATES:
        text = getattr(kube, field)
        path = ("kubernetes", field)
        unknown = [p for p in placeholders(text) if p not in allowed]
        if stray_brace(text) or unknown:
            choices = ", ".join("{" + a + "}" for a in sorted(allowed))
            yield smap.problem(path, f"template {text!r}: placeholders allowed are {choices}")
    yield from _label_problems(kube.managedLabel, smap)
    if templates_valid(platform):
        yield from _cluster_store_problems(platform, smap)


def templates_valid(platform: Platform) -> bool:
    kube = platform.kubernetes
    return all(
        not stray_brace(getattr(kube, f)) and set(placeholders(getattr(kube, f))) <= allowed
        for f, allowed in TEMPLATES
    )


def _label_problems(key: str, smap: SourceMap) -> Iterator[Problem]:
    path = ("kubernetes", "managedLabel")
    prefix, _, name = key.rpartition("/")
    if len(prefix) > SUBDOMAIN_MAX or len(name) > LABEL_NAME_MAX:
        msg = f"label key {key!r}: the prefix allows {SUBDOMAIN_MAX} characters, the name "
        yield smap.problem(path, msg + f"{LABEL_NAME_MAX}")
    if key in OWN_LABELS:
        msg = f"{key!r} is a label gitops-gen sets itself; the force-sync label needs its own key"
        yield smap.problem(path, msg)


def _cluster_store_problems(platform: Platform, smap: SourceMap) -> Iterator[Problem]:
    path = ("kubernetes", "clusterStoreName")
    owner: dict[str, str] = {}
    # the backends a ClusterSecretStore of that name reads (with secretStoreScope `cluster`)
    for backend in sorted(n for n, b in platform.secretBackends.items() if b.on_aws):
        store = cluster_store_name_of(platform, backend)
        bad = subdomain_problem(store)
        if bad:
            yield smap.problem(path, f"ClusterSecretStore name {store!r} (backend {backend}) {bad}")
            return
        first = owner.setdefault(store, backend)
        if first != backend:
            msg = f"backends {first!r} and {backend!r} would share ClusterSecretStore {store!r}: "
            yield smap.problem(path, msg + "put {backend} in the template")
            return


def service_name_problems(
    platform: Platform,
    psmap: SourceMap,
    services: Mapping[str, Service],
    smaps: Mapping[str, SourceMap],
    namespaces: Namespaces,
) -> Iterator[Problem]:
    """Per service: its Secret and SecretStore names, its per-env overrides; then, per env and
    namespace, no two services syncing into one Secret."""
    if not templates_valid(platform):
        return
    reported: set[str] = set()  # platform fields already blamed once
    for name in sorted(services):
        service, smap = services[name], smaps[name]
        yield from _own_names(platform, psmap, service, smap, reported)
        yield from _refresh_overrides(platform, service, smap)
    yield from _shared_secrets(platform, services, smaps, namespaces)


def _own_names(
    platform: Platform, psmap: SourceMap, service: Service, smap: SourceMap, reported: set[str]
) -> Iterator[Problem]:
    if service.secrets is None:
        return
    secret = secret_name_of(platform, service)
    bad = subdomain_problem(secret)
    if bad and service.secrets.secretName is not None:
        yield smap.problem(("secrets", "secretName"), f"Secret name {secret!r} {bad}")
    elif bad and "secretName" not in reported:
        reported.add("secretName")
        msg = f"Secret name {secret!r} (service {service.name}) {bad}"
        yield psmap.problem(("kubernetes", "secretName"), msg)
    store = service_store_name_of(platform, service)
    aws = platform.aws
    if aws is not None and aws.secretStoreScope == "service" and "serviceStoreName" not in reported:
        bad = subdomain_problem(store)
        if bad:
            reported.add("serviceStoreName")
            msg = f"SecretStore name {store!r} (service {service.name}) {bad}"
            yield psmap.problem(("kubernetes", "serviceStoreName"), msg)


def _refresh_overrides(platform: Platform, service: Service, smap: SourceMap) -> Iterator[Problem]:
    backend = platform.secretBackends.get(service.secrets.backend) if service.secrets else None
    for env, over in service.environments.items():
        if over.refreshInterval is None:
            continue
        path = ("environments", env, "refreshInterval")
        if backend is None or backend.operator != ESO:
            msg = "refreshInterval is ESO's: this service has no AWS secret backend to refresh"
            yield smap.problem(path, msg)
        elif zero(over.refreshInterval):
            msg = "0 stops ESO's refresh: a value rotated in AWS would never reach the Secret; "
            yield smap.problem(path, msg + "use a duration such as 1h")


def _shared_secrets(
    platform: Platform,
    services: Mapping[str, Service],
    smaps: Mapping[str, SourceMap],
    namespaces: Namespaces,
) -> Iterator[Problem]:
    """Two services in one namespace syncing into one Secret would fight over it."""
    secret_names = {
        name: secret_name_of(platform, services[name])
        for name in sorted(services)
        if services[name].secrets is not None
    }
    for env in platform.environments:
        owner: dict[tuple[str, str], str] = {}
        for name, secret in secret_names.items():
            where = (namespaces[name, env.name], secret)
            first = owner.setdefault(where, name)
            if first != name:
                declared = services[name].secrets
                own = declared is not None and declared.secretName is not None
                path = ("secrets", "secretName") if own else ("secrets",)
                msg = (
                    f"services {first!r} and {name!r} would both sync Secret {where[1]!r} in "
                    f"namespace {where[0]!r} (env {env.name}): give one its own secrets.secretName"
                )
                yield smaps[name].problem(path, msg)
                return
