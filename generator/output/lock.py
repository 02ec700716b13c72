"""One run at a time per output folder, on every platform.

Where `fcntl` exists the lock is `flock` on the folder itself: no file to leave behind, and
the kernel lets go when the process dies, however it dies. On Windows it is `msvcrt.locking`
on a lock file inside the folder (also let go when the process dies). With neither, the lock
file is created exclusively and holds the owner's pid; one whose owner is gone (a killed
run) is taken over.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from generator.errors import OutputError

fcntl: ModuleType | None
msvcrt: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:  # everywhere but Windows
    msvcrt = None

LOCK_WAIT = 2.0  # seconds: a run that is just finishing lets go
LOCK_FILE = ".gitops-gen-lock"  # only where fcntl is missing (hidden: never stray)
BUSY = "another gitops-gen run is writing this folder; try again"


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the folder's lock (made first when missing) for the block's duration."""
    root.mkdir(parents=True, exist_ok=True)
    if fcntl is not None:
        lock = _flocked(root)
    elif msvcrt is not None:
        lock = _msvcrt_locked(root)
    else:
        lock = _lock_file(root)
    with lock:
        yield


@contextlib.contextmanager
def _flocked(root: Path) -> Iterator[None]:
    assert fcntl is not None
    fd = os.open(root, os.O_RDONLY)
    try:
        _retry(root, lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB))
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _msvcrt_locked(root: Path) -> Iterator[None]:
    assert msvcrt is not None
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)

    def take() -> None:
        assert msvcrt is not None
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:  # held by another process
            raise BlockingIOError from None

    try:
        _retry(root, take)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def _lock_file(root: Path) -> Iterator[None]:
    path = root / LOCK_FILE

    def take() -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if _owner_alive(path):
                raise BlockingIOError from None
            path.unlink(missing_ok=True)  # a killed run's: take it over on the next try
            raise BlockingIOError from None
        with os.fdopen(fd, "w") as file:
            file.write(str(os.getpid()))

    _retry(root, take)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _retry(root: Path, take: Callable[[], object]) -> None:
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            take()
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise OutputError.single(str(root), "output", BUSY) from None
            time.sleep(0.02)


def _owner_alive(path: Path) -> bool:
    try:
        pid = int(path.read_text(encoding="ascii").strip() or "0")
    except (OSError, ValueError):
        return True  # being written right now: wait for it
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
