"""Argo CD apps deploy every service in every env, from paths that exist in rendered/."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import pytest
import yaml

from generator.catalog.load import load_catalog
from tests.catalog.test_validation import errors, svc
from tests.commands.test_new_service import snapshot_dir
from tests.conftest import FIXTURE_NAMES, FIXTURES, PLATFORM, REPO_CATALOG, own_issuers, render_tree
from tests.review.test_reports import diff, repo
from tests.templating.test_overrides import built_in, override, render
from tests.tools import crd_schema

__all__ = ["repo"]  # the GitOps repo fixture of the PR tests


def test_every_app_path_exists_and_every_service_env_is_deployed() -> None:
    cat = load_catalog(REPO_CATALOG)
    tree = render_tree(REPO_CATALOG)
    folders = {q for p in map(PurePosixPath, tree) for q in p.parents}
    prefix = PurePosixPath(cat.platform.renderedPath)
    for env in cat.platform.environments:
        apps = [d for d in yaml.safe_load_all(tree[f"argocd/{env.name}/applications.yaml"]) if d]
        paths = [PurePosixPath(a["spec"]["source"]["path"]) for a in apps]
        assert all(p.relative_to(prefix) in folders for p in paths), paths
        chart = next(a for a in apps if "helm" in a["spec"]["source"])
        assert chart["spec"]["source"]["helm"]["valueFiles"] == [
            "values.yaml",
            f"values-{env.name}.yaml",
        ]
        overlays = {
            a["metadata"]["name"] for a in apps if "/kustomize/" in a["spec"]["source"]["path"]
        }
        on = [
            s
            for s in cat.services
            if s.environments.get(env.name) is None or s.environments[env.name].enabled
        ]
        assert overlays == {f"{s.name}-{env.name}" for s in on if s.secrets}
        assert all(a["spec"]["destination"]["server"] == env.cluster for a in apps)


CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]
WAVE = "argocd.argoproj.io/sync-wave"


def synced_by(tree: dict[str, str], app: dict[str, Any]) -> list[dict[str, Any]]:
    """The documents an app that syncs a folder of rendered/ applies (Argo CD reads it whole)."""
    folder = PurePosixPath(app["spec"]["source"]["path"]).relative_to("rendered")
    return [
        doc
        for path, text in tree.items()
        if PurePosixPath(path).parent == folder and path.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc
    ]


def roots(tree: dict[str, str]) -> list[dict[str, Any]]:
    return [yaml.safe_load(t) for p, t in tree.items() if re.fullmatch(r"argocd/root-.*", p)]


def stage(doc: dict[str, Any]) -> str:
    """What an object under a root brings up: its place in the bring-up order."""
    if doc["kind"] == "AppProject":
        return "project"
    source = doc["spec"]["source"]
    if "chart" in source:
        return "operator"
    if "/kustomize/" in source["path"] or source["path"].endswith("/secret-stores"):
        return "stores-and-secrets"
    assert "helm" in source, source
    return "workloads"


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_each_root_brings_up_projects_operators_stores_secrets_then_workloads(
    catalog: Path,
) -> None:
    tree = render_tree(catalog)
    envs = load_catalog(catalog).platform.environments
    assert len(roots(tree)) == len(envs)
    for root in roots(tree):
        assert root["spec"]["project"] == "default"  # exists before the first sync
        waves: dict[str, set[int]] = {}
        for doc in synced_by(tree, root):
            waves.setdefault(stage(doc), set()).add(int(doc["metadata"]["annotations"][WAVE]))
        order = ["project", "operator", "stores-and-secrets", "workloads"]
        assert {"project", "workloads"} <= set(waves)
        present = [waves[s] for s in order if s in waves]
        for earlier, later in itertools.pairwise(present):
            assert max(earlier) < min(later), waves


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_every_app_project_is_synced_and_admits_the_app(catalog: Path) -> None:
    tree = render_tree(catalog)
    for root in roots(tree):
        docs = synced_by(tree, root)
        projects = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "AppProject"}
        apps = [d for d in docs if d["kind"] == "Application"]
        assert apps
        for app in apps:
            project = projects[app["spec"]["project"]]
            dest = app["spec"]["destination"]
            assert app["spec"]["source"]["repoURL"] in project["sourceRepos"]
            assert {"server": dest["server"], "namespace": dest["namespace"]} in project[
                "destinations"
            ]


def operator_apps(tree: dict[str, str], env: str) -> dict[str, dict[str, Any]]:
    text = tree.get(f"argocd/{env}/operators.yaml", "")
    return {d["spec"]["source"]["chart"]: d for d in yaml.safe_load_all(text) if d}


@pytest.mark.parametrize(
    ("name", "charts"),
    [
        ("vault", {"vault-secrets-operator"}),
        ("seed003", {"external-secrets", "reloader"}),
        ("zerotouch", {"external-secrets", "reloader"}),
    ],
)
def test_only_the_operators_the_backends_need(name: str, charts: set[str]) -> None:
    catalog = FIXTURES / name
    tree = render_tree(catalog)
    first = load_catalog(catalog).platform.environments[0].name
    apps = operator_apps(tree, first)
    assert set(apps) == charts
    for chart, app in apps.items():
        assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", app["spec"]["source"]["targetRevision"])
        server_side = "ServerSideApply=true" in app["spec"]["syncPolicy"]["syncOptions"]
        assert server_side == (chart != "reloader")  # the two with large CRDs
        assert "finalizers" not in app["metadata"]  # deleting it keeps the CRDs and CRs


def test_enabled_overrides_what_the_backends_need(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM + (
        "operators:\n  reloader: {enabled: false}\n  vaultSecretsOperator: {enabled: true}\n"
    )
    tree = render_tree(make_catalog(platform=platform))
    assert set(operator_apps(tree, "dev")) == {"external-secrets", "vault-secrets-operator"}


def test_envs_sharing_a_cluster_install_the_operators_once(
    make_catalog: Callable[..., Path],
) -> None:
    one_cluster = (
        PLATFORM.replace("    cluster: https://prod.k8s.acme.internal\n", "")
        .replace("  - name: dev\n", '  - name: dev\n    namespace: "{namespace}-dev"\n')
        .replace(
            '  accountId: "123456789012"\n',
            '  accountId: "123456789012"\n  secretStoreScope: service\n  oidcProvider: o/id/X\n',
        )
    )
    assert "cluster:" not in one_cluster
    tree = render_tree(make_catalog(platform=one_cluster))
    assert [bool(operator_apps(tree, e)) for e in ("dev", "prod")] == [True, False]


def test_eso_runs_as_the_account_the_cluster_scope_role_trusts(
    make_catalog: Callable[..., Path],
) -> None:
    platform = own_issuers(PLATFORM).replace(
        '  accountId: "123456789012"\n',
        '  accountId: "123456789012"\n  oidcProvider: o/id/X\n  secretStoreScope: cluster\n',
    )
    tree = render_tree(make_catalog(platform=platform))
    for env in ("dev", "prod"):
        eso = operator_apps(tree, env)["external-secrets"]
        account = eso["spec"]["source"]["helm"]["valuesObject"]["serviceAccount"]
        tfvars = json.loads(tree[f"terraform/envs/{env}/terraform.tfvars.json"])
        (role,) = tfvars["irsa_roles"].values()
        arn = f"arn:aws:iam::123456789012:role/{role['name']}"
        assert account["annotations"] == {"eks.amazonaws.com/role-arn": arn}
        namespace = eso["spec"]["destination"]["namespace"]
        assert f"{namespace}/{account['name']}" == role["service_account"]


def test_service_scope_eso_carries_no_role() -> None:
    tree = render_tree(REPO_CATALOG)  # secretStoreScope: service
    eso = operator_apps(tree, "dev")["external-secrets"]
    assert "annotations" not in eso["spec"]["source"]["helm"]["valuesObject"]["serviceAccount"]


def test_argocd_cm_patch_restores_the_application_health_check() -> None:
    patch = yaml.safe_load(render_tree(REPO_CATALOG)["argocd/argocd-cm-patch.yaml"])
    lua = patch["data"]["resource.customizations.health.argoproj.io_Application"]
    assert "hs.status = obj.status.health.status" in lua and lua.rstrip().endswith("return hs")


def test_a_service_may_not_take_an_operator_app_name(make_catalog: Callable[..., Path]) -> None:
    out = errors(make_catalog({"acme-reloader": svc(name="acme-reloader")}))
    assert out == [
        "services/acme-reloader.yaml:1:7: name: Argo CD app 'acme-reloader-dev' (env dev) "
        "collides with the reloader app of env dev: rename"
    ]


def test_diff_names_an_operator_app_that_a_change_removes(repo: Path) -> None:
    platform = repo / "catalog" / "platform.yaml"
    platform.write_text(platform.read_text() + "operators:\n  reloader: {enabled: false}\n")
    code, out = diff()
    lines = out.splitlines()
    assert code == 1 and lines[2] == "!!! REMOVALS: review before merging !!!"
    assert lines[3].strip() == (
        "- [dev] Argo CD app zerotouch-reloader-dev removed: Argo CD prunes everything this app "
        "deployed"
    )


APPS_TEMPLATE = "argocd/applications.yaml.j2"
LABEL_LOOP = "    {{ key }}: {{ value }}\n{% endfor %}\n"
OPTION_LOOP = "      - {{ option }}\n{% endfor %}\n"


def rendered_apps(catalog: Path) -> list[dict[str, Any]]:
    """Every Application under rendered/argocd/ (roots, operators, the repo's folders)."""
    docs = [
        doc
        for file in sorted((catalog.parent / "rendered" / "argocd").rglob("*.yaml"))
        for doc in yaml.safe_load_all(file.read_text())
        if doc
    ]
    return [d for d in docs if d.get("kind") == "Application"]


def test_a_label_and_a_sync_option_added_to_the_template_reach_every_application(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    assert render(catalog) == (0, "")
    before = rendered_apps(catalog)
    text = built_in(APPS_TEMPLATE)
    edited = text.replace(LABEL_LOOP, LABEL_LOOP + "    team.example.com/tier: platform\n")
    edited = edited.replace(OPTION_LOOP, OPTION_LOOP + "      - PruneLast=true\n")
    assert edited.count("team.example.com/tier") == edited.count("PruneLast") == 1
    override(catalog, APPS_TEMPLATE, edited)
    assert render(catalog) == (0, "")
    after = rendered_apps(catalog)
    roles = {a["metadata"]["name"] for a in after}
    assert {"acme-dev", "acme-reloader-dev", "svc-dev", "acme-services-prod"} <= roles
    schema = crd_schema("argoproj.io/v1alpha1", "Application")
    for app in after:
        jsonschema.validate(app, schema)
        assert app["metadata"]["labels"].pop("team.example.com/tier") == "platform"
        assert app["spec"]["syncPolicy"]["syncOptions"].pop() == "PruneLast=true"
    assert after == before  # nothing else changed


BROKEN_APPS = {  # the override's text, the line to blame, the message
    "undefined": (
        "{% for app in apps %}\nkind: {{ app.knd }}\n{% endfor %}\n",
        2,
        "template: 'AppView",
    ),
    "not-yaml": (
        "{% for app in apps %}\n---\nmetadata:\n  name: {{ app.name }}: x\n{% endfor %}\n",
        4,
        "template: output is not",
    ),
}


@pytest.mark.parametrize(("text", "line", "message"), BROKEN_APPS.values(), ids=BROKEN_APPS.keys())
def test_a_broken_application_template_exits_2_located_and_leaves_rendered_untouched(
    make_catalog: Callable[..., Path], text: str, line: int, message: str
) -> None:
    catalog = make_catalog()
    assert render(catalog)[0] == 0
    before = snapshot_dir(catalog.parent / "rendered")
    file = override(catalog, APPS_TEMPLATE, text)
    code, stderr = render(catalog)
    assert (code, stderr.count("\n")) == (2, 1), stderr
    assert stderr.startswith(f"{file.as_posix()}:{line}:1: {message}"), stderr
    assert snapshot_dir(catalog.parent / "rendered") == before


def test_a_catalog_value_shaped_like_yaml_stays_one_string(
    make_catalog: Callable[..., Path],
) -> None:
    revision = "release#{prune},'\"&!|>%"  # YAML's flow and quote characters, a valid git ref
    catalog = make_catalog(platform=PLATFORM + f"gitRevision: {json.dumps(revision)}\n")
    assert render(catalog) == (0, "")
    apps = [a for a in rendered_apps(catalog) if "chart" not in a["spec"]["source"]]
    assert apps
    for app in apps:
        assert app["spec"]["source"]["targetRevision"] == revision
        assert set(app["spec"]["source"]) <= {"repoURL", "targetRevision", "path", "helm"}


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_the_declared_folders_are_the_rendered_ones(catalog: Path) -> None:
    """Families declare the folders Argo CD syncs from the catalog alone (`Family.apps`), apart
    from their render: every app's folder holds rendered files, and every service overlay
    rendered for an env the service is deployed to has its app."""
    from generator.catalog.facts import Facts
    from generator.pipeline.render import OUT, render_all

    cat = load_catalog(catalog)
    rendered = render_all(cat)
    tree = rendered.trees[OUT]
    folders = {str(q) for p in map(PurePosixPath, tree) for q in p.parents}
    prefix = str(PurePosixPath(cat.platform.renderedPath)) + "/"
    synced = {a.path.removeprefix(prefix) for a in rendered.results.applications() if a.path}
    assert synced, "the catalog has apps"
    assert synced <= folders | {"argocd/" + e.name for e in cat.platform.environments}
    facts = Facts(cat)
    deployed = {
        f"kustomize/{s.name}/overlays/{e.name}"
        for s in cat.services
        for e in cat.platform.environments
        if facts.deployed(s, e).enabled
    }
    overlays = {str(PurePosixPath(p).parent) for p in tree if "/overlays/" in p}
    assert overlays & deployed, "the catalog has overlays"
    assert overlays & deployed <= synced
