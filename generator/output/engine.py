"""The one path `render`, `render --dry-run` and `check` share: load, render, plan, apply."""

from __future__ import annotations

import shlex
from pathlib import Path

from generator import __version__
from generator.catalog.load import SERVICES_DIR, Catalog, display_root, load_catalog
from generator.output.guard import ensure_safe_root
from generator.output.plan import Plan, make_plan
from generator.output.stray import stray_files, synced_folders
from generator.output.write import Summary, apply
from generator.parts.inventory import verify
from generator.pipeline.render import OUT, WORKFLOWS, Rendered, render_all


def plan_for(catalog_dir: Path, out: Path, workflows: Path | None = None) -> Plan:
    """`workflows` defaults to the catalog's `ci.workflowsPath` (where GitHub reads them)."""
    catalog = load_catalog(catalog_dir)
    explicit = workflows is not None
    workflows = workflows if workflows is not None else Path(catalog.platform.ci.workflowsPath)
    rendered = render_all(catalog)
    return _plan(catalog, catalog_dir, rendered, out, workflows, explicit=explicit)


def _plan(
    catalog: Catalog,
    catalog_dir: Path,
    rendered: Rendered,
    out: Path,
    workflows: Path,
    *,
    explicit: bool,
) -> Plan:
    verify(rendered.inventory)
    desired = rendered.trees
    folders = {OUT: out, WORKFLOWS: workflows}
    for folder in folders.values():
        ensure_safe_root(folder)
    plan = make_plan(desired, folders, OUT, __version__)
    paths = plan.roots[OUT].paths()
    synced = synced_folders(paths, rendered.results.applications(), catalog.platform.renderedPath)
    generated = paths | set(plan.roots[OUT].delete)  # a file the render deletes is not stray
    plan.roots[OUT].stray = stray_files(out, generated, synced)
    plan.envs = tuple(e.name for e in catalog.platform.environments)
    plan.roots[OUT].per_service = rendered.results.per_service_files()
    plan.services = len(catalog.services)
    plan.services_dir = f"{display_root(catalog_dir)}{SERVICES_DIR}/"
    plan.fix = fix_command(catalog_dir, out, workflows if explicit else None)
    return plan


def fix_command(catalog_dir: Path, out: Path, workflows: Path | None) -> str:
    """`gitops-gen render` with exactly the flags this run used (defaults left out)."""
    words = ["gitops-gen", "render"]
    for flag, value, default in (
        ("--catalog", catalog_dir, "catalog"),
        ("--out", out, "rendered"),
        ("--workflows-dir", workflows, None),
    ):
        if value is not None and value.as_posix() != default:
            words += [flag, shlex.quote(value.as_posix())]
    return " ".join(words)


def apply_plan(plan: Plan, *, allow_empty: bool = False) -> Summary:
    return apply(plan, OUT, allow_empty=allow_empty)
