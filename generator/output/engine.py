"""The one path `render`, `render --dry-run` and `check` share: load, render, plan, apply.

The output tree streams (`output.stage`): each family's files are compared with disk where
the family is rendered, and a render that writes stages them under the output's lock, held
from the first comparison to the last write, so the comparison is still true when the files
move into place.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterator
from pathlib import Path

from generator import __version__
from generator.catalog.load import SERVICES_DIR, Catalog, display_root, read_catalog
from generator.output import interrupts, stage
from generator.output.guard import ensure_apart, ensure_safe_root
from generator.output.lock import locked
from generator.output.manifest import read_manifest_state
from generator.output.plan import Plan, make_plan
from generator.output.stray import stray_files, synced_folders
from generator.output.write import Summary, apply
from generator.parts.inventory import verify
from generator.pipeline.render import OUT, WORKFLOWS, Rendered, render_all


def plan_for(
    catalog_dir: Path, out: Path, workflows: Path | None = None, *, staging: Path | None = None
) -> Plan:
    """`workflows` defaults to the catalog's `ci.workflowsPath` (where GitHub reads them).
    `staging`: stage the new and changed files there (see `staged_plan`)."""
    catalog, across = read_catalog(catalog_dir)  # the rules across files: beside the render
    interrupts.safe_point()  # a stop the load could only report (see `interrupts`)
    explicit = workflows is not None
    workflows = workflows if workflows is not None else Path(catalog.platform.ci.workflowsPath)
    sources = {"catalog": catalog_dir}
    if catalog.templates is not None:
        sources["templates"] = catalog.templates
    for folder in (out, workflows):
        ensure_safe_root(folder)
        ensure_apart(folder, sources)
    previous = read_manifest_state(out)  # a large one is worth reading once
    known = {path: path for path in previous[0].get(OUT, ())}
    rendered = render_all(catalog, sink=stage.Comparer(out, known, staging), first=across)
    interrupts.safe_point()
    return _plan(
        catalog,
        catalog_dir,
        rendered,
        out,
        workflows,
        explicit=explicit,
        staging=staging,
        previous=previous,
        known=known,
    )


@contextlib.contextmanager
def staged_plan(catalog_dir: Path, out: Path, workflows: Path | None = None) -> Iterator[Plan]:
    """A render that writes: the plan, its files staged, with the output's lock held until
    the block ends (apply it with `apply_plan(plan, held=True)`). On the way out the staging
    folder goes, and so does an output folder this run made and left empty."""
    ensure_safe_root(out)
    made = not out.exists()
    try:
        with locked(out):
            staging = stage.begin(out)
            try:
                yield plan_for(catalog_dir, out, workflows, staging=staging)
            finally:
                stage.discard(staging)
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                out.rmdir()  # only when empty: a failure before the first write
        raise


def _plan(
    catalog: Catalog,
    catalog_dir: Path,
    rendered: Rendered,
    out: Path,
    workflows: Path,
    *,
    staging: Path | None,
    explicit: bool,
    previous: tuple[dict[str, list[str]], bool],
    known: dict[str, str],
) -> Plan:
    verify(rendered.inventory, catalog)
    folders = {OUT: out, WORKFLOWS: workflows}
    streamed = stage.merged(rendered.sunk, staging, known)
    plan = make_plan(
        rendered.trees, folders, OUT, __version__, streamed=streamed, previous=previous
    )
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


def apply_plan(plan: Plan, *, allow_empty: bool = False, held: bool = False) -> Summary:
    return apply(plan, OUT, allow_empty=allow_empty, held=held)
