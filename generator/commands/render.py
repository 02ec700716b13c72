"""`render` and `check`: validate, render, and write the output or compare it with disk."""

from __future__ import annotations

from pathlib import Path

import click

from generator.output import engine
from generator.output.stray import stray_warnings


def render(
    catalog: Path, out: Path, workflows: Path | None, *, dry_run: bool, allow_empty: bool
) -> int:
    """Write only what changed and remove files no longer produced; `dry_run` only prints."""
    plan = engine.plan_for(catalog, out, workflows)
    if dry_run:
        from generator.review.report import text_report  # only reports need difflib and blame

        click.echo(text_report(plan, diffs=False), nl=False)
        return 0
    summary = engine.apply_plan(plan, allow_empty=allow_empty)
    click.echo(f"gitops-gen: {summary}")
    for line in stray_warnings((r.root, r.stray) for r in plan.roots.values()):
        click.echo(f"gitops-gen: {line}", err=True)
    return 0


def check(catalog: Path, out: Path, workflows: Path | None, fmt: str) -> int:
    """Render in memory and report the drift from disk: 1 when there is any."""
    from generator.review.report import format_report

    plan = engine.plan_for(catalog, out, workflows)
    click.echo(format_report(plan, fmt), nl=False)
    return 1 if plan.changed else 0
