"""Guards around writing one output folder: never through a symlinked
root or a link or file in the way inside it, and no silent emptying by a catalog without
services."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from generator.errors import OutputError
from generator.output.lock import LOCK_FILE
from generator.output.plan import Plan, RootPlan


def ensure_safe_root(root: Path) -> None:
    """The output folder and, for a relative one, every folder on the way to it from the
    working folder (`.github` on the way to `.github/workflows`) must not be a link: what a
    link points at is outside what the tool may touch."""
    on_the_way = [root, *root.parents[:-1]] if not root.is_absolute() else [root]
    for folder in on_the_way:
        if folder.is_symlink():
            msg = "a symlink on the way to the output folder; refusing to follow it"
            if folder == root:
                msg = "output folder is a symlink; refusing to follow it"
            raise OutputError.single(str(folder), "output", msg)
    if root.exists() and not root.is_dir():
        raise OutputError.single(str(root), "output", "output path exists and is not a folder")


def ensure_apart(folder: Path, sources: dict[str, Path]) -> None:
    """An output folder (whatever a flag names) must not hold what the output comes from:
    its manifest, which is in git and which any change may edit, names the files a render
    deletes there, so the catalog or the templates inside it could be deleted by a render."""
    where = folder.resolve()
    for name, source in sources.items():
        if source.resolve().is_relative_to(where):
            msg = (
                f"the output folder holds the {name} ({source.as_posix()}); a render deletes "
                "the files its manifest lists: give the output a folder of its own"
            )
            raise OutputError.single(str(folder), "output", msg)


ALLOW_EMPTY_FLAG = "--allow-empty"


def refuse_emptying(plan: Plan) -> None:
    """A catalog without services that would delete output is far more often a broken
    checkout, a wrong `--catalog` or a bad glob than a decision: ask for the flag."""
    if plan.services != 0:
        return
    removed = sum(len(r.delete) for r in plan.roots.values())
    if removed:
        msg = (
            f"the catalog has no services: this render would remove every service's output "
            f"({removed} generated files); if that is intended, run again with {ALLOW_EMPTY_FLAG}"
        )
        raise OutputError.single(plan.services_dir, "services", msg)


def checked_folders(plan: RootPlan) -> dict[str, str]:
    """Every folder a write or delete goes through (relative -> full path), checked.

    A symlinked folder inside the root could point outside it, and a plain file where a
    folder must go would stop the run halfway: refuse either before the first write, so a
    refusal never leaves a half-applied tree. A link where a generated file goes is replaced
    (the write renames over the entry itself, never through it). Plain strings, not pathlib:
    this runs once per file of the tree, and not at all below a folder that does not exist.
    """
    base = os.fspath(plan.root)
    out: dict[str, str] = {"": base}
    absent: set[str] = set()
    existing = {*plan.update, *plan.delete}
    # a first render: nothing in there to check but this run's own (its staging folder,
    # where there is no fcntl its lock file)
    own = {LOCK_FILE, *([plan.staged.name] if plan.staged is not None else [])}
    if not existing and not set(_entries(base)) - own:
        return _FreshFolders(base)
    for path in (*plan.create, *existing):
        parent = path.rpartition("/")[0]
        if parent not in out:
            prefix = up = ""
            for part in parent.split("/"):
                up, prefix = prefix, f"{prefix}/{part}" if prefix else part
                if prefix in out:
                    continue
                full = out[prefix] = f"{base}/{prefix}"
                mode = None if up in absent else _mode(full)
                if mode is None:
                    absent.add(prefix)
                elif stat.S_ISLNK(mode):
                    msg = "a symlink inside the output folder; refusing to follow it"
                    raise OutputError.single(full, "output", msg)
                elif not stat.S_ISDIR(mode):
                    msg = "a file stands where a generated folder goes"
                    raise OutputError.single(full, "output", msg)
    return out


class _FreshFolders(dict[str, str]):
    """Folder -> full path inside an empty root, made on first use."""

    def __init__(self, base: str) -> None:
        super().__init__({"": base})
        self.base = base

    def __missing__(self, folder: str) -> str:
        full = self[folder] = f"{self.base}/{folder}"
        return full


def _entries(base: str) -> list[str]:
    try:
        return os.listdir(base)
    except FileNotFoundError:
        return []


def _mode(full: str) -> int | None:
    """The entry's own mode (links not followed), or None when nothing is there."""
    try:
        return os.lstat(full).st_mode
    except FileNotFoundError:
        return None
