"""Run one pure function in a forked child while the parent works: the render's 2-core split.

The child inherits the loaded catalog (copy-on-write), computes its part of the tree and
pickles it back through a pipe. Used only for large catalogs, where it measurably wins
(`make bench`); `GITOPS_GEN_JOBS=1` turns it off.
"""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
MIN_SERVICES = 200


def worth_it(services: int) -> bool:
    jobs = os.environ.get("GITOPS_GEN_JOBS", "")
    if jobs == "1" or not hasattr(os, "fork"):
        return False
    return jobs == "2" or (services >= MIN_SERVICES and (os.cpu_count() or 1) > 1)


def start(fn: Callable[[], T]) -> Callable[[], T]:
    """Start `fn` in a child now; the returned function waits for and returns its result."""
    read_fd, write_fd = os.pipe()
    gc.freeze()  # the child's collector leaves the shared heap alone: fewer copied pages
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's cleanup
        os.close(read_fd)
        try:
            payload = pickle.dumps((True, fn()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # report any failure to the parent as text
            payload = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_fd)
    gc.unfreeze()

    def result() -> T:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        ok, value = pickle.loads(data)  # noqa: S301 - our own child's bytes
        if not ok:
            raise RuntimeError(f"render worker failed: {value}")
        return value  # type: ignore[no-any-return]

    return result
