"""Argo CD: per env a root app that brings in that env's AppProjects, platform operators,
secret stores, per-service secrets and the chart, in that order (sync waves; seeds 000, 001).

Explicit Applications rather than a generator: every app and path is visible in the PR
diff, and removing one is a reviewed file deletion, not a silent ApplicationSet prune.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from generator.catalog.models import Environment
from generator.render import eso, helm, kustomize, operators
from generator.render.facts import DEFAULT_CLUSTER, Facts
from generator.render.kube import Obj, meta, yaml_docs, yaml_file
from generator.render.result import Application, AppSource, FamilyResult
from generator.render.yamlout import Block

API = "argoproj.io/v1alpha1"
ROOT = "argocd"
CM_PATCH = "argocd-cm-patch.yaml"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
# The root applies these in order, each wave once the previous one is healthy.
WAVE_PROJECTS = -3
WAVE_OPERATORS = -2
WAVE_STORES = -1
WAVE_SECRETS = 0
WAVE_WORKLOADS = 1
APP_HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
# Argo CD's documented check (operator-manual/health.md, "Argocd App").
APP_HEALTH_LUA = """\
hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
"""


def render(facts: Facts, sources: Iterable[AppSource]) -> FamilyResult:
    """`sources` are the folders the families rendered so far ask an app for: apps point
    only at those. The result lists every Application as the object written."""
    sources = frozenset(sources)
    src = facts.source()
    needed = operators.needed(facts)
    files = {f"{ROOT}/{CM_PATCH}": yaml_file(src, app_health_patch())}
    rendered: list[Application] = []
    installs = operators.installing_envs(facts)
    for env in facts.envs:
        folder = f"{ROOT}/{env.name}"
        ops = needed if env.name in installs else []
        files[f"{folder}/projects.yaml"] = yaml_docs(src, projects(facts, env, ops))
        if ops:
            docs = operator_apps(facts, env, ops)
            files[f"{folder}/operators.yaml"] = yaml_docs(src, docs)
            rendered += [Application(env.name, "operator", d) for d in docs]
        apps = applications(facts, env, sources)
        files[f"{folder}/applications.yaml"] = yaml_docs(src, apps)
        root = root_app(facts, env)
        files[f"{ROOT}/root-{env.name}.yaml"] = yaml_file(src, root)
        rendered.append(Application(env.name, "root", root))
        rendered += [Application(env.name, "app", d) for d in apps]
    return FamilyResult(ROOT, files, applications=tuple(rendered))


def _app(
    facts: Facts,
    name: str,
    env: Environment,
    namespace: str,
    source: Obj,
    *,
    wave: int,
    service: str | None = None,
    project: str | None = None,
    options: tuple[str, ...] = (),
) -> Obj:
    """`service` labels the app `app.kubernetes.io/name` (Backstage's argocd/app-selector)."""
    return {
        "apiVersion": API,
        "kind": "Application",
        "metadata": {
            **meta(name, facts.platform.argocdNamespace, facts.system, service),
            "annotations": {SYNC_WAVE: str(wave)},
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": project or project_name(facts, env),
            "source": {
                "repoURL": facts.platform.gitRepo,
                "targetRevision": facts.platform.gitRevision,
                **source,
            },
            "destination": {"server": env.cluster, "namespace": namespace},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                "syncOptions": ["CreateNamespace=true", *options],
            },
        },
    }


def _path(facts: Facts, rel: str) -> str:
    base = _in_repo(facts.platform.renderedPath)
    return rel if base == "." else f"{base}/{rel}"


@lru_cache(maxsize=8)
def _in_repo(rendered: str) -> str:
    """`renderedPath` as git names it (`./x/` is `x`): normalized once, not per app."""
    return str(PurePosixPath(rendered))


def applications(facts: Facts, env: Environment, sources: frozenset[AppSource]) -> list[Obj]:
    """The GitOps repo's own folders: stores, then each service's secrets, then the chart."""
    apps: list[Obj] = []
    if AppSource(eso.STORES_DIR) in sources:
        name = f"{facts.system}-secret-stores-{env.name}"
        source = {"path": _path(facts, eso.STORES_DIR)}
        apps.append(_app(facts, name, env, "default", source, wave=WAVE_STORES))
    chart: dict[str, Any] = {
        "path": _path(facts, helm.chart_dir(facts)),
        "helm": {"valueFiles": ["values.yaml", helm.values_file(env.name)]},
    }
    name = f"{facts.system}-services-{env.name}"
    apps.append(_app(facts, name, env, "default", chart, wave=WAVE_WORKLOADS))
    for svc in facts.services:
        deployed = facts.deployed(svc, env)
        overlay = kustomize.overlay_dir(svc.name, env.name)
        if deployed.enabled and AppSource(overlay, env.name, svc.name) in sources:
            name = f"{svc.name}-{env.name}"
            source = {"path": _path(facts, overlay)}
            ns = deployed.namespace
            apps.append(_app(facts, name, env, ns, source, wave=WAVE_SECRETS, service=svc.name))
    return apps


def operator_apps(facts: Facts, env: Environment, ops: list[operators.Operator]) -> list[Obj]:
    """One app per operator from its pinned chart; large CRDs go server-side."""
    apps = []
    for op in ops:
        helm_source: Obj = {"releaseName": op.chart.chart}
        values = operators.env_values(op, env)
        if values:
            helm_source["valuesObject"] = values
        source = {
            "repoURL": op.chart.repoURL,
            "targetRevision": op.chart.version,
            "chart": op.chart.chart,
            "helm": helm_source,
        }
        name = operator_app_name(facts.system, op.key, env.name)
        project = operators_project_name(facts, env)
        options = ("ServerSideApply=true",) if op.server_side else ()
        app = _app(
            facts,
            name,
            env,
            op.namespace,
            source,
            wave=WAVE_OPERATORS,
            project=project,
            options=options,
        )
        # No cascade: deleting this app must not delete the CRDs, and with them every
        # ExternalSecret or VaultStaticSecret of the cluster.
        del app["metadata"]["finalizers"]
        apps.append(app)
    return apps


def operator_app_name(system: str, key: str, env: str) -> str:
    return f"{system}-{key}-{env}"


def root_app(facts: Facts, env: Environment) -> Obj:
    """App of apps for one env, the one object applied by hand; it syncs `argocd/<env>/`.

    It lives in Argo CD's built-in `default` project: the projects it brings in do not
    exist before its first sync."""
    app = _app(
        facts,
        f"{facts.system}-{env.name}",
        env,
        facts.platform.argocdNamespace,
        {"path": _path(facts, f"{ROOT}/{env.name}")},
        wave=0,
        project="default",
    )
    del app["metadata"]["annotations"]
    app["spec"]["destination"]["server"] = DEFAULT_CLUSTER
    return app


def project_name(facts: Facts, env: Environment) -> str:
    return f"{facts.system}-{env.name}"


def operators_project_name(facts: Facts, env: Environment) -> str:
    return f"{facts.system}-{env.name}-operators"


def projects(facts: Facts, env: Environment, ops: list[operators.Operator]) -> list[Obj]:
    """Per env: the services' project (their namespaces, two cluster-scoped kinds) and, when
    operators are installed, theirs (charts install CRDs, cluster roles and webhooks)."""
    namespaces = {facts.deployed(s, env).namespace for s in facts.services} | {"default"}
    out = [
        _project(
            facts,
            project_name(facts, env),
            f"Services of {facts.system} in {env.name}, rendered by gitops-gen",
            repos=[facts.platform.gitRepo],
            destinations=[(env.cluster, ns) for ns in sorted(namespaces)],
            cluster_kinds=[("", "Namespace"), ("external-secrets.io", "ClusterSecretStore")],
        )
    ]
    if ops:
        description = f"Platform operators of {facts.system} in {env.name}, rendered by gitops-gen"
        out.append(
            _project(
                facts,
                operators_project_name(facts, env),
                description,
                repos=sorted({op.chart.repoURL for op in ops}),
                destinations=[(env.cluster, ns) for ns in sorted({o.namespace for o in ops})],
                cluster_kinds=[("*", "*")],
            )
        )
    return out


def _project(
    facts: Facts,
    name: str,
    description: str,
    *,
    repos: list[str],
    destinations: list[tuple[str, str]],
    cluster_kinds: list[tuple[str, str]],
) -> Obj:
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": {
            **meta(name, facts.platform.argocdNamespace, facts.system),
            "annotations": {SYNC_WAVE: str(WAVE_PROJECTS)},
        },
        "spec": {
            "description": description,
            "sourceRepos": repos,
            "destinations": [{"server": s, "namespace": n} for s, n in destinations],
            "clusterResourceWhitelist": [{"group": g, "kind": k} for g, k in cluster_kinds],
        },
    }


def app_health_patch() -> Obj:
    """argocd-cm merge patch: since Argo CD 1.8 a parent app does not wait for a child
    Application's health between sync waves unless this health check is configured."""
    return {"data": {APP_HEALTH_KEY: Block(APP_HEALTH_LUA)}}
