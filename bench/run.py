"""Benchmark: whole-process render / no-change render / check per catalog size, against the
write floor (a bare Python loop writing the same {path: text} into an empty folder).

Run with `make bench` (or `python bench/run.py --sizes 10 100 1000 5000`). Works in a tmpfs
folder (/dev/shm where present): file creation on disk is noisy. Prints seconds and ratios;
it asserts nothing, so it is a measurement, not a test.

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

from synth import write_catalog

from generator.catalog.load import load_catalog
from generator.pipeline.render import render_catalog

GEN = [sys.executable, "-m", "generator"]


ENV = dict(os.environ)


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, exit code and peak RSS (KiB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, proc.returncode, usage.ru_maxrss


def best(cmd: list[str], cwd: Path, runs: int, reset: Path | None = None) -> tuple[float, int]:
    times, rss = [], 0
    for _ in range(runs):
        if reset is not None:
            shutil.rmtree(reset, ignore_errors=True)
        seconds, code, peak = timed(cmd, cwd)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} exited {code}")
        times.append(seconds)
        rss = max(rss, peak)
    return min(times), rss


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


def measure(size: int, work: Path, runs: int) -> dict[str, float]:
    folder = work / f"n{size}"
    catalog = write_catalog(folder / "catalog", size)
    out, wf = folder / "rendered", folder / "workflows"
    args = ["--catalog", str(catalog), "--out", str(out), "--workflows-dir", str(wf)]
    cold, rss_cold = best([*GEN, "render", *args], folder, runs, reset=out)
    shutil.rmtree(wf, ignore_errors=True)
    best([*GEN, "render", *args], folder, 1)
    warm, _ = best([*GEN, "render", *args], folder, runs)
    check, rss_check = best([*GEN, "check", *args], folder, runs)
    trees = render_catalog(load_catalog(catalog))
    floor, files, size_bytes = write_floor(trees, folder / "floor", runs)
    shutil.rmtree(folder)
    return {
        "services": size,
        "files": files,
        "mb": size_bytes / 1e6,
        "cold": cold,
        "warm": warm,
        "check": check,
        "floor": floor,
        "rss_mb": max(rss_cold, rss_check) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 5000])
    parser.add_argument("--runs", type=int, default=3, help="best of N per figure")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="compile the modules on every run"
    )
    opts = parser.parse_args()
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
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
            r = measure(size, work, opts.runs)
            rows.append(r)
            print(
                f"{r['services']:>8} {r['files']:>7} {r['mb']:>6.1f} {r['cold']:>7.3f} "
                f"{r['warm']:>8.3f} {r['check']:>7.3f} {r['floor']:>7.3f} "
                f"{r['cold'] / r['floor']:>7.2f} {r['warm'] / r['floor']:>7.2f} "
                f"{r['check'] / r['floor']:>6.2f} {r['rss_mb']:>6.0f}",
                flush=True,
            )
        by = {r["services"]: r for r in rows}
        if 1000 in by and 5000 in by:
            print(f"cold render time(5000) / time(1000): {by[5000]['cold'] / by[1000]['cold']:.2f}")


if __name__ == "__main__":
    main()
