"""A GitOps repo's own templates folder: overrides shadow built-ins; broken ones exit 2 located
and leave rendered/ as it was."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.templating.engine import builtin_templates
from tests.commands.test_new_service import snapshot_dir
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM, run
from tests.families.test_helm_real import template
from tests.review.test_reports import git, repo  # noqa: F401 - `repo` is a fixture
from tests.tools import TREE_DIGEST, diff_tools, need

OVERLAY = "kustomize/overlay-kustomization.yaml.j2"
LABELS = "labels:\n  - pairs:\n      team.example.com/owner: {{ overlay.service }}\n"


def render(catalog: Path) -> tuple[int, str]:
    out, flows = catalog.parent / "rendered", catalog.parent / "workflows"
    args = ["render", "--catalog", str(catalog), "--out", str(out), "--workflows-dir", str(flows)]
    result = run(args)
    return result.exit_code, result.stderr


def override(catalog: Path, name: str, text: str) -> Path:
    target = catalog.parent / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def built_in(name: str) -> str:
    return builtin_templates().source(name)


def test_a_label_added_to_the_overlay_template_reaches_every_overlay(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    override(catalog, OVERLAY, built_in(OVERLAY) + LABELS)
    assert render(catalog) == (0, "")
    overlays = sorted((catalog.parent / "rendered" / "kustomize").glob("*/overlays/*/kust*"))
    assert len(overlays) == 2
    for file in overlays:
        labels = yaml.safe_load(file.read_text())["labels"]
        assert labels == [{"pairs": {"team.example.com/owner": "svc"}}]


def test_a_label_added_to_the_helm_configmap_template_reaches_every_configmap(
    make_catalog: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITOPS_GEN_HELM", need("helm"))  # an overridden chart is built by helm
    catalog = make_catalog()
    text = built_in("helm/configmap.yaml")
    labelled = text.replace("  labels:\n", "  labels:\n    team.example.com/tier: web\n")
    assert labelled != text
    override(catalog, "helm/configmap.yaml", labelled)
    assert render(catalog) == (0, "")
    chart = catalog.parent / "rendered" / "helm" / "acme-services"
    assert (chart / "templates" / "configmap.yaml").read_text().endswith(labelled)
    configmaps = [d for d in template(tmp_path, chart, "dev") if d["kind"] == "ConfigMap"]
    assert configmaps
    assert all(d["metadata"]["labels"]["team.example.com/tier"] == "web" for d in configmaps)


HEAD = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
BROKEN = {  # the override's text, the line to blame, the message
    "syntax": (HEAD + "resources:\n{% for %}\n", 4, "template: Expected an expression"),
    "undefined": (
        HEAD + "namespace: {{ overlay.namespce }}\n",
        3,
        "template: 'OverlayView' has no",
    ),
    "not-yaml": (HEAD + "namespace: {{ overlay.namespace }}: x\n", 3, "template: output is not"),
    "no-name": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: {{ overlay.namespace }}\n",
        1,
        "template: the ConfigMap document needs metadata.name",
    ),
    # PyYAML keeps the last of two equal keys; kustomize, as Argo CD builds, refuses them
    "duplicate-key": (
        HEAD + "namespace: {{ overlay.namespace }}\nnamespace: x\n",
        4,
        "template: output is not valid YAML: mapping key 'namespace' already defined at line 3",
    ),
}


@pytest.mark.parametrize(("text", "line", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_override_exits_2_located_and_leaves_rendered_untouched(
    make_catalog: Callable[..., Path], text: str, line: int, message: str
) -> None:
    catalog = make_catalog()
    assert render(catalog)[0] == 0
    before = snapshot_dir(catalog.parent / "rendered")
    file = override(catalog, OVERLAY, text)
    code, stderr = render(catalog)
    assert code == 2
    assert stderr.startswith(f"{file.as_posix()}:{line}:1: {message}"), stderr
    assert stderr.count("\n") == 1
    assert snapshot_dir(catalog.parent / "rendered") == before


def test_rendering_with_overrides_is_deterministic(make_catalog: Callable[..., Path]) -> None:
    services = {f"s{i}": SERVICE.format(name=f"s{i}") for i in (3, 1, 4, 0, 2)}
    catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
    override(catalog, OVERLAY, built_in(OVERLAY) + LABELS)
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", TREE_DIGEST, str(catalog)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        digests.add(proc.stdout)
    assert len(digests) == 1
    assert hashlib.sha256().hexdigest() + "\n" not in digests
    assert render(catalog) == (0, "")  # and the override is really in what was hashed
    overlay = catalog.parent / "rendered" / "kustomize/s4/overlays/prod/kustomization.yaml"
    assert "team.example.com/owner: s4" in overlay.read_text()


def test_diff_renders_the_base_with_the_same_overrides(repo: Path) -> None:  # noqa: F811
    catalog = repo / "catalog"
    override(catalog, OVERLAY, built_in(OVERLAY) + LABELS)
    assert run(["render"]).exit_code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "label every overlay")
    diff_tools()
    result = run(["diff", "--base", "HEAD"])
    assert (result.exit_code, result.output) == (
        0,
        "gitops-gen diff: no change to the output against HEAD\n",
    )


def test_a_broken_override_rendered_in_the_forked_worker_is_still_located(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITOPS_GEN_JOBS", "2")  # runbooks render in the forked child
    catalog = make_catalog()
    file = override(catalog, "runbooks/runbook.md.j2", "# {{ runbook.servce }}\n")
    code, stderr = render(catalog)
    assert (code, stderr) == (
        2,
        f"{file.as_posix()}:1:1: template: 'RunbookView' has no attribute 'servce'\n",
    )


def test_new_service_fills_the_repo_s_skeleton_override(make_catalog: Callable[..., Path]) -> None:
    catalog = make_catalog()
    skeleton = built_in("scaffold/service.yaml").replace("values.description %", "false %")
    skeleton += "description: ${{ values.name | dump }}\n"  # always a description
    override(catalog, "scaffold/service.yaml", skeleton)
    args = ["new-service", "shop", "--owner", "team-b", "--catalog", str(catalog)]
    assert run(args).exit_code == 0
    entry = yaml.safe_load((catalog / "services" / "shop.yaml").read_text())
    assert entry["description"] == "shop"
    assert render(catalog)[0] == 0  # and Backstage's template ships the same skeleton
    copied = catalog.parent / "rendered" / "backstage" / "template" / "skeleton"
    assert [p.read_text() for p in copied.rglob("*.yaml")] == [skeleton]


def test_diff_renders_each_side_with_its_own_templates(repo: Path) -> None:  # noqa: F811
    """An override added in the work tree is a change against a base that had none."""
    catalog = repo / "catalog"
    override(catalog, OVERLAY, built_in(OVERLAY) + LABELS)
    diff_tools()
    result = run(["diff", "--base", "HEAD"])
    assert result.exit_code == 1
    head = "gitops-gen diff against HEAD: 10 file(s) change, 0 removal(s)\n"  # the record too
    assert result.output.startswith(head)
    assert "  ~ [stg] ExternalSecret payment/payment-secrets changed\n" in result.output
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "label every overlay (not rendered yet)")
    (catalog.parent / "templates" / OVERLAY).unlink()  # the work tree drops it again
    again = run(["diff", "--base", "HEAD"])
    assert (again.exit_code, again.output.startswith(head)) == (1, True)


def test_an_overridden_shell_script_that_sh_rejects_exits_2_located(
    fixture_copy: Callable[[str], Path],
) -> None:
    catalog = fixture_copy("vault")
    name = "vault/bootstrap.sh.j2"
    broken = built_in(name) + "if true then\n  echo never\nfi\n"
    lines = _script_lines(catalog)
    file = override(catalog, name, broken)
    code, stderr = render(catalog)
    # located in the override; which line is the engine's guess (the first matching `fi`)
    where, _, message = stderr.partition(":1: ")
    assert (code, where.rpartition(":")[0]) == (2, file.as_posix())
    assert message == (
        'template: output is not valid shell (sh -n): Syntax error: "fi" unexpected '
        f'(expecting "then") (output line {lines + 3})\n'
    )
    assert not (catalog.parent / "rendered").exists()


def _script_lines(catalog: Path) -> int:
    """Lines of the built-in bootstrap script of the fixture's first env."""
    from generator.catalog.load import load_catalog
    from generator.pipeline.render import OUT, render_catalog

    tree = render_catalog(load_catalog(catalog))[OUT]
    first = sorted(p for p in tree if p.endswith("bootstrap.sh"))[0]
    return tree[first].count("\n")
