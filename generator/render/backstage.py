"""Backstage: a Software Template that opens a PR adding a catalog entry, and per service a
`catalog-info.yaml` Component linking its Argo CD apps, its catalog file and its runbook, in
the System its `spec.system` names. Every Kubernetes object of a service carries the
`backstage.io/kubernetes-id` label the Component selects on (kube.meta, the chart's labels).

The template's skeleton is `templates/scaffold/service.yaml` copied verbatim: the same file
`gitops-gen new-service` fills. It is the one output without our header, because what it
produces is a person's catalog file, not a generated one.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from generator.catalog.models import DNS_LABEL, ENV_KEY
from generator.render.facts import Facts
from generator.render.kube import yaml_file
from generator.render.runbook import runbook_path
from generator.render.skeleton import DEFAULT_TAG, SKELETON_TEMPLATE, schema_path
from generator.templating.engine import templates_for

ROOT = "backstage"
TEMPLATE_DIR = f"{ROOT}/template"
SKELETON_FILE = "${{ values.name }}.yaml"
SCAFFOLDER_API = "scaffolder.backstage.io/v1beta3"
CATALOG_API = "backstage.io/v1alpha1"
SYSTEM_FILE = "system.yaml"
PLATFORM_OWNER = "group:default/platform"  # owns the System and the new-service template
_GITHUB = re.compile(r"^https://(?P<host>[^/]+)/(?P<owner>[^/]+)/(?P<repo>[^/]+?)(\.git)?/?\Z")


def component_path(service: str) -> str:
    return f"{ROOT}/{_component_rel(service)}"


def _component_rel(service: str) -> str:
    return f"services/{service}/catalog-info.yaml"


def repo_parts(git_repo: str) -> tuple[str, str, str] | None:
    match = _GITHUB.match(git_repo)
    return (match["host"], match["owner"], match["repo"]) if match else None


def web_url(facts: Facts, path: str) -> str:
    """A browsable URL of `path` at the tracked revision (GitHub-style `tree/<rev>/`)."""
    base = re.sub(r"\.git/?\Z", "", facts.platform.gitRepo)
    return f"{base}/tree/{facts.platform.gitRevision}/{path}"


def render(facts: Facts) -> dict[str, str]:
    src = facts.source()
    catalog_path = facts.platform.ci.catalogPath
    # pathlib once: `catalogPath` may be written `./catalog/`; the tree key must be normal
    skeleton = str(PurePosixPath(TEMPLATE_DIR, "skeleton", catalog_path, "services", SKELETON_FILE))
    files = {
        f"{TEMPLATE_DIR}/template.yaml": yaml_file(src, template(facts)),
        skeleton: templates_for(facts.catalog).static(SKELETON_TEMPLATE),
    }
    for svc in facts.services:
        files[component_path(svc.name)] = yaml_file(facts.source(svc), component(facts, svc.name))
    files[f"{ROOT}/{SYSTEM_FILE}"] = yaml_file(src, system(facts))
    targets = [f"./{_component_rel(s.name)}" for s in facts.services]
    location = {
        "apiVersion": CATALOG_API,
        "kind": "Location",
        "metadata": {"name": f"{facts.system}-gitops-gen", "description": "Rendered by gitops-gen"},
        "spec": {"targets": [f"./{SYSTEM_FILE}", "./template/template.yaml", *targets]},
    }
    files[f"{ROOT}/catalog-info.yaml"] = yaml_file(src, location)
    return files


def component(facts: Facts, name: str) -> dict[str, Any]:
    svc = facts.service(name)
    rendered = facts.platform.renderedPath
    annotations = {
        "argocd/app-selector": f"app.kubernetes.io/name={name}",
        "backstage.io/source-location": "url:" + web_url(facts, facts.platform.ci.catalogPath),
        "backstage.io/kubernetes-id": name,
    }
    parts = repo_parts(facts.platform.gitRepo)
    if parts and parts[0] == "github.com":
        annotations["github.com/project-slug"] = f"{parts[1]}/{parts[2]}"
    metadata: dict[str, Any] = {"name": name}
    if svc.description:
        metadata["description"] = svc.description
    metadata["annotations"] = dict(sorted(annotations.items()))
    metadata["links"] = [
        {"url": web_url(facts, f"{rendered}/{runbook_path(name)}"), "title": "Secrets runbook"},
        {
            "url": web_url(facts, f"{facts.platform.ci.catalogPath}/{facts.source(svc)}"),
            "title": "Catalog entry",
        },
    ]
    return {
        "apiVersion": CATALOG_API,
        "kind": "Component",
        "metadata": metadata,
        "spec": {
            "type": "service",
            "lifecycle": "production",
            "owner": svc.owner,
            "system": facts.system,
        },
    }


def system(facts: Facts) -> dict[str, Any]:
    """The System every Component's `spec.system` names."""
    return {
        "apiVersion": CATALOG_API,
        "kind": "System",
        "metadata": {
            "name": facts.system,
            "description": f"Services of {facts.system}, from the gitops-gen catalog",
        },
        "spec": {"owner": PLATFORM_OWNER},
    }


def template(facts: Facts) -> dict[str, Any]:
    backends = sorted(facts.platform.secretBackends)
    values = {
        "schemaPath": schema_path(facts.platform),
        "name": "${{ parameters.name }}",
        "owner": "${{ parameters.owner }}",
        "description": "${{ parameters.description }}",
        "namespace": "${{ parameters.namespace }}",
        "imageRepository": "${{ parameters.imageRepository }}",
        "imageTag": "${{ parameters.imageTag }}",
        "port": "${{ parameters.port }}",
        "backend": "${{ parameters.backend }}",
        "secretKeys": "${{ parameters.secretKeys }}",
    }
    return {
        "apiVersion": SCAFFOLDER_API,
        "kind": "Template",
        "metadata": {
            "name": f"{facts.system}-new-service",
            "title": f"New {facts.system} service",
            "description": "Add a service to the gitops-gen catalog (opens a pull request).",
            "tags": ["gitops-gen", "kubernetes"],
        },
        "spec": {
            "owner": PLATFORM_OWNER,
            "type": "service",
            "parameters": [_service_form(facts), _secrets_form(backends)],
            "steps": [
                {
                    "id": "fetch",
                    "name": "Write the catalog entry",
                    "action": "fetch:template",
                    "input": {"url": "./skeleton", "values": values},
                },
                _pull_request_step(facts),
            ],
            "output": {
                "links": [{"title": "Pull request", "url": "${{ steps.pr.output.remoteUrl }}"}]
            },
        },
    }


def _pull_request_step(facts: Facts) -> dict[str, Any]:
    host, owner, repo = repo_parts(facts.platform.gitRepo) or ("github.com", facts.system, "gitops")
    body = (
        "Adds `${{ parameters.name }}` to the service catalog. Run `make render` on this "
        "branch and commit `rendered/`: the gitops-gen check fails until you do."
    )
    return {
        "id": "pr",
        "name": "Open a pull request to the GitOps repo",
        "action": "publish:github:pull-request",
        "input": {
            "repoUrl": f"{host}?owner={owner}&repo={repo}",
            "branchName": "gitops-gen/new-service-${{ parameters.name }}",
            "title": "Add service ${{ parameters.name }}",
            "description": body,
        },
    }


def _service_form(facts: Facts) -> dict[str, Any]:
    return {
        "title": "Service",
        "required": ["name", "owner", "imageRepository", "imageTag", "port"],
        "properties": {
            "name": {
                "title": "Name",
                "type": "string",
                "description": "DNS-1123 label: lowercase letters, digits and '-'",
                "pattern": DNS_LABEL,
                "maxLength": 63,
                "ui:autofocus": True,
            },
            "owner": {
                "title": "Owner",
                "type": "string",
                "ui:field": "OwnerPicker",
                "ui:options": {"catalogFilter": {"kind": ["Group", "User"]}},
            },
            "description": {"title": "Description", "type": "string"},
            "namespace": {
                "title": "Namespace",
                "type": "string",
                "description": "Default: the name",
                "pattern": f"{DNS_LABEL}|^$",
            },
            "imageRepository": {
                "title": "Image repository",
                "type": "string",
                "default": f"ghcr.io/{facts.system}/",
            },
            "imageTag": {"title": "Image tag", "type": "string", "default": DEFAULT_TAG},
            "port": {
                "title": "Port",
                "type": "integer",
                "default": 8080,
                "minimum": 1,
                "maximum": 65535,
            },
        },
    }


def _secrets_form(backends: list[str]) -> dict[str, Any]:
    return {
        "title": "Secrets",
        "required": ["backend", "secretKeys"],
        "properties": {
            "backend": {
                "title": "Secret backend",
                "type": "string",
                "enum": backends,
                "description": "Where the values live (names from platform.yaml)",
            },
            "secretKeys": {
                "title": "Secret keys",
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "pattern": ENV_KEY},
                "description": "Environment variable names, e.g. DB_PASSWORD (no values here)",
            },
        },
    }
