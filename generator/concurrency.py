"""The one place that decides how work runs: in this process, or beside it in worker processes.

One switch: `--jobs N` (every command) or `GITOPS_GEN_JOBS`; `1` is one process. The default
uses every core, and only for work large enough to pay for a worker (`minimum`).

Workers come from the standard library's process pool with the `fork` start method: a worker
starts as a copy of this process, so a task is any function over data already loaded (the
catalog, the templates) and only its result travels back, pickled. Where `fork` does not
exist (Windows), or with one job, the tasks run here, in order: the same results, byte for
byte, which is also the path tests and a debugger use.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from generator.errors import UserError

T = TypeVar("T")
ENV_VAR = "GITOPS_GEN_JOBS"

_flag: list[int] = []  # `--jobs`, when the command line gave it
_tasks: Sequence[Callable[[], Any]] = ()  # what forked workers run, by index


def set_jobs(jobs: int | None) -> None:
    """The command line's `--jobs` (None: not given; the variable or the default decides)."""
    _flag.clear()
    if jobs is not None:
        _flag.append(jobs)


def jobs() -> int:
    """How many processes may work at once."""
    if _flag:
        return _flag[0]
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return os.cpu_count() or 1
    if not text.isdigit() or int(text) < 1:
        raise UserError.unlocated(ENV_VAR, "jobs", f"{text!r} is not a positive whole number")
    return int(text)


def can_fork() -> bool:
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


def run(
    tasks: Sequence[Callable[[], T]], *, units: int, minimum: int, here: int | None = 1
) -> list[T]:
    """Every task's result, in order, when there are at least `minimum` units of work
    (services, files) and more than one job; else everything runs here, in order. The
    workers take tasks from the front, each result sent back as soon as it is done (so no
    process holds more than a task's result in transit). `here`: how many of the first
    tasks this process runs (shares known to be equal); None: this process takes tasks from
    the back while the workers take them from the front, until they meet, so every process
    ends about together whatever a task really costs. A task's exception is raised here,
    as if it had run here."""
    workers = min(jobs() - 1, len(tasks) - (here or 0)) if units >= minimum else 0
    if workers < 1 or not can_fork():
        return [task() for task in tasks]
    global _tasks  # noqa: PLW0603 - read by the forked workers, which inherit it
    _tasks = tasks
    first = here or 0
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            try:
                futures = {i: pool.submit(_run_task, i) for i in range(first, len(tasks))}
            except OSError:  # no process to spare (`ulimit -u`, memory): do it all here
                return [task() for task in tasks]
            try:
                mine = {i: tasks[i]() for i in range(first)}
                if here is None:
                    mine.update(_from_the_back(tasks, futures))
                return [mine[i] if i in mine else futures[i].result() for i in range(len(tasks))]
            except BaseException:  # one task failed (or a stop): the tasks not begun are void
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    except BrokenProcessPool:
        raise RuntimeError("a gitops-gen worker process died without a result") from None
    finally:
        _tasks = ()


def _from_the_back(tasks: Sequence[Callable[[], T]], futures: dict[int, Future[T]]) -> dict[int, T]:
    """Run here, last first, every task no worker has taken yet. A pending future can be
    cancelled; the first one that cannot is a worker's, and so is everything before it (the
    pool hands tasks out in order)."""
    done: dict[int, T] = {}
    for index in sorted(futures, reverse=True):
        if not futures[index].cancel():
            break
        done[index] = tasks[index]()
    return done


def _run_task(index: int) -> Any:
    return _tasks[index]()
