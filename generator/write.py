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
from pathlib import Path, PurePosixPath

from generator.errors import OutputError
from generator.plan import MANIFEST, Plan, RootPlan, read_manifest

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
    written = unchanged = removed = 0
    for root_plan in plan.roots.values():
        ensure_safe_root(root_plan.root)
    out = plan.roots[out_root]
    with locked(out.root):
        if plan.changed:
            _write_union_manifest(out)
        for name, root_plan in plan.roots.items():
            if name == out_root:
                continue
            w, r = _apply_root(root_plan)
            written, removed = written + w, removed + r
        w, r = _apply_root(out)
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
    text = json.dumps({"generator": "gitops-gen", "files": union}, indent=1) + "\n"
    _atomic_write(out.root, MANIFEST, text, set())


def _apply_root(plan: RootPlan) -> tuple[int, int]:
    checked: set[Path] = set()
    if plan.create:
        plan.root.mkdir(parents=True, exist_ok=True)
    later = [MANIFEST] if MANIFEST in (*plan.create, *plan.update) else []
    for path in [*plan.create, *plan.update]:
        if path not in later:
            _atomic_write(plan.root, path, plan.desired[path], checked)
    for path in plan.delete:
        _delete(plan.root, path, checked)
    for path in later:
        _atomic_write(plan.root, path, plan.desired[path], checked)
    return len(plan.create) + len(plan.update), len(plan.delete)


def _safe_dir(
    root: Path, rel_dir: PurePosixPath, checked: set[Path], *, create: bool = True
) -> Path:
    """rel_dir under root, refusing any symlink on the way (it could point outside)."""
    current = root
    for part in rel_dir.parts:
        current = current / part
        if current in checked:
            continue
        if current.is_symlink():
            msg = "a symlink inside the output folder; refusing to follow it"
            raise OutputError.single(str(current), "output", msg)
        if create:
            current.mkdir(exist_ok=True)
        checked.add(current)
    return current


def _atomic_write(root: Path, path: PurePosixPath, text: str, checked: set[Path]) -> None:
    folder = _safe_dir(root, path.parent, checked)
    target = folder / path.name
    if target.is_symlink():
        raise OutputError.single(
            str(target), "output", "generated file is a symlink; refusing to follow it"
        )
    tmp = folder / f".{path.name}{TMP_SUFFIX}"
    data = text.encode("utf-8", errors="surrogateescape")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    tmp.replace(target)


def _delete(root: Path, path: PurePosixPath, checked: set[Path]) -> None:
    folder = _safe_dir(root, path.parent, checked, create=False)
    target = folder / path.name
    if target.is_symlink() or not target.is_file():
        return
    target.unlink()
    # remove folders this left empty, never the root itself
    current = folder
    while current != root and not any(current.iterdir()):
        current.rmdir()
        current = current.parent
