"""The rendered tree streamed to disk: each family's files are compared with the output where
the family was rendered (a worker, or this process), so only their names travel back and no
process holds the whole tree's text.

`check` and `render --dry-run` keep the text of a file only when it differs from disk: what
a report shows. A render that writes also stages each new or changed file in one hidden
folder inside the output (`STAGING`, mirroring the tree) and keeps no text at all; nothing
of the output itself changes until every family has rendered and every check has passed.
Then the writer moves the staged files into place (`write.move_staged`); a failed or stopped
render deletes the staging folder, and the next render deletes one a killed run left.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import OutputError
from generator.output.plan import Streamed, compare
from generator.output.write import make_folder
from generator.parts.result import FamilyResult, path_order

STAGING = ".gitops-gen-staging"  # hidden, inside the output folder: same file system


@dataclass
class Compared:
    """One family's files (or, merged, the whole tree's) against the output on disk."""

    paths: list[str] = field(default_factory=list)  # every file it renders
    create: list[str] = field(default_factory=list)
    current: dict[str, str] = field(default_factory=dict)  # a changed file -> its text on disk
    same: int = 0
    texts: dict[str, str] = field(default_factory=dict)  # new text of each created or changed
    # file, unless it was staged


class Comparer:
    """The pipeline's sink for the output tree (`render_all(catalog, sink=...)`)."""

    def __init__(self, root: Path, listed: Collection[str], staging: Path | None) -> None:
        self.base = os.fspath(root)
        self.listed = listed  # the files the last render wrote (a set or dict): read directly
        self.staging = os.fspath(staging) if staging is not None else None

    def __call__(self, result: FamilyResult) -> Compared:
        tree = result.files
        create, current, same = compare(self.base, tree, self.listed)
        changed = [*create, *current]
        if self.staging is None:
            return Compared(list(tree), create, current, same, {p: tree[p] for p in changed})
        made: set[str] = {self.staging}
        for path in changed:
            parent, _, name = path.rpartition("/")
            folder = f"{self.staging}/{parent}" if parent else self.staging
            if folder not in made:
                make_folder(folder, made)
            _stage(f"{folder}/{name}", tree[path], f"{self.base}/{path}")
        return Compared(list(tree), create, current, same)


def merged(parts: Iterable[Compared], staged: Path | None, known: Mapping[str, str]) -> Streamed:
    """The families' comparisons as one tree's, in path order. Two families must never write
    the same file: that would silently drop one. `known`: the last render's files, each
    mapped to itself; a path found there is kept as that one string (a large tree's names
    are held once, not twice)."""
    whole = Compared()
    seen: set[str] = set()
    for part in parts:
        paths = [known.get(path, path) for path in part.paths]
        clash = seen.intersection(paths)
        if clash:
            raise RuntimeError(f"two output families render {sorted(clash)[:3]}")
        seen.update(paths)
        whole.paths += paths
        whole.create += part.create
        whole.current.update(part.current)
        whole.same += part.same
        whole.texts.update(part.texts)
    whole.paths.sort(key=path_order)
    if len(whole.create) == len(whole.paths):  # every file new (a first render): the same
        whole.create = list(whole.paths)
    else:
        whole.create.sort(key=path_order)
    current = dict(sorted(whole.current.items(), key=lambda item: path_order(item[0])))
    return Streamed(whole.paths, whole.create, current, whole.same, whole.texts, staged)


def begin(out: Path) -> Path:
    """A fresh, empty staging folder (one a killed run left is deleted first)."""
    staging = out / STAGING
    discard(staging)
    staging.mkdir()
    return staging


def discard(staging: Path | None) -> None:
    """Delete the staging folder and what is left in it (nothing, once moved into place)."""
    if staging is None or not os.path.lexists(staging):
        return
    if staging.is_symlink() or not staging.is_dir():  # not ours to follow: remove the entry
        staging.unlink()
        return
    shutil.rmtree(staging)


def _stage(full: str, text: str, shown: str) -> None:
    """An error names the output file the staged one stands for (`shown`)."""
    try:
        _write_new(full, text)
    except FileExistsError:
        raise RuntimeError(f"two output families render {shown}") from None
    except OSError as exc:  # a full disk: the staging folder goes, the output is as it was
        msg = f"{exc.strerror or exc}; nothing in the output was changed"
        raise OutputError.single(shown, "output", msg) from None


def _write_new(full: str, text: str) -> None:
    """A staged file: created here (the folder is this run's own), never through a link."""
    data = text.encode("utf-8", errors="surrogateescape")
    fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
