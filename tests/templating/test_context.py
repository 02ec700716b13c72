"""The whole context: every catalog template sees `platform`, `service`, `env` and `extra` besides
its family's view; `templates show NAME` lists it; docs/templates.md is generated from it."""

from __future__ import annotations

import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import concurrency
from generator.catalog.load import load_catalog
from generator.commands.template_context import CONTEXTS, DOC, SHARED, note, reference_text
from generator.pipeline.render import render_all
from generator.templating.engine import builtin_templates, templates_for
from tests.conftest import FIXTURE_NAMES, FIXTURES, PLATFORM, REPO_CATALOG, SERVICE, run
from tests.templating.test_overrides import built_in, override, render

ES = "eso/externalsecret.yaml.j2"
OVERLAY = "kustomize/overlay-kustomization.yaml.j2"
EXTRA = """\
extra:
  costCenter: cc-1
environments:
  prod:
    extra: {costCenter: cc-9, tier: gold}
"""


def _catalog(make_catalog: Callable[..., Path]) -> Path:
    return make_catalog(
        services={"svc": SERVICE.format(name="svc") + EXTRA},
        platform=PLATFORM + "extra:\n  org: acme\n",
    )


def test_an_override_sees_the_service_the_env_the_platform_and_extra(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = _catalog(make_catalog)
    annotations = (
        "  annotations:\n"
        "    acme/owner: {{ service.owner }}\n"
        "    acme/cost: {{ extra.costCenter }}\n"
        "    acme/org: {{ platform.extra.org }}\n"
    )
    es = built_in(ES).replace(
        "  name: {{ es.meta.name }}\n", "  name: {{ es.meta.name }}\n" + annotations
    )
    override(catalog, ES, es)
    labels = "commonAnnotations:\n  acme/cost: {{ extra.costCenter }}\n  acme/env: {{ env.name }}\n"
    override(catalog, OVERLAY, built_in(OVERLAY) + labels)
    assert render(catalog) == (0, "")
    out = catalog.parent / "rendered" / "kustomize" / "svc"
    assert (
        "  annotations:\n    acme/owner: team-a\n    acme/cost: cc-1\n    acme/org: acme\n"
        in (out / "base" / "externalsecret.yaml").read_text()
    )
    dev = (out / "overlays" / "dev" / "kustomization.yaml").read_text()
    prod = (out / "overlays" / "prod" / "kustomization.yaml").read_text()
    assert dev.endswith("commonAnnotations:\n  acme/cost: cc-1\n  acme/env: dev\n")
    assert prod.endswith("commonAnnotations:\n  acme/cost: cc-9\n  acme/env: prod\n")


def test_a_template_rendered_once_has_no_service(make_catalog: Callable[..., Path]) -> None:
    catalog = _catalog(make_catalog)
    name = "eso/clustersecretstores-kustomization.yaml.j2"
    target = override(catalog, name, built_in(name) + "# {{ service.name }}\n")
    code, err = render(catalog)
    line = built_in(name).count("\n") + 1
    assert (code, err) == (2, f"{target}:{line}:1: template: 'None' has no attribute 'name'\n")


def test_show_prints_each_field_its_type_and_an_example(make_catalog: Callable[..., Path]) -> None:
    catalog = _catalog(make_catalog)
    result = run(["templates", "show", OVERLAY, "--catalog", str(catalog)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"{OVERLAY}: rendered once per service and env"
    for expected in (
        "overlay: OverlayView",
        'overlay.env: str = "dev"',
        "overlay.patches[]: PatchView",
        'overlay.patches[].kind: str = "ExternalSecret"',
        "service: Service | none",
        'service.owner: str = "team-a"',
        "service.replicas: int = 1",
        'service.extra: dict[str, JsonValue] = {"costCenter": "cc-1"}',
        'service.environments[NAME].extra: dict[str, JsonValue] = {"costCenter": "cc-9", "tier": "gold"}',
        'env.name: str = "dev"',
        'extra: dict[str, Any] = {"costCenter": "cc-1"}',
        'platform.system: str = "acme"',
        'platform.extra: dict[str, JsonValue] = {"org": "acme"}',
    ):
        assert expected in lines


def test_show_says_what_a_template_of_no_rendered_file_and_a_static_file_are(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = _catalog(make_catalog)
    vault = run(["templates", "show", "vault/policy.hcl.j2", "--catalog", str(catalog)])
    assert vault.stdout.splitlines()[:4] == [
        "vault/policy.hcl.j2: rendered once per service and env",
        "(this catalog renders no such file: no example values)",
        "policy: PolicyView",
        "policy.service: str",
    ]
    static = run(["templates", "show", "helm/deployment.yaml", "--catalog", str(catalog)])
    assert (
        static.stdout == "helm/deployment.yaml: a static file, copied verbatim (no Jinja context)\n"
    )


def test_show_of_an_unknown_name_exits_2(make_catalog: Callable[..., Path]) -> None:
    result = run(
        ["templates", "show", "eso/nope.yaml.j2", "--catalog", str(_catalog(make_catalog))]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "templates show: name: 'eso/nope.yaml.j2' is not a template; did you mean "
        "eso/secretstore.yaml.j2, eso/serviceaccount.yaml.j2, eso/externalsecret.yaml.j2?\n"
    )


def test_every_catalog_template_is_in_the_reference_table() -> None:
    names = {n for n in builtin_templates().names() if not note(n)}
    assert names == set(CONTEXTS)


def _recorded(catalog_dir: Path) -> dict[str, dict[str, Any]]:
    catalog = load_catalog(catalog_dir)
    templates = templates_for(catalog)
    seen = templates.recording()
    concurrency.set_jobs(1)
    try:
        render_all(catalog)
    finally:
        concurrency.set_jobs(None)
        templates.stop_recording()
    return seen


@pytest.mark.parametrize("catalog", [*FIXTURE_NAMES, "repo"])
def test_every_context_a_render_passes_matches_the_reference_table(catalog: str) -> None:
    """The table the docs and `show` read is what the families really pass."""
    seen = _recorded(REPO_CATALOG if catalog == "repo" else FIXTURES / catalog)
    assert seen
    for name, context in seen.items():
        declared = CONTEXTS[name]
        expected = dict((*declared.views, *SHARED))
        assert set(context) == set(expected), name
        for var, tp in expected.items():
            assert _matches(context[var], tp), (name, var)
        assert (context["service"] is not None) == ("service" in declared.scope), name
        has_env = "env" in declared.scope and "env` is none" not in declared.scope
        assert (context["env"] is not None) == has_env, name


def _matches(value: Any, tp: Any) -> bool:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        return isinstance(value, tuple) and all(_matches(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if args:  # `X | None`
        return any(_matches(value, a) for a in args)
    return value is None if tp is type(None) else isinstance(value, tp)


def test_the_reference_page_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == reference_text(), (
        "docs/templates.md is stale: run `python -m generator.commands.template_context`"
    )
