"""Guards around writing one output folder: one run at a time, never through a symlinked
root, and no silent emptying by a catalog without services."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from generator.errors import OutputError
from generator.plan import Plan

LOCK_WAIT = 2.0  # seconds: a run that is just finishing (or its writer stopping) lets go


@contextlib.contextmanager
def locked(root: Path) -> Iterator[int]:
    """Serialize runs on one output folder (a lock on the folder itself: no stray file).
    Yields the locked descriptor: a process it is passed to holds the lock too."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root, os.O_RDONLY)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    msg = "another gitops-gen run is writing this folder; try again"
                    raise OutputError.single(str(root), "output", msg) from None
                time.sleep(0.02)
        yield fd
    finally:
        os.close(fd)


def ensure_safe_root(root: Path) -> None:
    if root.is_symlink():
        raise OutputError.single(
            str(root), "output", "output folder is a symlink; refusing to follow it"
        )
    if root.exists() and not root.is_dir():
        raise OutputError.single(str(root), "output", "output path exists and is not a folder")


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
