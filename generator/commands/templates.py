"""`gitops-gen templates list`, `eject`, `show`, `diff` and `update`: which template file each
output uses, a copy of a built-in in the repo's own templates folder to start an override (its
built-in recorded, `ejected.py`), what a template sees, and what the built-in changed since."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from generator.catalog.load import PLATFORM_FILE, display_root, load_catalog
from generator.commands import ejected
from generator.errors import UserError
from generator.output.write import write_bytes
from generator.templating import added
from generator.templating.engine import Templates, templates_for

BUILT_IN = "built-in"
OVERRIDE = "override"
STALE = "stale"  # an override whose built-in changed since it was ejected (`templates diff`)
ADDED = "added"  # a file no built-in has: the team's own output (`templating/added.py`)
PARTIAL = "partial"  # read only where another template includes it (or extra.schema.json)


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str  # built-in, override or extra
    file: str  # the file used


def template_entries(catalog_dir: Path) -> list[Entry]:
    """Every template and static file by name, with the file a render uses for it."""
    templates = templates_for(load_catalog(catalog_dir))
    builtin = set(templates.names())
    entries = [Entry(n, _kind(templates, n), str(templates.path(n))) for n in builtin]
    entries += [
        Entry(n, ADDED if added.kind(n) in added.RENDERED else PARTIAL, str(templates.path(n)))
        for n in templates.override_names - builtin
    ]
    return sorted(entries, key=lambda e: e.name)


def _kind(templates: Templates, name: str) -> str:
    if name not in templates.override_names:
        return BUILT_IN
    assert templates.overrides is not None
    stale = ejected.is_stale(templates.overrides, name, _builtin(templates, name).read_bytes())
    return STALE if stale else OVERRIDE


def list_text(catalog_dir: Path) -> str:
    entries = template_entries(catalog_dir)
    width = max((len(e.name) for e in entries), default=0)
    return "".join(f"{e.name:<{width}}  {e.kind:<8}  {e.file}\n" for e in entries)


def eject(catalog_dir: Path, name: str) -> Path:
    """Copy the built-in `name` into the catalog's templates folder; never overwrite a file."""
    catalog = load_catalog(catalog_dir)
    templates = templates_for(catalog)
    _known(templates, name, "templates eject")
    folder = catalog.templates
    assert folder is not None  # load_catalog always resolves templatesPath
    target = folder / name
    if target.exists() or target.is_symlink():
        shown = f"{display_root(catalog_dir)}{PLATFORM_FILE}"
        raise UserError.single(
            str(target), "templatesPath", f"already exists: not overwritten (folder set in {shown})"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    data = _builtin(templates, name).read_bytes()
    # exclusive: a file (or a link) put there since the look above is not written through
    write_bytes(target, data, exclusive=True)
    ejected.remember(folder, name, data)
    return target


def diff(catalog_dir: Path, name: str) -> tuple[int, str]:
    """(1, the built-in's change since NAME was ejected) or (0, a line saying it is current)."""
    folder, data = _override(catalog_dir, name, "templates diff")
    change = ejected.change_since(folder, name, data)
    if not change:
        return 0, f"gitops-gen: {name}: the built-in has not changed since it was ejected\n"
    return 1, change


def update(catalog_dir: Path, name: str) -> tuple[int, str]:
    """Merge the built-in's change since the eject into the override (three-way)."""
    folder, data = _override(catalog_dir, name, "templates update")
    target = (folder / name).as_posix()
    if not ejected.change_since(folder, name, data):
        return 0, f"gitops-gen: {target}: already on the current built-in\n"
    if ejected.merge(folder, name, data):
        return 0, f"gitops-gen: {target}: merged the built-in's change\n"
    raise UserError.single(
        target,
        "template",
        "conflicts with the built-in's change: resolve the <<<<<<< ======= >>>>>>> markers",
    )


def _override(catalog_dir: Path, name: str, command: str) -> tuple[Path, bytes]:
    """The templates folder holding the override `name`, and the built-in's bytes now."""
    templates = templates_for(load_catalog(catalog_dir))
    _known(templates, name, command)
    if name not in templates.override_names or templates.overrides is None:
        raise UserError.unlocated(command, "name", f"{name!r} is not overridden (nothing ejected)")
    return templates.overrides, _builtin(templates, name).read_bytes()


def show(catalog_dir: Path, name: str) -> str:
    """The context template `name` sees, with example values from rendering this catalog."""
    from generator import concurrency
    from generator.commands.template_context import describe, note
    from generator.pipeline.render import render_all

    catalog = load_catalog(catalog_dir)
    templates = templates_for(catalog)
    _known(templates, name, "templates show", also=templates.override_names)
    if note(name):
        return describe(name, None)
    seen = templates.recording()
    concurrency.set_jobs(1)  # every family here, where the recording is
    try:
        render_all(catalog)
    finally:
        concurrency.set_jobs(None)
        templates.stop_recording()
    return describe(name, seen.get(name))


def _known(
    templates: Templates, name: str, command: str, also: frozenset[str] = frozenset()
) -> None:
    names = sorted({*templates.names(), *also})
    if name not in names:
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else " (see `templates list`)"
        raise UserError.unlocated(command, "name", f"{name!r} is not a template{hint}")


def _builtin(templates: Templates, name: str) -> Path:
    return templates.builtin / name
