"""The one path `render`, `render --dry-run` and `check` share: load, render, plan, apply."""

from __future__ import annotations

from pathlib import Path

from generator.catalog.load import load_catalog
from generator.consistency import verify
from generator.plan import Plan, make_plan
from generator.render.pipeline import OUT, WORKFLOWS, render_all
from generator.write import Summary, apply, ensure_safe_root


def plan_for(catalog_dir: Path, out: Path, workflows: Path) -> Plan:
    catalog = load_catalog(catalog_dir)
    rendered = render_all(catalog)
    verify(rendered.inventory)
    desired = rendered.trees
    folders = {OUT: out, WORKFLOWS: workflows}
    for folder in folders.values():
        ensure_safe_root(folder)
    return make_plan(desired, folders, OUT)


def apply_plan(plan: Plan) -> Summary:
    return apply(plan, OUT)
