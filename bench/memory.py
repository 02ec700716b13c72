"""Peak memory of a command's whole process tree: the PSS of the process and of every
process it forks (and they fork), read from /proc/<pid>/smaps_rollup, summed, sampled every
few milliseconds. Linux only.

PSS (proportional set size) gives each process its share of a page it shares, so the sum
over a forked tree counts each page once. The largest single process's RSS (what `wait4`
reports) leaves the other processes out; RSS summed over the tree counts every shared page
once per process.

Reading `smaps_rollup` walks the process's page tables: for a large process it takes longer
than the interval asked for, and the samples then come as fast as the kernel answers (the
median interval is reported with the peak). A sampled run is slower than an unsampled one:
its time is not a figure. A sample during which a process of the tree ended is left out: the
pages it shared move to the others while they are read, and could count twice.
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

INTERVAL = 0.004  # seconds between the starts of two samples, when the reads allow it
LINGER = 30.0  # seconds a process left behind by the ended command is still followed


@dataclass(frozen=True)
class TreePeak:
    mb: float  # the largest PSS sum over the tree, in MiB (as the bench's RSS column)
    largest_mb: float  # the largest process's share of it, in that sample
    processes: int  # the most processes the tree had in one sample
    samples: int
    interval_ms: float  # median time between two samples


def available() -> bool:
    return Path(f"/proc/{os.getpid()}/smaps_rollup").is_file()


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, TreePeak]:
    """Run `cmd` (in a session of its own) to its end: its exit code and its tree's peak."""
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its descendants share its session id: how they are known
    )
    samples: list[tuple[float, list[int]]] = []  # (time, each process's PSS in KiB)
    exited = threading.Event()
    sampler = threading.Thread(target=_sample, args=(proc.pid, exited, samples), daemon=True)
    sampler.start()
    code = proc.wait()
    exited.set()
    sampler.join()
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(samples)]
    peak = max((kib for _, kib in samples), key=sum, default=[])
    return code, TreePeak(
        mb=sum(peak) / 1024,
        largest_mb=max(peak, default=0) / 1024,
        processes=max((len(kib) for _, kib in samples), default=0),
        samples=len(samples),
        interval_ms=statistics.median(gaps) * 1000 if gaps else 0.0,
    )


def _sample(root: int, exited: threading.Event, out: list[tuple[float, list[int]]]) -> None:
    """Until the root process ended and no process of its tree is left (a child it left
    behind still counts), every INTERVAL: the tree's summed PSS."""
    known = {root}
    deadline = float("inf")
    while True:
        start = time.perf_counter()
        known = _tree(known, session=root)
        sample = {pid: _pss_kib(pid) for pid in known}
        # A process that ended while the sample was read hands its share of the pages it
        # shared to the others: read before its end and they after it, those pages would
        # count twice. Such a sample is left out (an end frees memory: never the peak).
        if all(_has_memory(pid) for pid, kib in sample.items() if kib):
            out.append((start, list(sample.values())))
        if exited.is_set():
            deadline = min(deadline, start + LINGER)
            if not (known - {root}) or start > deadline:
                return
        exited.wait(max(0.0, INTERVAL - (time.perf_counter() - start)))


def _tree(known: set[int], session: int) -> set[int]:
    """The live processes of the tree: those known so far (a child whose parent ended is
    adopted elsewhere, yet stays in the tree) and their children, found down to the leaves."""
    alive: set[int] = set()
    todo = list(known)
    while todo:
        pid = todo.pop()
        if pid in alive or _session(pid) != session:  # ended (its pid maybe reused since)
            continue
        alive.add(pid)
        todo += _children(pid)
    return alive


def _session(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return int(fields[3]) if fields[0] != "Z" else None  # state, ppid, pgrp, session


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    except OSError:
        pass
    return found


def _has_memory(pid: int) -> bool:
    """Not ended, nor ending: an ending process lets go of its memory (`statm` then reads 0)
    before it becomes a zombie."""
    try:
        return Path(f"/proc/{pid}/statm").read_text().split(None, 1)[0] != "0"
    except (OSError, IndexError):
        return False


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    _, found, rest = text.partition("\nPss:")
    return int(rest.split(None, 1)[0]) if found else 0
