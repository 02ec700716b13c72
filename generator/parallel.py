"""Run one function in a forked child while the parent works: the 2-core split of the render
and of the writes.

The child inherits the parent's memory (copy-on-write), so nothing is sent to it; it pickles
its result (or its exception) back through a pipe. Used only for large catalogs, where it
measurably wins (`make bench`); `GITOPS_GEN_JOBS=1` turns it off, `=2` forces it.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import pickle
from collections.abc import Callable
from typing import BinaryIO, TypeVar

T = TypeVar("T")


def worth_it(units: int, minimum: int) -> bool:
    """Fork only for at least `minimum` units of work: below that it costs more than it wins."""
    jobs = os.environ.get("GITOPS_GEN_JOBS", "")
    if jobs == "1" or not hasattr(os, "fork"):
        return False
    return jobs == "2" or (units >= minimum and (os.cpu_count() or 1) > 1)


def parent_gone(parent: int) -> bool:
    """For a child's long loop: stop when the parent was killed (the child is reparented)."""
    return os.getppid() != parent


def start(fn: Callable[[int], T]) -> Callable[[], T]:
    """Start `fn(parent_pid)` in a child now; the returned function waits for its result and
    returns it, or raises the child's exception in the parent."""
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    _widen(write_fd)
    gc.freeze()  # the child's collector leaves the shared heap alone: fewer copied pages
    pid = os.fork()
    if pid == 0:  # the child: whatever happens, it never returns into the parent's code
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                _send(fn, parent, pipe)
        finally:
            os._exit(0)
    os.close(write_fd)
    gc.unfreeze()

    def result() -> T:
        try:
            with os.fdopen(read_fd, "rb") as pipe:  # streamed: never the whole bytes at once
                ok, value = pickle.load(pipe)  # noqa: S301 - our own child's bytes
        except (EOFError, pickle.UnpicklingError):  # cut short: the worker was killed
            raise RuntimeError("a gitops-gen worker process died without a result") from None
        finally:
            os.waitpid(pid, 0)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    return result


def start_serving(
    serve: Callable[[BinaryIO, BinaryIO], None],
) -> tuple[int, BinaryIO, BinaryIO]:
    """Fork a child running `serve(to_parent, from_parent)` for as long as it likes (it ends
    at EOF on `from_parent`); return its pid, the stream to it and the stream from it."""
    down_read, down_write = os.pipe()  # parent -> child
    up_read, up_write = os.pipe()  # child -> parent
    _widen(up_write)
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(down_write)
            os.close(up_read)
            with os.fdopen(up_write, "wb") as to_parent, os.fdopen(down_read, "rb") as commands:
                serve(to_parent, commands)
        finally:
            os._exit(0)
    os.close(down_read)
    os.close(up_write)
    gc.unfreeze()
    return pid, os.fdopen(down_write, "wb"), os.fdopen(up_read, "rb")


PIPE_BYTES = 1 << 20  # measured: 13.5 MB of results pass in 0.018 s, not 0.028 s with 64 KiB


def _widen(fd: int) -> None:
    """A larger pipe buffer (Linux): fewer switches between the writer and the reader."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setpipe is not None:
        with contextlib.suppress(OSError):  # above the system's limit: keep the default
            fcntl.fcntl(fd, setpipe, PIPE_BYTES)


def _send(fn: Callable[[int], T], parent: int, pipe: BinaryIO) -> None:
    """Stream the result into the pipe (never its whole pickle in memory at once: at 10,000
    services that was the run's peak RSS). A result that fails to pickle midway leaves a cut
    stream, which the parent reports as a worker without a result."""
    try:
        value = fn(parent)
    except BaseException as exc:
        send_exception(exc, pipe)
        return
    pickle.dump((True, value), pipe, protocol=pickle.HIGHEST_PROTOCOL)


def send_exception(exc: BaseException, pipe: BinaryIO) -> None:
    """The parent re-raises it: same exit code, same message."""
    try:
        payload = pickle.dumps((False, exc))
    except Exception:  # an exception that cannot be pickled: keep its text
        payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    pipe.write(payload)
    pipe.flush()
