"""Which drift a template change causes: blamed on the template file, not on the catalog.

Every generated file names the catalog file it comes from in its header; when an override
changed, that header would send a reviewer to `services/payment-service.yaml`. The record
the last render wrote (`families.template_record`) holds a digest per file of the templates
folder; a file whose digest differs now (or that is new, or gone) changed since. Which
outputs it shapes is found by rendering once more with that one file touched (a newline
appended: every output it contributes to changes, and nothing else does), or, for a file new
since the last render, without it (a new file also changes the folder's `resources`); each
drifted file that this changes is blamed on it. A probe that cannot render (a partial
included mid-line) blames nothing: the drift then keeps its catalog cause.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

from generator.catalog.load import Catalog, load_catalog
from generator.errors import UserError
from generator.families.template_record import RECORD, digests
from generator.output.plan import Plan
from generator.pipeline.render import OUT, render_all
from generator.templating.builtin import builtin_names, templates_dir

Key = tuple[str, str]  # (output root, path in it)


def changed_templates(plan: Plan) -> list[tuple[str, bool]]:
    """(name, new since the last render?) of each templates-folder file whose digest differs
    from the last render's record."""
    out = plan.roots.get(OUT)
    if out is None or RECORD not in {*out.create, *out.update, *out.delete}:
        return []
    old = digests(out.current.get(RECORD))
    new = digests(out.texts([RECORD]).get(RECORD))
    changed = (name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    return sorted((name, name not in old) for name in changed)


def template_causes(catalog_dir: Path, plan: Plan) -> dict[Key, str]:
    """(root, path) of each missing or changed file a changed template shapes -> that
    template as a message shows it (`templates/eso/externalsecret.yaml.j2`)."""
    names = changed_templates(plan)
    if not names:
        return {}
    catalog = load_catalog(catalog_dir)
    folder = catalog.templates
    assert folder is not None  # a record exists only where the folder has files
    drifted = {
        (root, path): text
        for root, root_plan in plan.roots.items()
        for path, text in root_plan.texts([*root_plan.create, *root_plan.update]).items()
    }
    causes: dict[Key, str] = {}
    for name, new in names:
        shaped = (new and _shaped(catalog, folder, name, drifted, remove=True)) or _shaped(
            catalog, folder, name, drifted, remove=False
        )
        for key in shaped:
            causes.setdefault(key, f"{folder.as_posix()}/{name}")
    return causes


def _shaped(
    catalog: Catalog, folder: Path, name: str, drifted: dict[Key, str], *, remove: bool
) -> set[Key]:
    """The drifted files that change when `name` is touched (or removed)."""
    with tempfile.TemporaryDirectory(prefix="gitops-gen-blame-") as tmp:
        probe = Path(tmp) / "templates"
        if folder.is_dir():
            shutil.copytree(folder, probe, symlinks=True)
        target = probe / name
        if remove:
            target.unlink()
        elif target.is_file():
            target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        elif name in builtin_names():  # an override removed since: the built-in is back
            target.parent.mkdir(parents=True, exist_ok=True)
            text = (templates_dir() / name).read_text(encoding="utf-8")
            target.write_text(text + "\n", encoding="utf-8")
        else:
            return set()  # an added file removed since: its outputs are gone (extra)
        try:
            trees = render_all(dataclasses.replace(catalog, templates=probe)).trees
        except UserError:
            return set()
    return {key for key, text in drifted.items() if trees[key[0]].get(key[1]) != text}
