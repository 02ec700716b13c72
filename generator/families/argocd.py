"""Argo CD: per env a root app that brings in that env's AppProjects, platform operators,
secret stores, per-service secrets and the chart, in that order (sync waves; seeds 000, 001).

Explicit Applications rather than a generator: every app and path is visible in the PR
diff, and removing one is a reviewed file deletion, not a silent ApplicationSet prune.

Every Application (roots, operators, stores, secrets, chart) comes from one template,
`templates/argocd/applications.yaml.j2` fed `AppView`s, so one override reaches them all;
the AppProjects from `argocd/projects.yaml.j2` (`ProjectView`). This module decides what
exists, in which wave and where it points; the templates only print it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import PurePosixPath

from generator import backends
from generator.catalog.facts import DEFAULT_CLUSTER, Facts, header
from generator.catalog.models import Environment
from generator.families import operators
from generator.families.argocd_views import (
    NO_VALUES,
    AppView,
    DestinationView,
    KindView,
    Labels,
    ProjectView,
    SourceView,
)
from generator.parts.kube import meta
from generator.parts.result import (
    WAVE_OPERATORS,
    WAVE_PROJECTS,
    Application,
    AppSource,
    FamilyResult,
)
from generator.templating.context import scope
from generator.templating.engine import Templates, templates_for

ROOT = "argocd"
CM_PATCH = "argocd-cm-patch.yaml"
APPS_TEMPLATE = "argocd/applications.yaml.j2"
PROJECTS_TEMPLATE = "argocd/projects.yaml.j2"
CM_PATCH_TEMPLATE = f"argocd/{CM_PATCH}.j2"  # Argo CD's documented app health check (Lua)


def render(facts: Facts, sources: Sequence[AppSource]) -> FamilyResult:
    """Apps point only at the folders the other families declared (`Family.apps`). The
    result lists every Application as the typed view it was rendered from."""
    templates = templates_for(facts.catalog)
    head = header(facts.source())
    needed = operators.needed(facts)
    files = {f"{ROOT}/{CM_PATCH}": head + templates.render(CM_PATCH_TEMPLATE)}
    rendered: list[Application] = []
    installs = operators.installing_envs(facts)
    for env in facts.envs:
        folder = f"{ROOT}/{env.name}"
        ops = needed if env.name in installs else []
        here = templates.bound(**scope(None, env))
        files[f"{folder}/projects.yaml"] = head + here.render(
            PROJECTS_TEMPLATE, projects=projects(facts, env, ops)
        )
        if ops:
            ops_apps = operator_apps(facts, env, ops)
            files[f"{folder}/operators.yaml"] = _apps(here, head, ops_apps)
            rendered += [typed(env.name, "operator", view) for view in ops_apps]
        apps = applications(facts, env, sources)
        files[f"{folder}/applications.yaml"] = _apps(here, head, apps)
        root = root_app(facts, env)
        files[f"{ROOT}/root-{env.name}.yaml"] = _apps(here, head, (root,))
        rendered.append(typed(env.name, "root", root))
        rendered += [typed(env.name, "app", view) for view in apps]
    return FamilyResult(ROOT, files, applications=tuple(rendered))


def typed(env: str, role: str, view: AppView) -> Application:
    """What `diff`, the stray-file check and the ownership builds read of an Application."""
    source = view.source
    return Application(
        env=env,
        role=role,
        name=view.name,
        path=source.path,
        server=view.server,
        namespace=view.destination_namespace,
        value_files=source.value_files,
        view=view,
    )


def _apps(templates: Templates, head: str, apps: tuple[AppView, ...]) -> str:
    return head + templates.render(APPS_TEMPLATE, apps=apps)


@lru_cache(maxsize=4096)
def _labels(system: str, service: str | None = None) -> Labels:
    """kube.meta's labels; `service` adds `app.kubernetes.io/name` (Backstage's
    argocd/app-selector)."""
    return tuple(meta("", None, system, service)["labels"].items())


def _app(
    facts: Facts,
    env: Environment,
    source: SourceView,
    *,
    role: str,
    name: str,
    namespace: str,
    wave: int | None,
    project: str | None = None,
    options: tuple[str, ...] = (),
    labels: Labels | None = None,
) -> AppView:
    return AppView(
        role=role,
        name=name,
        namespace=facts.platform.argocdNamespace,
        labels=labels or _labels(facts.system),
        wave=wave,
        cascade=role != "operator",
        project=project or project_name(facts, env),
        source=source,
        server=env.cluster,
        destination_namespace=namespace,
        sync_options=("CreateNamespace=true", *options),
    )


def _folder(facts: Facts, rel: str) -> SourceView:
    base = _in_repo(facts.platform.renderedPath)
    path = rel if base == "." else f"{base}/{rel}"
    return SourceView(facts.platform.gitRepo, facts.platform.gitRevision, path)


@lru_cache(maxsize=8)
def _in_repo(rendered: str) -> str:
    """`renderedPath` as git names it (`./x/` is `x`): normalized once, not per app."""
    return str(PurePosixPath(rendered))


def applications(
    facts: Facts, env: Environment, sources: Sequence[AppSource]
) -> tuple[AppView, ...]:
    """The GitOps repo's own folders, as the families declared them: the every-env apps in
    wave order, then each service's, in service order."""
    apps: list[AppView] = []
    shared = [s for s in sources if s.service is None and s.env in (None, env.name)]
    for src in sorted(shared, key=lambda s: s.wave):  # stable: the families' order in a wave
        source = _folder(facts, src.path)
        if src.value_files:
            files = tuple(v.replace("{env}", env.name) for v in src.value_files)
            source = source._replace(value_files=files)
        name = f"{facts.system}-{src.name}-{env.name}"
        apps.append(
            _app(
                facts, env, source, role=src.role, name=name, namespace=src.namespace, wave=src.wave
            )
        )
    per_service: dict[str, list[AppSource]] = {}
    for src in sources:
        if src.service is not None and src.env == env.name:
            per_service.setdefault(src.service, []).append(src)
    for svc in facts.services:
        for src in per_service.get(svc.name, ()):
            name = f"{svc.name}-{src.name}-{env.name}" if src.name else f"{svc.name}-{env.name}"
            ns = facts.deployed(svc, env).namespace
            app = _app(
                facts,
                env,
                _folder(facts, src.path),
                role=src.role,
                name=name,
                namespace=ns,
                wave=src.wave,
                labels=_labels(facts.system, svc.name),
            )
            apps.append(app)
    return tuple(apps)


def operator_apps(
    facts: Facts, env: Environment, ops: list[operators.Operator]
) -> tuple[AppView, ...]:
    """One app per operator from its pinned chart; large CRDs go server-side. No cascade:
    deleting the app must not delete the CRDs, and with them every ExternalSecret or
    VaultStaticSecret of the cluster."""
    apps = []
    for op in ops:
        values = operators.env_values(op, env)
        source = SourceView(
            op.chart.repoURL,
            op.chart.version,
            chart=op.chart.chart,
            values=values or NO_VALUES,
        )
        name = operator_app_name(facts.system, op.key, env.name)
        project = operators_project_name(facts, env)
        options = ("ServerSideApply=true",) if op.server_side else ()
        apps.append(
            _app(
                facts,
                env,
                source,
                role="operator",
                name=name,
                namespace=op.namespace,
                wave=WAVE_OPERATORS,
                project=project,
                options=options,
            )
        )
    return tuple(apps)


def operator_app_name(system: str, key: str, env: str) -> str:
    return f"{system}-{key}-{env}"


def root_app(facts: Facts, env: Environment) -> AppView:
    """App of apps for one env, the one object applied by hand; it syncs `argocd/<env>/`.

    It lives in Argo CD's built-in `default` project: the projects it brings in do not
    exist before its first sync. It runs in Argo CD's own cluster."""
    app = _app(
        facts,
        env,
        _folder(facts, f"{ROOT}/{env.name}"),
        role="root",
        name=f"{facts.system}-{env.name}",
        namespace=facts.platform.argocdNamespace,
        wave=None,
        project="default",
    )
    return app._replace(server=DEFAULT_CLUSTER)


def project_name(facts: Facts, env: Environment) -> str:
    return f"{facts.system}-{env.name}"


def operators_project_name(facts: Facts, env: Environment) -> str:
    return f"{facts.system}-{env.name}-operators"


def projects(
    facts: Facts, env: Environment, ops: list[operators.Operator]
) -> tuple[ProjectView, ...]:
    """Per env: the services' project (their namespaces, cluster-scoped kinds) and, when
    operators are installed, theirs (charts install CRDs, cluster roles and webhooks)."""
    namespaces = {facts.deployed(s, env).namespace for s in facts.services} | {"default"}
    out = [
        _project(
            facts,
            project_name(facts, env),
            f"Services of {facts.system} in {env.name}, rendered by gitops-gen",
            repos=(facts.platform.gitRepo,),
            destinations=[(env.cluster, ns) for ns in sorted(namespaces)],
            cluster_kinds=[("", "Namespace"), *backends.cluster_kinds()],
        )
    ]
    if ops:
        description = f"Platform operators of {facts.system} in {env.name}, rendered by gitops-gen"
        out.append(
            _project(
                facts,
                operators_project_name(facts, env),
                description,
                repos=tuple(sorted({op.chart.repoURL for op in ops})),
                destinations=[(env.cluster, ns) for ns in sorted({o.namespace for o in ops})],
                cluster_kinds=[("*", "*")],
            )
        )
    return tuple(out)


def _project(
    facts: Facts,
    name: str,
    description: str,
    *,
    repos: tuple[str, ...],
    destinations: list[tuple[str, str]],
    cluster_kinds: list[tuple[str, str]],
) -> ProjectView:
    return ProjectView(
        name=name,
        namespace=facts.platform.argocdNamespace,
        labels=_labels(facts.system),
        wave=WAVE_PROJECTS,
        description=description,
        source_repos=repos,
        destinations=tuple(DestinationView(s, n) for s, n in destinations),
        cluster_resources=tuple(KindView(g, k) for g, k in cluster_kinds),
    )
