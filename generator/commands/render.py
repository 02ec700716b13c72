"""`render` and `check`: validate, render, and write the output or compare it with disk."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from generator.output import engine, interrupts, write
from generator.output.interrupts import Interrupted, as_interrupted
from generator.output.stray import stray_warnings

# A stop waits for the file operation under way: no temp file, no emptied folder left behind
interrupts.atomic(write._write_file, write._delete)


def version_note(out: Path) -> str | None:
    """One line when the manifest records another gitops-gen version than this one."""
    from generator import __version__
    from generator.output.plan import MANIFEST, manifest_version

    recorded = manifest_version(out)
    if recorded is None or recorded == __version__:
        return None
    return (
        f"gitops-gen: note: {(out / MANIFEST).as_posix()} was written by gitops-gen {recorded}; "
        f"this is gitops-gen {__version__}"
    )


def warn_placeholders(catalog: Path) -> None:
    """A warning line on stderr per init placeholder left in platform.yaml (not an error)."""
    from generator.catalog.load import PLATFORM_FILE, display_root
    from generator.catalog.placeholders import placeholder_warnings

    shown = f"{display_root(catalog)}{PLATFORM_FILE}"
    for line in placeholder_warnings(catalog / PLATFORM_FILE, shown):
        click.echo(line, err=True)


def watched(catalog: Path, out: Path, workflows: Path | None) -> tuple[list[Path], Path] | None:
    """The folders a change in which can change the output (the catalog, its templates
    folder, the output) and the folder of the generated workflows, resolved; None when
    platform.yaml cannot be read (the command itself then reports why)."""
    from pydantic import ValidationError

    from generator.catalog.load import PLATFORM_FILE
    from generator.catalog.models import Platform
    from generator.catalog.service_files import parse_file

    data = parse_file(catalog / PLATFORM_FILE, PLATFORM_FILE)[1]
    try:
        platform = Platform.model_validate(data)
    except ValidationError:
        return None
    folders = [catalog, catalog / ".." / platform.templatesPath, out, Path(platform.renderedPath)]
    flows = workflows if workflows is not None else Path(platform.ci.workflowsPath)
    return [f.resolve() for f in folders], flows.resolve()


def concerns(files: Sequence[Path], catalog: Path, out: Path, workflows: Path | None) -> bool:
    """Does any of `files` (what pre-commit passes a hook) lie where the output comes from or
    goes? No files: yes, always. The folders are the catalog's own, custom paths included."""
    if not files:
        return True
    found = watched(catalog, out, workflows)
    if found is None:
        return True
    folders, flows = found
    for name in files:
        path = name.resolve()
        if path.parent == flows and path.name.startswith("gitops-gen-"):
            return True
        if any(path.is_relative_to(folder) for folder in folders):
            return True
    return False


def render(
    catalog: Path,
    out: Path,
    workflows: Path | None,
    *,
    dry_run: bool,
    allow_empty: bool,
    files: Sequence[Path] = (),
) -> int:
    """Write only what changed and remove files no longer produced; `dry_run` only prints.
    `files`: run only if one of them concerns the output (a pre-commit hook's file names).
    Stopped by SIGINT/SIGTERM, it says whether it had begun writing (`interrupts`)."""
    if not concerns(files, catalog, out, workflows):
        return 0
    warn_placeholders(catalog)
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


def check(
    catalog: Path, out: Path, workflows: Path | None, fmt: str, files: Sequence[Path] = ()
) -> int:
    """Render in memory and report the drift from disk: 1 when there is any. `files`: as
    for `render`."""
    from generator.review.report import format_report
    from generator.review.template_blame import template_causes

    if not concerns(files, catalog, out, workflows):
        return 0
    warn_placeholders(catalog)
    plan = engine.plan_for(catalog, out, workflows)
    click.echo(format_report(plan, fmt, template_causes(catalog, plan)), nl=False)
    if note := version_note(out):
        click.echo(note, err=True)
    return 1 if plan.changed else 0
