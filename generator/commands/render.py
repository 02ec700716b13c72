"""`render` and `check`: validate, render, and write the output or compare it with disk."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from generator import console
from generator.output import engine
from generator.output.interrupts import Interrupted, as_interrupted
from generator.output.stray import stray_warnings

if TYPE_CHECKING:
    from generator.catalog.models import Platform
    from generator.output.plan import Plan


def version_note(out: Path) -> str | None:
    """One line when the manifest records another gitops-gen version than this one."""
    from generator import __version__
    from generator.output.manifest import MANIFEST, manifest_version

    recorded = manifest_version(out)
    if recorded is None or recorded == __version__:
        return None
    return (
        f"gitops-gen: note: {(out / MANIFEST).as_posix()} was written by gitops-gen {recorded}; "
        f"this is gitops-gen {__version__}"
    )


def pin_note(catalog: Path) -> str | None:
    """One line when `ci.install` pins another gitops-gen version than this one: CI would
    then render with that version, and its `check` may disagree with this one's."""
    from generator import __version__
    from generator.catalog.install import pinned_version
    from generator.catalog.load import PLATFORM_FILE, display_root

    platform = read_platform(catalog)
    pinned = pinned_version(platform.ci.install) if platform is not None else None
    if pinned is None or pinned == __version__:
        return None
    return (
        f"gitops-gen: note: ci.install in {display_root(catalog)}{PLATFORM_FILE} pins "
        f"gitops-gen {pinned} for CI; this is gitops-gen {__version__}"
    )


def read_platform(catalog: Path) -> Platform | None:
    """platform.yaml's model, or None when it cannot be read (the command then says why)."""
    from pydantic import ValidationError

    from generator.catalog.load import PLATFORM_FILE
    from generator.catalog.models import Platform
    from generator.catalog.service_files import parse_file

    data = parse_file(catalog / PLATFORM_FILE, PLATFORM_FILE)[1]
    try:
        return Platform.model_validate(data)
    except ValidationError:
        return None


def warn_placeholders(catalog: Path) -> None:
    """A warning line on stderr per init placeholder left in platform.yaml (not an error)."""
    from generator.catalog.load import PLATFORM_FILE, display_root
    from generator.catalog.placeholders import placeholder_warnings

    shown = f"{display_root(catalog)}{PLATFORM_FILE}"
    for line in placeholder_warnings(catalog / PLATFORM_FILE, shown):
        console.warning(line)


def watched(catalog: Path, out: Path, workflows: Path | None) -> tuple[list[Path], Path] | None:
    """The folders a change in which can change the output (the catalog, its templates
    folder, the output) and the folder of the generated workflows, resolved; None when
    platform.yaml cannot be read (the command itself then reports why)."""
    platform = read_platform(catalog)
    if platform is None:
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
        if dry_run:
            from generator.review.report import text_report  # only reports need difflib, blame

            plan = _planned(lambda: engine.plan_for(catalog, out, workflows))
            console.report(text_report(plan, diffs=False))
            return 0
        with contextlib.ExitStack() as held:  # the output's lock and the staged files
            plan = _planned(lambda: held.enter_context(engine.staged_plan(catalog, out, workflows)))
            writing = True
            with console.step("write") as step:
                summary = engine.apply_plan(plan, allow_empty=allow_empty, held=True)
                step.detail = str(summary)
    except (Interrupted, KeyboardInterrupt) as exc:
        stop = as_interrupted(exc)
        assert stop is not None
        stop.message = interrupted(stop, engine.fix_command(catalog, out, workflows), writing)
        raise stop from None
    console.info(f"gitops-gen: {summary}")
    for line in stray_warnings((r.root, r.stray) for r in plan.roots.values()):
        console.warning(f"gitops-gen: {line}")
    return 0


def _planned(make: Callable[[], Plan]) -> Plan:
    """Load, render and compare with disk: one step for --verbose and the progress line."""
    with console.step("load, render and compare") as step:
        plan = make()
        changed = sum(len(r.create) + len(r.update) + len(r.delete) for r in plan.roots.values())
        files = sum(len(r.paths()) for r in plan.roots.values())
        step.detail = f"{plan.services} services, {files} files, {changed} to change"
    return plan


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
    plan = _planned(lambda: engine.plan_for(catalog, out, workflows))
    with console.step("report"):
        text = format_report(plan, fmt, template_causes(catalog, plan))
    console.report(text, diff=fmt == "text")
    for note in (version_note(out), pin_note(catalog)):
        if note:
            console.note(note)
    return 1 if plan.changed else 0
