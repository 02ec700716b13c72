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
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from generator.errors import UserError

T = TypeVar("T")
ENV_VAR = "GITOPS_GEN_JOBS"

_flag: list[int] = []  # `--jobs`, when the command line gave it
_tasks: Sequence[Callable[[], Any]] = ()  # what forked workers run, by index
_ends: Any = None  # shared with the workers: [the first task not begun, the end of the rest]


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
    tasks: Sequence[Callable[[], T]],
    *,
    units: int,
    minimum: int,
    here: int | None = 1,
    first: Callable[[], None] | None = None,
) -> list[T]:
    """Every task's result, in order, when there are at least `minimum` units of work
    (services, files) and more than one job; else everything runs here, in order. The
    workers take tasks from the front, each result sent back as soon as it is done (so no
    process holds more than a task's result in transit). `here`: how many of the first
    tasks this process runs (shares known to be equal); None: this process takes tasks from
    the back while the workers take them from the front, until they meet, so every process
    ends about together whatever a task really costs. A task's exception is raised here,
    as if it had run here. `first`: this process's own work before its first task, while
    the workers begin theirs; what it raises is raised here, and no task not yet begun runs."""
    workers = min(jobs() - 1, len(tasks) - (here or 0)) if units >= minimum else 0
    if workers < 1 or not can_fork():
        if first is not None:
            first()
        return [task() for task in tasks]
    global _tasks, _ends  # read by the forked workers, which inherit them
    context = multiprocessing.get_context("fork")
    start = here or 0
    _tasks, _ends = tasks, context.Array("q", [start, len(tasks)])
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            try:
                # as many turns as tasks: the pool queues turns ahead of its workers, but a
                # turn picks its task only when it begins, so none is held in a queue
                turns = [pool.submit(_turn) for _ in range(start, len(tasks))]
            except OSError:  # no process to spare (`ulimit -u`, memory): do it all here
                if first is not None:
                    first()
                return [task() for task in tasks]
            try:
                if first is not None:
                    first()
                done = {i: tasks[i]() for i in range(start)}
                while here is None and (index := _take(back=True)) is not None:
                    done[index] = tasks[index]()
                done.update(taken for turn in turns if (taken := turn.result()) is not None)
                return [done[i] for i in range(len(tasks))]
            except BaseException:  # one task failed (or a stop): the tasks not begun are void
                _take(back=True, every=True)
                # and the tasks begun are waited for: the caller's clean-up (the staging
                # folder) must not run while a worker still writes into it. `wait=False`
                # here would also leave the pool's own exit not waiting.
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    except BrokenProcessPool:
        raise RuntimeError("a gitops-gen worker process died without a result") from None
    finally:
        _tasks, _ends = (), None


def _take(*, back: bool, every: bool = False) -> int | None:
    """The index of the next task no process has begun, from the front (a worker) or the
    back (this process), or None when the two ends have met. `every`: take them all (the
    run failed: none of them will be wanted)."""
    assert _ends is not None
    with _ends.get_lock():
        front, end = int(_ends[0]), int(_ends[1])
        if front >= end:
            return None
        if every:
            _ends[0] = end
            return None
        if back:
            _ends[1] = end - 1
            return end - 1
        _ends[0] = front + 1
        return front


def _turn() -> tuple[int, Any] | None:
    """A worker's turn: the next task from the front and its result, or None if none is left."""
    index = _take(back=False)
    return None if index is None else (index, _tasks[index]())
