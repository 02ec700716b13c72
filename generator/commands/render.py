"""`render` and `check`: validate, render, and write the output or compare it with disk."""

from __future__ import annotations

from pathlib import Path

import click

from generator.output import engine, interrupts, write
from generator.output.interrupts import Interrupted, as_interrupted
from generator.output.stray import stray_warnings

# A stop waits for the file operation under way: no temp file, no emptied folder left behind
interrupts.atomic(write._write_file, write._delete)


def render(
    catalog: Path, out: Path, workflows: Path | None, *, dry_run: bool, allow_empty: bool
) -> int:
    """Write only what changed and remove files no longer produced; `dry_run` only prints.
    Stopped by SIGINT/SIGTERM, it says whether it had begun writing (`interrupts`)."""
    writing = False
    try:
        plan = engine.plan_for(catalog, out, workflows)
        if dry_run:
            from generator.review.report import text_report  # only reports need difflib, blame

            click.echo(text_report(plan, diffs=False), nl=False)
            return 0
        writing = True
        summary = engine.apply_plan(plan, allow_empty=allow_empty)
    except (Interrupted, KeyboardInterrupt) as exc:
        stop = as_interrupted(exc)
        assert stop is not None
        stop.message = interrupted(stop, engine.fix_command(catalog, out, workflows), writing)
        raise stop from None
    click.echo(f"gitops-gen: {summary}")
    for line in stray_warnings((r.root, r.stray) for r in plan.roots.values()):
        click.echo(f"gitops-gen: {line}", err=True)
    return 0


def interrupted(stop: Interrupted, fix: str, writing: bool) -> str:
    """The one line a stopped render leaves: what it left, and that the next one completes it."""
    if writing:
        left = "while writing: the output may be incomplete (no file is half-written)"
    else:
        left = "before writing: the output is as it was"
    return f"gitops-gen: render interrupted by {stop.name} {left}; `{fix}` completes it"


def check(catalog: Path, out: Path, workflows: Path | None, fmt: str) -> int:
    """Render in memory and report the drift from disk: 1 when there is any."""
    from generator.review.report import format_report

    plan = engine.plan_for(catalog, out, workflows)
    click.echo(format_report(plan, fmt), nl=False)
    return 1 if plan.changed else 0
