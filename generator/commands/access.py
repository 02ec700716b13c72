"""`gitops-gen access`: every principal and every secret path it can read, from the render."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from pathlib import Path

import click

from generator import console
from generator.review.access import Grant, applied_state, model


def access(
    catalog_dir: Path, env: str | None, service: str | None, path: str | None, fmt: str
) -> int:
    from generator.catalog.load import load_catalog
    from generator.catalog.rules_access import oidc_issuers
    from generator.pipeline.render import OUT, render_catalog

    with console.step("load the catalog") as step:
        cat = load_catalog(catalog_dir)
        step.detail = f"{len(cat.services)} services"
    envs = [e.name for e in cat.platform.environments]
    if env is not None and env not in envs:
        raise click.UsageError(f"--env {env!r} is not an env of the catalog ({', '.join(envs)})")
    names = sorted(s.name for s in cat.services)
    if service is not None and service not in names:
        raise click.UsageError(f"--service {service!r} is not a service of the catalog")
    with console.step("render and read the grants as Argo CD applies them") as step:
        tree = render_catalog(cat)[OUT]
        issuers = oidc_issuers(cat.platform)
        grants = model(applied_state(tree, envs, cat.platform.renderedPath, issuers))
        step.detail = f"{len(grants)} grants"
    chosen = [g for g in grants if _wanted(g, env, service, path)]
    console.report(FORMATS[fmt](chosen))
    return 0


def _wanted(grant: Grant, env: str | None, service: str | None, path: str | None) -> bool:
    if env is not None and env != grant.principal.env and env not in grant.secret.envs:
        return False
    if service is not None and service not in {grant.principal.service, grant.secret.service}:
        return False
    return path is None or fnmatch.fnmatchcase(grant.secret.path, path)


def as_dict(grant: Grant) -> dict[str, object]:
    p, s = grant.principal, grant.secret
    return {
        "env": p.env,
        "principal": {
            "kind": "ServiceAccount",
            "cluster": p.cluster,
            "namespace": p.namespace,
            "name": p.account,
            "service": p.service,
        },
        "via": grant.via,
        "secret": {
            "backend": s.backend,
            "store": s.store,
            "path": s.path,
            "envs": list(s.envs),
            "service": s.service,
        },
    }


def json_report(grants: list[Grant]) -> str:
    return json.dumps({"grants": [as_dict(g) for g in grants]}, indent=2) + "\n"


def _crossing(grant: Grant) -> str:
    """A flag where a principal reads a secret of another env or another service."""
    p, s = grant.principal, grant.secret
    notes = []
    if p.env not in s.envs:
        notes.append(f"ANOTHER ENV: {', '.join(s.envs)}")
    if s.service and p.service != s.service:
        notes.append(f"ANOTHER SERVICE: {s.service}")
    return f"  [{'; '.join(notes)}]" if notes else ""


def text_report(grants: list[Grant]) -> str:
    if not grants:
        return "no principal reads any secret\n"
    lines: list[str] = []
    env = principal = via = None
    for g in grants:
        if g.principal.env != env:
            env = g.principal.env
            lines.append(f"env {env or '(rendered by no env)'}")
            principal = via = None
        if g.principal != principal:
            principal, via = g.principal, None
            owner = f" (service {principal.service})" if principal.service else ""
            lines.append(f"  {principal}{owner}")
        if g.via != via:
            via = g.via
            lines.append(f"    via {via}")
        lines.append(f"      {g.secret.backend} {g.secret.path}  @ {g.secret.store}{_crossing(g)}")
    return "\n".join(lines) + "\n"


def markdown_report(grants: list[Grant]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = [
        "| env | principal | via | reads |",
        "| --- | --- | --- | --- |",
    ]
    for g in grants:
        reads = f"{g.secret.backend} `{g.secret.path}` @ {g.secret.store}{_crossing(g)}"
        rows.append(
            f"| {g.principal.env} | {cell(str(g.principal))} | {cell(g.via)} | {cell(reads)} |"
        )
    return "\n".join(rows) + "\n"


FORMATS: dict[str, Callable[[list[Grant]], str]] = {
    "text": text_report,
    "json": json_report,
    "markdown": markdown_report,
}
