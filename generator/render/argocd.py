"""Argo CD: an AppProject, and per env one Application per folder it deploys (seeds 000, 001).

Explicit Applications rather than a generator: every app and path is visible in the PR
diff, and removing one is a reviewed file deletion, not a silent ApplicationSet prune.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from generator.catalog.models import Environment
from generator.render import eso, helm, kustomize
from generator.render.facts import Facts
from generator.render.kube import Obj, meta, yaml_docs, yaml_file

API = "argoproj.io/v1alpha1"
ROOT = "argocd"


def render(facts: Facts, tree: dict[str, str]) -> dict[str, str]:
    """`tree` is the output rendered so far: apps point only at folders that exist in it."""
    src = facts.source()
    files = {f"{ROOT}/project.yaml": yaml_file(src, project(facts))}
    for env in facts.envs:
        apps = applications(facts, env, tree)
        files[f"{ROOT}/{env.name}/applications.yaml"] = yaml_docs(src, apps)
        files[f"{ROOT}/root-{env.name}.yaml"] = yaml_file(src, root_app(facts, env))
    return files


def _app(
    facts: Facts,
    name: str,
    env: Environment,
    namespace: str,
    source: Obj,
    *,
    service: str | None = None,
) -> Obj:
    """`service` labels the app `app.kubernetes.io/name` (Backstage's argocd/app-selector)."""
    return {
        "apiVersion": API,
        "kind": "Application",
        "metadata": {
            **meta(name, facts.platform.argocdNamespace, facts.system, service),
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": facts.system,
            "source": {
                "repoURL": facts.platform.gitRepo,
                "targetRevision": facts.platform.gitRevision,
                **source,
            },
            "destination": {"server": env.cluster, "namespace": namespace},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                "syncOptions": ["CreateNamespace=true"],
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


def applications(facts: Facts, env: Environment, tree: dict[str, str]) -> list[Obj]:
    apps: list[Obj] = []
    stores = f"{eso.STORES_DIR}/kustomization.yaml"
    if stores in tree:
        name = f"{facts.system}-secret-stores-{env.name}"
        apps.append(_app(facts, name, env, "default", {"path": _path(facts, eso.STORES_DIR)}))
    chart: dict[str, Any] = {
        "path": _path(facts, helm.chart_dir(facts)),
        "helm": {"valueFiles": ["values.yaml", helm.values_file(env.name)]},
    }
    apps.append(_app(facts, f"{facts.system}-services-{env.name}", env, "default", chart))
    for svc in facts.services:
        deployed = facts.deployed(svc, env)
        overlay = kustomize.overlay_dir(svc.name, env.name)
        if deployed.enabled and f"{overlay}/kustomization.yaml" in tree:
            name = f"{svc.name}-{env.name}"
            source = {"path": _path(facts, overlay)}
            apps.append(_app(facts, name, env, deployed.namespace, source, service=svc.name))
    return apps


def root_app(facts: Facts, env: Environment) -> Obj:
    """App of apps for one env: apply it once; it syncs `argocd/<env>/`."""
    app = _app(
        facts,
        f"{facts.system}-{env.name}",
        env,
        facts.platform.argocdNamespace,
        {"path": _path(facts, f"{ROOT}/{env.name}")},
    )
    app["spec"]["destination"]["server"] = "https://kubernetes.default.svc"
    return app


def project(facts: Facts) -> Obj:
    destinations = sorted(
        {
            (env.cluster, facts.deployed(s, env).namespace)
            for env in facts.envs
            for s in facts.services
        }
        | {(env.cluster, "default") for env in facts.envs}
        | {("https://kubernetes.default.svc", facts.platform.argocdNamespace)}
    )
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": meta(facts.system, facts.platform.argocdNamespace, facts.system),
        "spec": {
            "description": f"Services of {facts.system}, rendered by gitops-gen",
            "sourceRepos": [facts.platform.gitRepo],
            "destinations": [{"server": s, "namespace": n} for s, n in destinations],
            "clusterResourceWhitelist": [
                {"group": "", "kind": "Namespace"},
                {"group": "external-secrets.io", "kind": "ClusterSecretStore"},
            ],
        },
    }
