"""Benchmark: whole-process render / no-change render / check per catalog size, against the
write floor (a bare Python loop writing the same {path: text} into an empty folder); the
whole process tree's peak memory, by default and in one process; and the review of a wide
change (every image tag bumped) against a no-change `check` of the same catalog.

Run with `make bench` (or `python bench/run.py --sizes 10 100 1000 5000`); `--overrides`
adds the cost of three template overrides (`overrides.py`). Works in a tmpfs
folder (/dev/shm where present): file creation on disk is noisy. Prints seconds, ratios and
the targets they are held to; it asserts nothing, so it is a measurement, not a test.

Times are the best of `--runs` unsampled runs. Memory comes from runs of their own (a cold
render, then a `check`): the PSS of every process of the tree summed, sampled every few
milliseconds (`memory.py`), its peak; `largest` is the largest process's share at that
peak. `RSS MB` is the largest single process's peak RSS, as `wait4` reports it: the other
processes of the tree are not in it. `GITOPS_GEN_JOBS=1` is the single-process mode.

The tool runs with its modules' bytecode cached (in the bench's temp folder), as every
installed copy has: pip compiles a wheel's modules when it installs them, and an editable
install writes them on its first run. A machine with PYTHONDONTWRITEBYTECODE=1 would
otherwise compile the tool's ~90 modules on every run (about 0.07 s); `--no-bytecode-cache`
measures that case.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import memory
import overrides
from synth import write_catalog

from generator.catalog.load import load_catalog
from generator.pipeline.render import render_catalog

GEN = [sys.executable, "-m", "generator"]


ENV = dict(os.environ)

# What the figures are held to (issue 24), default mode unless said otherwise.
TARGET_COLD_1000 = 0.9  # s, a cold render of 1,000 services
TARGET_FLOOR_RATIO = 2.5  # cold render, no-change render and check, each against the floor
TARGET_COLD_10000 = 8.0  # s, a cold render of 10,000 services
TARGET_TREE_MB_10000 = 400.0  # MB, the whole process tree's peak PSS at 10,000 services
TARGET_REVIEW_RATIO = 3.0  # check and render --dry-run of a wide change, against a no-change check


def single_process() -> dict[str, str]:
    return {**ENV, "GITOPS_GEN_JOBS": "1"}


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Wall seconds, exit code and peak RSS (KiB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, proc.returncode, usage.ru_maxrss


def best(
    cmd: list[str],
    cwd: Path,
    runs: int,
    reset: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[float, int]:
    times, rss = [], 0
    for _ in range(runs):
        if reset is not None:
            shutil.rmtree(reset, ignore_errors=True)
        seconds, code, peak = timed(cmd, cwd, env)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} exited {code}")
        times.append(seconds)
        rss = max(rss, peak)
    return min(times), rss


def tree_peaks(
    cmds: list[list[str]], cwd: Path, env: dict[str, str], reset: Path
) -> list[memory.TreePeak]:
    """The whole-tree peak of each of `cmds`, run in turn (`reset` removed before the first)."""
    shutil.rmtree(reset, ignore_errors=True)
    peaks = []
    for cmd in cmds:
        code, peak = memory.run(cmd, cwd, env)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} exited {code}")
        peaks.append(peak)
    return peaks


def write_floor(
    trees: dict[str, dict[str, str]], target: Path, runs: int
) -> tuple[float, int, int]:
    """The same files written by the simplest possible loop (best of `runs`)."""
    times = []
    files = size = 0
    for _ in range(runs):
        shutil.rmtree(target, ignore_errors=True)
        start = time.perf_counter()
        files = size = 0
        for root, tree in trees.items():
            for rel, text in tree.items():
                path = target / root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                data = text.encode()
                path.write_bytes(data)
                files += 1
                size += len(data)
        times.append(time.perf_counter() - start)
    return min(times), files, size


def measure(size: int, work: Path, runs: int, sampled: bool) -> dict[str, float]:
    folder = work / f"n{size}"
    catalog = write_catalog(folder / "catalog", size)
    out, wf = folder / "rendered", folder / "workflows"
    args = ["--catalog", str(catalog), "--out", str(out), "--workflows-dir", str(wf)]
    render, check = [*GEN, "render", *args], [*GEN, "check", *args]
    cold, rss_cold = best(render, folder, runs, reset=out)
    shutil.rmtree(wf, ignore_errors=True)
    best(render, folder, 1)
    warm, _ = best(render, folder, runs)
    check_s, rss_check = best(check, folder, runs)
    single, _ = best(render, folder, runs, reset=out, env=single_process())
    row: dict[str, float] = {}
    if sampled:
        cold_tree, check_tree = tree_peaks([render, check], folder, ENV, reset=out)
        cold_one, check_one = tree_peaks([render, check], folder, single_process(), reset=out)
        row = {
            "tree_cold": cold_tree.mb,
            "tree_check": check_tree.mb,
            "tree_mb": max(cold_tree.mb, check_tree.mb),
            "tree_largest": max(cold_tree.largest_mb, check_tree.largest_mb),
            "tree_procs": max(cold_tree.processes, check_tree.processes),
            "tree_ms": max(cold_tree.interval_ms, check_tree.interval_ms),
            "one_cold": cold_one.mb,
            "one_check": check_one.mb,
            "one_ms": max(cold_one.interval_ms, check_one.interval_ms),
        }
    trees = render_catalog(load_catalog(catalog))
    floor, files, size_bytes = write_floor(trees, folder / "floor", runs)
    shutil.rmtree(folder)
    return {
        "services": size,
        "files": files,
        "mb": size_bytes / 1e6,
        "cold": cold,
        "warm": warm,
        "check": check_s,
        "floor": floor,
        "rss_mb": max(rss_cold, rss_check) / 1024,
        "single": single,
        **row,
    }


def review(size: int, work: Path, runs: int) -> dict[str, float]:
    """Every image tag bumped: `check` and `render --dry-run` of the bumped catalog against
    the output of the old one, and a no-change `check`, interleaved run by run (best of each)
    so that a change in the machine's load hits all three alike."""
    folder = work / f"review{size}"
    same = write_catalog(folder / "catalog", size)
    bumped = write_catalog(folder / "bumped", size, major=2)
    out = ["--out", str(folder / "rendered"), "--workflows-dir", str(folder / "workflows")]
    best([*GEN, "render", "--catalog", str(same), *out], folder, 1)
    commands = {
        "no_change": [*GEN, "check", "--catalog", str(same), *out],
        "check": [*GEN, "check", "--catalog", str(bumped), *out],
        "dry_run": [*GEN, "render", "--dry-run", "--catalog", str(bumped), *out],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            seconds, code, _ = timed(cmd, folder)
            expected = 0 if name != "check" else 1
            if code != expected:
                raise SystemExit(f"{' '.join(cmd)} exited {code}, not {expected}")
            times[name].append(seconds)
    shutil.rmtree(folder)
    return {name: min(found) for name, found in times.items()}


def verdict(value: float, limit: float) -> str:
    return "ok" if value <= limit else "MISSED"


def print_targets(by: dict[int, dict[str, float]], wide: dict[str, float] | None) -> None:
    print("targets (default mode):")
    if 1000 in by:
        r = by[1000]
        print(
            f"  1,000 services cold render: {r['cold']:.3f} s (<= {TARGET_COLD_1000} s) "
            f"{verdict(r['cold'], TARGET_COLD_1000)}"
        )
        for name, key in (
            ("cold render", "cold"),
            ("no-change render", "warm"),
            ("check", "check"),
        ):
            ratio = r[key] / r["floor"]
            print(
                f"  1,000 services {name} / write floor: {ratio:.2f}x "
                f"(<= {TARGET_FLOOR_RATIO}x) {verdict(ratio, TARGET_FLOOR_RATIO)}"
            )
    else:
        print("  1,000 services: not measured (add 1000 to --sizes)")
    if 10000 in by:
        r = by[10000]
        print(
            f"  10,000 services cold render: {r['cold']:.3f} s (<= {TARGET_COLD_10000} s) "
            f"{verdict(r['cold'], TARGET_COLD_10000)}"
        )
        if "tree_mb" in r:
            print(
                f"  10,000 services whole-tree peak PSS: {r['tree_mb']:.0f} MB "
                f"(<= {TARGET_TREE_MB_10000:.0f} MB) {verdict(r['tree_mb'], TARGET_TREE_MB_10000)}"
            )
    else:
        print("  10,000 services: not measured (add 10000 to --sizes)")
    if wide is not None:
        for name in ("check", "dry_run"):
            ratio = wide[name] / wide["no_change"]
            print(
                f"  wide change, {name.replace('_', '-')} / no-change check: {ratio:.2f}x "
                f"(<= {TARGET_REVIEW_RATIO}x) {verdict(ratio, TARGET_REVIEW_RATIO)}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 5000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="best of N per figure")
    parser.add_argument(
        "--review-size",
        type=int,
        default=1000,
        help="services in the wide-change review (every image tag bumped); 0: skip it",
    )
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="compile the modules on every run"
    )
    parser.add_argument(
        "--overrides",
        type=int,
        nargs="?",
        const=1000,
        default=0,
        help="also a cold render with three template overrides against the built-ins, at N "
        "services (1000 when N is left out; needs helm)",
    )
    opts = parser.parse_args()
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    sampled = memory.available()
    with tempfile.TemporaryDirectory(prefix="gitops-gen-bench-", dir=base) as tmp:
        work = Path(tmp)
        if opts.no_bytecode_cache:
            ENV["PYTHONDONTWRITEBYTECODE"] = "1"
        else:  # the cache lives and dies with the temp folder: the checkout stays untouched
            ENV.pop("PYTHONDONTWRITEBYTECODE", None)
            ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        version, _ = best([*GEN, "--version"], work, 5)
        cache = "off" if opts.no_bytecode_cache else "on"
        print(
            f"tmpfs: {base is not None}  python {sys.version.split()[0]}  cpus {os.cpu_count()}"
            f"  bytecode cache: {cache}"
        )
        print(f"gitops-gen --version: {version:.3f} s")
        head = (
            f"{'services':>8} {'files':>7} {'MB':>6} {'cold s':>7} {'no-chg s':>8} {'check s':>7} "
            f"{'floor s':>7} {'cold/fl':>7} {'noch/fl':>7} {'chk/fl':>6} {'RSS MB':>6}"
        )
        print(head)
        rows = []
        for size in opts.sizes:
            r = measure(size, work, opts.runs, sampled)
            rows.append(r)
            print(
                f"{r['services']:>8} {r['files']:>7} {r['mb']:>6.1f} {r['cold']:>7.3f} "
                f"{r['warm']:>8.3f} {r['check']:>7.3f} {r['floor']:>7.3f} "
                f"{r['cold'] / r['floor']:>7.2f} {r['warm'] / r['floor']:>7.2f} "
                f"{r['check'] / r['floor']:>6.2f} {r['rss_mb']:>6.0f}",
                flush=True,
            )
        by = {int(r["services"]): r for r in rows}
        if 1000 in by and 5000 in by:
            print(f"cold render time(5000) / time(1000): {by[5000]['cold'] / by[1000]['cold']:.2f}")
        print_memory(rows, sampled)
        wide = None
        if opts.review_size:
            wide = review(opts.review_size, work, opts.runs)
            print(
                f"review of a wide change ({opts.review_size} services, every image tag bumped;"
                " best of interleaved runs):"
            )
            print(
                f"  no-change check {wide['no_change']:.3f} s  check {wide['check']:.3f} s "
                f"({wide['check'] / wide['no_change']:.2f}x)  render --dry-run "
                f"{wide['dry_run']:.3f} s ({wide['dry_run'] / wide['no_change']:.2f}x)"
            )
        print_targets(by, wide if opts.review_size == 1000 else None)
        if opts.overrides:
            overrides.report(
                overrides.measure(work, opts.overrides, opts.runs, ENV), opts.overrides
            )


def print_memory(rows: list[dict[str, float]], sampled: bool) -> None:
    print(
        "memory: the whole process tree's peak PSS in MB (MiB, as the RSS column), sampled "
        f"every {memory.INTERVAL * 1000:.0f} ms or as fast as /proc answers (`every ms`: the "
        "slower median of the two runs)"
    )
    if not sampled:
        print("  not measured: /proc/<pid>/smaps_rollup is not available here")
        return
    print(
        f"{'':>8} {'default mode':-^40}  {'one process (GITOPS_GEN_JOBS=1)':-^42}\n"
        f"{'services':>8} {'cold MB':>7} {'check MB':>8} {'largest':>7} {'procs':>5} "
        f"{'every ms':>8}  {'cold MB':>7} {'check MB':>8} {'every ms':>8} {'cold s':>7}"
    )
    for r in rows:
        print(
            f"{r['services']:>8} {r['tree_cold']:>7.0f} {r['tree_check']:>8.0f} "
            f"{r['tree_largest']:>7.0f} {r['tree_procs']:>5} {r['tree_ms']:>8.1f}  "
            f"{r['one_cold']:>7.0f} {r['one_check']:>8.0f} {r['one_ms']:>8.1f} "
            f"{r['single']:>7.3f}"
        )


if __name__ == "__main__":
    main()
