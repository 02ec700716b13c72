"""Backstage: a Software Template that opens a PR adding a catalog entry, and per service a
`catalog-info.yaml` Component linking its Argo CD apps, its catalog file and its runbook, in
the System its `spec.system` names. Every Kubernetes object of a service carries the
`backstage.io/kubernetes-id` label the Component selects on (kube.meta, the chart's labels).

The entities come from `templates/backstage/*.yaml.j2`, each fed one typed view built here
(`ComponentView`, `SystemView`, `LocationView`, `TemplateView`).

The template's skeleton is `templates/scaffold/service.yaml` copied verbatim: the same file
`gitops-gen new-service` fills. It is the one output without our header, because what it
produces is a person's catalog file, not a generated one.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import NamedTuple

from generator.catalog.facts import Facts, header
from generator.catalog.git_url import GitRemote, parse_git_url
from generator.catalog.models import DNS_LABEL, ENV_KEY
from generator.families.runbook import runbook_path
from generator.families.skeleton import DEFAULT_TAG, SKELETON_TEMPLATE, schema_path
from generator.templating.context import scope
from generator.templating.engine import templates_for

ROOT = "backstage"
TEMPLATE_DIR = f"{ROOT}/template"
SKELETON_FILE = "${{ values.name }}.yaml"
COMPONENT_TEMPLATE = "backstage/component.yaml.j2"
SYSTEM_TEMPLATE = "backstage/system.yaml.j2"
LOCATION_TEMPLATE = "backstage/location.yaml.j2"
SOFTWARE_TEMPLATE = "backstage/software-template.yaml.j2"
SYSTEM_FILE = "system.yaml"
PLATFORM_OWNER = "group:default/platform"  # owns the System and the new-service template


def component_path(service: str) -> str:
    return f"{ROOT}/{_component_rel(service)}"


def _component_rel(service: str) -> str:
    return f"services/{service}/catalog-info.yaml"


def repo_parts(git_repo: str) -> tuple[str, str, str] | None:
    remote = parse_git_url(git_repo)
    return (remote.host, remote.owner, remote.repo) if remote else None


def web_url(facts: Facts, path: str) -> str:
    """An https link to `path` at the tracked revision, whatever form `gitRepo` is in."""
    remote = parse_git_url(facts.platform.gitRepo)
    if remote is not None:
        return remote.tree(facts.platform.gitRevision, path)
    base = re.sub(r"\.git/?\Z", "", facts.platform.gitRepo)
    return f"{base}/tree/{facts.platform.gitRevision}/{path}"


class Publish(NamedTuple):
    """The scaffolder action that proposes the new catalog entry, and its output's link."""

    action: str
    repo_url: str  # the action's `repoUrl`: `host?owner=o&repo=r` (or the provider's keys)
    link_output: str  # the output naming the pull/merge request


def publish(remote: GitRemote) -> Publish:
    host, owner, repo = remote.host, remote.owner, remote.repo
    if remote.provider == "gitlab":
        return Publish(
            "publish:gitlab:merge-request", f"{host}?owner={owner}&repo={repo}", "mergeRequestUrl"
        )
    if remote.provider == "bitbucket" and host == "bitbucket.org":
        url = f"{host}?workspace={owner}&repo={repo}"
        return Publish("publish:bitbucketCloud:pull-request", url, "pullRequestUrl")
    if remote.provider == "bitbucket":
        url = f"{host}?project={owner}&repo={repo}"
        return Publish("publish:bitbucketServer:pull-request", url, "pullRequestUrl")
    return Publish("publish:github:pull-request", f"{host}?owner={owner}&repo={repo}", "remoteUrl")


class LinkView(NamedTuple):
    url: str
    title: str


class ComponentView(NamedTuple):
    """A service's Component: what `backstage/component.yaml.j2` sees as `component`."""

    name: str
    description: str  # "" when the service has none (the key is left out)
    annotations: tuple[tuple[str, str], ...]  # sorted (key, value) pairs
    links: tuple[LinkView, ...]  # the runbook, the catalog entry
    owner: str
    system: str


class SystemView(NamedTuple):
    """What `backstage/system.yaml.j2` sees as `system`."""

    name: str
    description: str
    owner: str


class LocationView(NamedTuple):
    """What `backstage/location.yaml.j2` sees as `location`."""

    name: str
    description: str
    targets: tuple[str, ...]  # relative to backstage/: the System, the template, each Component


class TemplateView(NamedTuple):
    """The Software Template's data: what `backstage/software-template.yaml.j2` sees as `template`.
    Backstage's own `${{ parameters.x }}` expressions are literal text of the template."""

    name: str
    title: str
    owner: str
    schema_path: str  # where the new catalog entry's modeline points
    name_pattern: str  # a DNS-1123 label
    key_pattern: str  # a secret key (environment variable name)
    image_repository: str  # the form's default
    image_tag: str  # the form's default
    backends: tuple[str, ...]  # secret backend names, sorted
    repo_url: str  # the publish action's `host?owner=o&repo=r`
    publish_action: str  # publish:github:pull-request, publish:gitlab:merge-request...
    request_link: str  # the Backstage expression of the request's URL, for `output.links`


def render(facts: Facts) -> dict[str, str]:
    templates = templates_for(facts.catalog)
    head = header(facts.source())
    catalog_path = facts.platform.ci.catalogPath
    # pathlib once: `catalogPath` may be written `./catalog/`; the tree key must be normal
    skeleton = str(PurePosixPath(TEMPLATE_DIR, "skeleton", catalog_path, "services", SKELETON_FILE))
    files = {
        f"{TEMPLATE_DIR}/template.yaml": head
        + templates.render(SOFTWARE_TEMPLATE, template=template(facts)),
        skeleton: templates.static(SKELETON_TEMPLATE),
    }
    for svc in facts.services:
        text = templates.render(
            COMPONENT_TEMPLATE, component=component(facts, svc.name), **scope(svc)
        )
        files[component_path(svc.name)] = header(facts.source(svc)) + text
    files[f"{ROOT}/{SYSTEM_FILE}"] = head + templates.render(SYSTEM_TEMPLATE, system=system(facts))
    files[f"{ROOT}/catalog-info.yaml"] = head + templates.render(
        LOCATION_TEMPLATE, location=location(facts)
    )
    return files


def location(facts: Facts) -> LocationView:
    targets = [f"./{_component_rel(s.name)}" for s in facts.services]
    return LocationView(
        f"{facts.system}-gitops-gen",
        "Rendered by gitops-gen",
        (f"./{SYSTEM_FILE}", "./template/template.yaml", *targets),
    )


def component(facts: Facts, name: str) -> ComponentView:
    svc = facts.service(name)
    rendered = facts.platform.renderedPath
    catalog_path = facts.platform.ci.catalogPath
    annotations = {
        "argocd/app-selector": f"app.kubernetes.io/name={name}",
        "backstage.io/source-location": "url:" + web_url(facts, catalog_path),
        "backstage.io/kubernetes-id": name,
    }
    remote = parse_git_url(facts.platform.gitRepo)
    if remote and remote.host in {"github.com", "gitlab.com"}:
        annotations[f"{remote.host}/project-slug"] = f"{remote.owner}/{remote.repo}"
    links = (
        LinkView(web_url(facts, f"{rendered}/{runbook_path(name)}"), "Secrets runbook"),
        LinkView(web_url(facts, f"{catalog_path}/{facts.source(svc)}"), "Catalog entry"),
    )
    return ComponentView(
        name=name,
        description=svc.description or "",
        annotations=tuple(sorted(annotations.items())),
        links=links,
        owner=svc.owner,
        system=facts.system,
    )


def system(facts: Facts) -> SystemView:
    """The System every Component's `spec.system` names."""
    description = f"Services of {facts.system}, from the gitops-gen catalog"
    return SystemView(facts.system, description, PLATFORM_OWNER)


def template(facts: Facts) -> TemplateView:
    remote = parse_git_url(facts.platform.gitRepo) or GitRemote(
        "github.com", facts.system, "gitops"
    )
    pr = publish(remote)
    return TemplateView(
        name=f"{facts.system}-new-service",
        title=f"New {facts.system} service",
        owner=PLATFORM_OWNER,
        schema_path=schema_path(facts.platform),
        name_pattern=DNS_LABEL,
        key_pattern=ENV_KEY,
        image_repository=f"ghcr.io/{facts.system}/",
        image_tag=DEFAULT_TAG,
        backends=tuple(sorted(facts.platform.secretBackends)),
        repo_url=pr.repo_url,
        publish_action=pr.action,
        request_link=f"${{{{ steps.pr.output.{pr.link_output} }}}}",
    )
