"""Apply a plan: atomic write-if-changed, prune only generated files, never leave the root.

Writes go to a hidden temp file in the same folder, then `os.replace`: a reader (or a
killed run) sees the old file or the new one, never half of one. The manifest is written
first as the union of old and new files, so a run killed midway still knows everything
it may have to clean up next time.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import OutputError
from generator.output import interrupts
from generator.output.guard import checked_folders, ensure_safe_root, refuse_emptying
from generator.output.lock import locked
from generator.output.manifest import MANIFEST, manifest_stamp
from generator.output.plan import Plan, RootPlan, replan, safe_relative
from generator.text.jsonout import dumps_indented

TMP_SUFFIX = ".gitops-gen-tmp"


@dataclass(frozen=True)
class Summary:
    written: int
    unchanged: int
    removed: int

    def __str__(self) -> str:
        return f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed"


def apply(plan: Plan, out_root: str, *, allow_empty: bool = False, held: bool = False) -> Summary:
    """Check every folder and file the plan touches first; only then write anything. A file
    system refusal (no space, no permission) is the user's to fix: exit 2, naming the file.
    `held`: this process holds the output's lock since the plan was made (a staged render)."""
    if not allow_empty:
        refuse_emptying(plan)
    try:
        if held:
            with interrupts.held():
                return _apply_held(plan, out_root)
        for root_plan in plan.roots.values():
            ensure_safe_root(root_plan.root)
        with locked(plan.roots[out_root].root):
            if manifest_stamp(plan.roots[out_root].root) != plan.stamp:  # another run wrote
                plan = replan(plan, out_root)  # after this plan was made
            with interrupts.held():
                return _apply_held(plan, out_root)
    except (FileExistsError, NotADirectoryError) as exc:  # from makedirs or open
        where = os.fspath(exc.filename or plan.roots[out_root].root)
        msg = "a file stands where a generated folder goes"
        raise OutputError.single(where, "output", msg) from None
    except OSError as exc:
        where = os.fspath(exc.filename or plan.roots[out_root].root)
        what = exc.strerror or str(exc)
        msg = (
            f"{what}; the output is incomplete (the manifest lists every file this run may "
            "have begun): fix that, then run `gitops-gen render` again to complete it"
        )
        raise OutputError.single(where, "output", msg) from None


def _apply_held(plan: Plan, out_root: str) -> Summary:
    """The writes, with the output's lock held."""
    out = plan.roots[out_root]
    folders = {name: checked_folders(rp) for name, rp in plan.roots.items()}
    for name, root_plan in plan.roots.items():
        if plan.interrupted:  # the union manifest lists every file a killed run could have begun
            paths = {*plan.listed.get(name, ()), *root_plan.paths()}
            _remove_leftovers(root_plan, paths)
    _remove_leftovers(out, {MANIFEST})  # killed while writing the manifest itself
    if plan.changed:
        _write_union_manifest(out, plan.listed)
    jobs = [job for n, rp in plan.roots.items() for job in _writes(rp, folders[n])]
    write_many(jobs)
    for root_plan in plan.roots.values():
        if root_plan.staged is not None:
            move_staged(root_plan.staged, root_plan.root)
    removed = 0
    for name in sorted(plan.roots, key=lambda n: n == out_root):  # out root (manifest) last
        removed += _finish_root(plan.roots[name], folders[name], final_manifest=plan.changed)
    written = sum(len(r.create) + len(r.update) for r in plan.roots.values())
    unchanged = sum(r.same for r in plan.roots.values())
    return Summary(written - _manifest_only(plan, out_root), unchanged, removed)


def move_staged(staged: Path, root: Path) -> None:
    """Each staged file into its place in `root` (`os.replace`: the entry itself, never
    through a link); a staged folder whose place is free moves whole, one rename for all a
    new service's files. The folders on the way were checked (`checked_folders`)."""
    source, target = os.fspath(staged), os.fspath(root)
    with os.scandir(source) as entries:
        found = sorted((entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries)
    for name, is_folder in found:
        if is_folder and os.path.isdir(f"{target}/{name}"):
            move_staged(staged / name, root / name)
        else:
            _move(f"{source}/{name}", f"{target}/{name}")
            interrupts.safe_point()


def _move(source: str, target: str) -> None:
    os.replace(source, target)


def _manifest_only(plan: Plan, out_root: str) -> int:
    out = plan.roots[out_root]
    return int(MANIFEST in out.create or MANIFEST in out.update)


def _write_union_manifest(out: RootPlan, old: dict[str, list[str]]) -> None:
    """Before touching anything: list old and new files, so a killed run can be cleaned up."""
    out.root.mkdir(parents=True, exist_ok=True)
    _write_file(os.fspath(out.root), MANIFEST, union_manifest(old, out.desired[MANIFEST]))


INCOMPLETE = '\n "complete": false,'  # after the first key of the manifest (indent 1)


def union_manifest(old: dict[str, list[str]], final: str) -> str:
    """The final manifest's listing joined with the old one, marked incomplete. When no old
    file is dropped (a first render, most renders) it is the final text plus the mark."""
    new = json.loads(final)["files"] if old else {}
    if all(root in new and set(files) <= set(new[root]) for root, files in old.items()):
        head, comma, rest = final.partition(",")
        return head + comma + INCOMPLETE + rest
    union = {k: sorted(set(old.get(k, [])) | set(new.get(k, []))) for k in sorted({*old, *new})}
    doc: dict[str, object] = {"generator": "gitops-gen", "complete": False}
    if "version" in (final_doc := json.loads(final)):
        doc["version"] = final_doc["version"]
    doc["files"] = union
    return dumps_indented(doc, indent=1) + "\n"


def _remove_leftovers(plan: RootPlan, paths: set[str]) -> None:
    """Temp files a killed run left beside any file this tool writes (never through a link)."""
    base = os.fspath(plan.root)
    safe: dict[str, bool] = {"": os.path.isdir(base)}
    for rel in paths:
        parent, _, name = rel.rpartition("/")
        if safe_relative(rel) and _safe_folder(base, parent, safe):
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


Write = tuple[str, str, str]  # (folder, file name, text)


def _writes(plan: RootPlan, folders: dict[str, str]) -> list[Write]:
    """Every create and update of one root kept here, except the manifest (written last)."""
    jobs = []
    for path in (*plan.create, *plan.update):
        if path != MANIFEST and path in plan.desired:
            parent, _, name = path.rpartition("/")
            jobs.append((folders[parent], name, plan.desired[path]))
    return jobs


def write_many(jobs: list[Write]) -> None:
    made: set[str] = set()
    for folder, name, text in jobs:
        if folder not in made:
            make_folder(folder, made)
        _write_file(folder, name, text)
        interrupts.safe_point()


def make_folder(folder: str, made: set[str]) -> None:
    """`os.makedirs(folder, exist_ok=True)`, with one `mkdir` when the parent was made or
    seen already (most folders: 30,000 makedirs walks were a tenth of a cold write).
    Exists-errors are fine: the other writer may make it too."""
    up = folder.rpartition("/")[0]
    if up in made:
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder)
    else:
        os.makedirs(folder, exist_ok=True)
        while up and up not in made:  # every folder above exists now
            made.add(up)
            up = up.rpartition("/")[0]
    made.add(folder)


def _finish_root(plan: RootPlan, folders: dict[str, str], *, final_manifest: bool) -> int:
    """After the writes: delete what is no longer rendered, then the manifest last, so what
    this run leaves is exactly what it lists. `final_manifest`: the union manifest was
    written, so the final one must replace it."""
    for path in plan.delete:
        parent, _, name = path.rpartition("/")
        _delete(plan.root, folders[parent], name)
        interrupts.safe_point()
    for path in plan.gone:
        _prune(plan.root, (plan.root / path).parent)
    if MANIFEST in plan.desired and final_manifest:
        _write_file(folders[""], MANIFEST, plan.desired[MANIFEST])
    return len(plan.delete)


def _write_file(folder: str, name: str, text: str) -> None:
    """Write to a hidden temp file beside the target, then rename: old file or new, never half."""
    tmp = f"{folder}/.{name}{TMP_SUFFIX}"
    try:
        write_bytes(tmp, text.encode("utf-8", errors="surrogateescape"))
        os.replace(tmp, f"{folder}/{name}")  # replaces the entry itself, never through a link
    except OSError:
        with contextlib.suppress(OSError):  # a full disk: leave no temp file behind
            os.unlink(tmp)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes, *, exclusive: bool = False) -> None:
    """Every byte of `data` into the file `path`, never through a link: created or truncated;
    `exclusive`: refused (FileExistsError) when anything is there already."""
    how = os.O_EXCL if exclusive else os.O_TRUNC
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | how | _NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # missing on Windows, which has no such links


def _delete(root: Path, folder: str, name: str) -> None:
    target = Path(folder) / name
    if not target.is_symlink() and not target.is_file():
        return
    target.unlink()  # a link itself, never what it points at
    _prune(root, target.parent)


def _prune(root: Path, folder: Path) -> None:
    """Remove `folder` and the folders above it that are left empty, never the root itself
    (nor a link: `rmdir` refuses one)."""
    current = folder
    while current != root and current.is_dir() and not current.is_symlink():
        if any(current.iterdir()):
            return
        current.rmdir()
        current = current.parent
