"""The one path `render`, `render --dry-run` and `check` share: load, render, plan, apply."""

from __future__ import annotations

import shlex
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
    plan = make_plan(desired, folders, OUT)
    plan.envs = tuple(e.name for e in catalog.platform.environments)
    plan.fix = fix_command(catalog_dir, out, workflows)
    return plan


def fix_command(catalog_dir: Path, out: Path, workflows: Path) -> str:
    """`gitops-gen render` with exactly the flags this run used (defaults left out)."""
    words = ["gitops-gen", "render"]
    for flag, value, default in (
        ("--catalog", catalog_dir, "catalog"),
        ("--out", out, "rendered"),
        ("--workflows-dir", workflows, ".github/workflows"),
    ):
        if value.as_posix() != default:
            words += [flag, shlex.quote(value.as_posix())]
    return " ".join(words)


def apply_plan(plan: Plan) -> Summary:
    return apply(plan, OUT)
