"""Apply a plan: atomic write-if-changed, prune only generated files, never leave the root.

Writes go to a hidden temp file in the same folder, then `os.replace`: a reader (or a
killed run) sees the old file or the new one, never half of one. The manifest is written
first as the union of old and new files, so a run killed midway still knows everything
it may have to clean up next time.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.errors import OutputError
from generator.plan import MANIFEST, Plan, RootPlan, read_manifest, read_manifest_state

TMP_SUFFIX = ".gitops-gen-tmp"


@dataclass(frozen=True)
class Summary:
    written: int
    unchanged: int
    removed: int

    def __str__(self) -> str:
        return f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed"


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Serialize runs on one output folder (a lock on the folder itself: no stray file)."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError.single(
                str(root), "output", "another gitops-gen run is writing this folder; try again"
            ) from None
        yield
    finally:
        os.close(fd)


def ensure_safe_root(root: Path) -> None:
    if root.is_symlink():
        raise OutputError.single(
            str(root), "output", "output folder is a symlink; refusing to follow it"
        )
    if root.exists() and not root.is_dir():
        raise OutputError.single(str(root), "output", "output path exists and is not a folder")


def apply(plan: Plan, out_root: str) -> Summary:
    """Check every folder and file the plan touches first; only then write anything."""
    for root_plan in plan.roots.values():
        ensure_safe_root(root_plan.root)
    out = plan.roots[out_root]
    with locked(out.root):
        folders = {name: _checked_folders(rp) for name, rp in plan.roots.items()}
        listed, interrupted = read_manifest_state(out.root)
        for name, root_plan in plan.roots.items():
            if interrupted:  # the union manifest lists every file a killed run could have begun
                paths = {*listed.get(name, ()), *map(str, root_plan.desired)}
                _remove_leftovers(root_plan, paths)
        _remove_leftovers(out, {MANIFEST.name})  # killed while writing the manifest itself
        if plan.changed:
            _write_union_manifest(out)
        written = removed = 0
        for name in sorted(plan.roots, key=lambda n: n == out_root):  # out root (manifest) last
            w, r = _apply_root(plan.roots[name], folders[name], final_manifest=plan.changed)
            written, removed = written + w, removed + r
        unchanged = sum(r.same for r in plan.roots.values())
    return Summary(written - _manifest_only(plan, out_root), unchanged, removed)


def _manifest_only(plan: Plan, out_root: str) -> int:
    out = plan.roots[out_root]
    return int(MANIFEST in out.create or MANIFEST in out.update)


def _write_union_manifest(out: RootPlan) -> None:
    """Before touching anything: list old and new files, so a killed run can be cleaned up."""
    old = read_manifest(out.root)
    new = json.loads(out.desired[MANIFEST])["files"]
    union = {k: sorted(set(old.get(k, [])) | set(new.get(k, []))) for k in sorted({*old, *new})}
    doc = {"generator": "gitops-gen", "complete": False, "files": union}
    text = json.dumps(doc, indent=1) + "\n"
    out.root.mkdir(parents=True, exist_ok=True)
    _write_file(os.fspath(out.root), MANIFEST.name, text)


def _remove_leftovers(plan: RootPlan, paths: set[str]) -> None:
    """Temp files a killed run left beside any file this tool writes (never through a link)."""
    base = os.fspath(plan.root)
    safe: dict[str, bool] = {"": os.path.isdir(base)}
    for rel in paths:
        parent, _, name = rel.rpartition("/")
        if _safe_folder(base, parent, safe):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(
                    f"{base}/{parent}/.{name}{TMP_SUFFIX}"
                    if parent
                    else f"{base}/.{name}{TMP_SUFFIX}"
                )


def _safe_folder(base: str, parent: str, safe: dict[str, bool]) -> bool:
    """An existing real folder, no symlink on the way (memoized per prefix)."""
    if parent in safe:
        return safe[parent]
    up = parent.rpartition("/")[0]
    full = f"{base}/{parent}"
    ok = _safe_folder(base, up, safe) and not os.path.islink(full) and os.path.isdir(full)
    safe[parent] = ok
    return ok


def _checked_folders(plan: RootPlan) -> dict[str, str]:
    """Every folder a write or delete goes through (relative -> full path), refusing symlinks.

    A symlinked folder or file inside the root could point outside it: refuse the whole run
    before the first write, so a refusal never leaves a half-applied tree. Plain strings,
    not pathlib: this runs once per file of a 15,000-file tree.
    """
    base = os.fspath(plan.root)
    out: dict[str, str] = {"": base}
    existing = {*plan.update, *plan.delete}
    for path in (*plan.create, *existing):
        parent = str(path).rpartition("/")[0]
        if parent not in out:
            prefix = ""
            for part in parent.split("/"):
                prefix = f"{prefix}/{part}" if prefix else part
                if prefix in out:
                    continue
                full = f"{base}/{prefix}"
                if os.path.islink(full):
                    msg = "a symlink inside the output folder; refusing to follow it"
                    raise OutputError.single(full, "output", msg)
                out[prefix] = full
        if path in existing and os.path.islink(f"{base}/{path}"):
            msg = "generated file is a symlink; refusing to follow it"
            raise OutputError.single(f"{base}/{path}", "output", msg)
    return out


def _apply_root(
    plan: RootPlan, folders: dict[str, str], *, final_manifest: bool
) -> tuple[int, int]:
    """`final_manifest`: the union manifest was written, so the final one must replace it."""
    made: set[str] = set()
    later = [MANIFEST] if MANIFEST in plan.desired else []
    for path in [*plan.create, *plan.update]:
        if path.parts == MANIFEST.parts:
            continue
        parent, _, name = str(path).rpartition("/")
        folder = folders[parent]
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        _write_file(folder, name, plan.desired[path])
    for path in plan.delete:
        parent, _, name = str(path).rpartition("/")
        _delete(plan.root, folders[parent], name)
    for path in later:  # the manifest last: what this run leaves is exactly what it lists
        if final_manifest:
            _write_file(folders[""], path.name, plan.desired[path])
    return len(plan.create) + len(plan.update), len(plan.delete)


def _write_file(folder: str, name: str, text: str) -> None:
    """Write to a hidden temp file beside the target, then rename: old file or new, never half."""
    tmp = f"{folder}/.{name}{TMP_SUFFIX}"
    data = text.encode("utf-8", errors="surrogateescape")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(tmp, f"{folder}/{name}")  # replaces a file, never follows a link at the target


def _delete(root: Path, folder: str, name: str) -> None:
    target = Path(folder) / name
    if target.is_symlink() or not target.is_file():
        return
    target.unlink()
    # remove folders this left empty, never the root itself
    current = target.parent
    while current != root and not any(current.iterdir()):
        current.rmdir()
        current = current.parent
