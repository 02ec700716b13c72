"""Rules that span fields or files, run on models that already passed pydantic."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from generator.catalog.credentials import looks_like_secret_name
from generator.catalog.install import parse_install, unpinned_message
from generator.catalog.models import Platform, Service
from generator.catalog.refname import ref_name_problem
from generator.catalog.rotation import rotation_problems
from generator.catalog.rules_names import kubernetes_problems
from generator.catalog.source import SourceMap
from generator.catalog.templates import placeholders, stray_brace
from generator.errors import Problem

NS_ALLOWED = {"namespace", "service", "env", "system"}


def platform_problems(platform: Platform, smap: SourceMap) -> Iterator[Problem]:
    yield from _repo_paths(platform, smap)
    seen: dict[str, int] = {}
    for i, env in enumerate(platform.environments):
        if env.name in seen:
            yield smap.problem(("environments", i, "name"), f"duplicate environment {env.name!r}")
        seen.setdefault(env.name, i)
        yield from _template(smap, ("environments", i, "namespace"), env.namespace, NS_ALLOWED)
    why = ref_name_problem(platform.gitRevision)
    if why is not None:
        msg = f"{platform.gitRevision!r} is not a valid git ref name: {why} (git check-ref-format)"
        yield smap.problem(("gitRevision",), msg)
    for name, backend in platform.secretBackends.items():
        path = ("secretBackends", name)
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name):
            yield smap.problem(path, f"backend name {name!r} is not a DNS-1123 label", key=True)
        yield from _template(smap, (*path, "key"), backend.key, set(backend.placeholders))
        if ".." in backend.key:
            msg = "template contains `..`: a secret path never climbs out of its prefix"
            yield smap.problem((*path, "key"), msg)
        if "service" not in placeholders(backend.key):
            yield smap.problem(
                (*path, "key"), "template has no {service}: services would share one secret"
            )
        yield from backend.problems(platform, smap, path)
    yield from _irsa_problems(platform, smap)
    if platform.ci.install is not None and parse_install(platform.ci.install) is None:
        yield smap.problem(("ci", "install"), unpinned_message(platform.ci.install))
    yield from rotation_problems(platform, smap)
    yield from kubernetes_problems(platform, smap)


def _repo_paths(platform: Platform, smap: SourceMap) -> Iterator[Problem]:
    """The folders the tool writes, deletes or reads templates in stay inside the repo."""
    fields = {
        ("renderedPath",): platform.renderedPath,
        ("templatesPath",): platform.templatesPath,
        ("ci", "catalogPath"): platform.ci.catalogPath,
        ("ci", "workflowsPath"): platform.ci.workflowsPath,
    }
    for path, value in fields.items():
        if ".." in value.split("/"):
            msg = f"{value!r} leaves the repo: a path here names a folder inside it (no `..`)"
            yield smap.problem(path, msg)


def _irsa_problems(platform: Platform, smap: SourceMap) -> Iterator[Problem]:
    """Per-service SecretStores authenticate through IRSA roles, which trust the OIDC issuer."""
    aws = platform.aws
    uses_aws = any(b.on_aws for b in platform.secretBackends.values())
    if aws is None or aws.secretStoreScope != "service" or not uses_aws or aws.oidcProvider:
        return
    for i, env in enumerate(platform.environments):
        if env.oidcProvider is None:
            msg = "secretStoreScope `service` needs an OIDC issuer for the IRSA roles: set "
            msg += "aws.oidcProvider (or this env's oidcProvider)"
            yield smap.problem(("environments", i, "name"), msg)


def _template(
    smap: SourceMap, path: tuple[str | int, ...], text: str, allowed: set[str]
) -> Iterator[Problem]:
    if stray_brace(text):
        yield smap.problem(path, f"unbalanced brace in template {text!r}")
    for name in placeholders(text):
        if name not in allowed:
            choices = ", ".join("{" + a + "}" for a in sorted(allowed))
            yield smap.problem(path, f"unknown placeholder {{{name}}} (allowed: {choices})")


def service_problems(
    service: Service, stem: str, platform: Platform | None, smap: SourceMap
) -> Iterator[Problem]:
    if service.name != stem:
        yield smap.problem(("name",), f"name {service.name!r} must match its file name {stem!r}")
    yield from _config_problems(smap, ("config",), service.config)
    secrets = service.secrets
    if secrets is not None:
        yield from _key_problems(service, smap)
    if platform is None:
        return
    env_names = [e.name for e in platform.environments]
    for env, override in service.environments.items():
        if env not in env_names:
            msg = f"environment {env!r} is not declared in platform.yaml ({', '.join(env_names)})"
            yield smap.problem(("environments", env), msg, key=True)
        yield from _config_problems(smap, ("environments", env, "config"), override.config)
    if secrets is None:
        return
    backend = platform.secretBackends.get(secrets.backend)
    if backend is None:
        names = ", ".join(sorted(platform.secretBackends)) or "none declared"
        msg = f"{secrets.backend!r} is not a secret backend in platform.yaml ({names})"
        yield smap.problem(("secrets", "backend"), msg)
    elif secrets.shared and not backend.shared_paths:
        yield smap.problem(("secrets", "shared"), "shared paths need a vault backend")
    elif getattr(backend, "valuesFrom", "") == "github-actions" and not service.name[0].isalpha():
        msg = "a github-actions backend names Terraform variables after the service: "
        msg += "start the name with a letter"
        yield smap.problem(("name",), msg)


def _config_problems(
    smap: SourceMap, path: tuple[str, ...], config: Mapping[str, object]
) -> Iterator[Problem]:
    for name in config:
        if looks_like_secret_name(name):
            msg = f"{name!r} looks like a secret: list it in secrets.keys (values never go in Git)"
            yield smap.problem((*path, name), msg, key=True)


def _key_problems(service: Service, smap: SourceMap) -> Iterator[Problem]:
    assert service.secrets is not None
    seen: dict[str, str] = {}
    for i, key in enumerate(service.secrets.keys):
        norm = key.lower()
        if norm in seen:
            msg = f"{key!r} and {seen[norm]!r} both normalize to parameter name {norm!r}"
            yield smap.problem(("secrets", "keys", i), msg)
        seen.setdefault(norm, key)
        if key in service.config:
            msg = f"{key!r} is also in config: one env var cannot be both secret and config"
            yield smap.problem(("secrets", "keys", i), msg)


def backend_problems(
    platform: Platform,
    psmap: SourceMap,
    services: Mapping[str, Service],
    smaps: Mapping[str, SourceMap],
) -> Iterator[Problem]:
    """Each backend type's own rules across the whole catalog, once per type it uses (the
    type's model says what they are: names two envs would share on one server, say)."""
    for model in dict.fromkeys(type(b) for _, b in sorted(platform.secretBackends.items())):
        yield from model.catalog_problems(platform, psmap, services, smaps)


def name_collisions(
    platform: Platform, services: Mapping[str, Service], smaps: Mapping[str, SourceMap]
) -> Iterator[Problem]:
    """Argo CD app names are `<service>-<env>`: `a-b` in env `c` and `a` in env `b-c` would
    be one Application, and a service named `<system>` or `<system>-services` would take the
    platform's own apps. Refuse the later service by name, pointing at the other owner."""
    system, envs = platform.system, list(dict.fromkeys(e.name for e in platform.environments))
    owners: dict[str, str] = {}
    for env in envs:
        owners[f"{system}-{env}"] = "the root app of env " + env
        owners[f"{system}-services-{env}"] = "the chart app of env " + env
        owners[f"{system}-secret-stores-{env}"] = "the secret-store app of env " + env
        for operator in ("external-secrets", "vault-secrets-operator", "reloader"):
            owners[f"{system}-{operator}-{env}"] = f"the {operator} app of env {env}"
    for name in sorted(services):
        yield from _role_name_problems(platform, services[name], smaps[name], envs)
        for env in envs:
            app = f"{name}-{env}"
            if app in owners:
                msg = f"Argo CD app {app!r} (env {env}) collides with {owners[app]}: rename"
                yield smaps[name].problem(("name",), msg)
                break
            owners[app] = f"service {name!r}, env {env}"


IAM_ROLE_MAX = 64


def _role_name_problems(
    platform: Platform, service: Service, smap: SourceMap, envs: list[str]
) -> Iterator[Problem]:
    """Per-service IRSA roles are `<system>-<env>-<service>`; IAM allows 64 characters."""
    aws = platform.aws
    if aws is None or aws.secretStoreScope != "service" or service.secrets is None:
        return
    backend = platform.secretBackends.get(service.secrets.backend)
    if backend is None or not backend.on_aws:
        return
    longest = max(envs, key=len)
    role = f"{platform.system}-{longest}-{service.name}"
    if len(role) > IAM_ROLE_MAX:
        msg = f"IAM role name {role!r} is {len(role)} characters; IAM allows {IAM_ROLE_MAX}"
        yield smap.problem(("name",), msg)
