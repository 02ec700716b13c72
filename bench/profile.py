"""Where a render spends its time: pyinstrument over one cold render of a synthetic catalog.

`make profile` (or `python bench/profile.py --services 1000`). Runs in one process
(`GITOPS_GEN_JOBS=1`) so the tree shows every family's work, not a wait on the forked child;
the figures are therefore higher than `make bench`'s whole-process times.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyinstrument import Profiler
from synth import write_catalog

from generator.output import engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=1000)
    opts = parser.parse_args()
    os.environ["GITOPS_GEN_JOBS"] = "1"
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="gitops-gen-profile-", dir=base) as tmp:
        catalog = write_catalog(Path(tmp) / "catalog", opts.services)
        profiler = Profiler(interval=0.0005)
        with profiler:
            plan = engine.plan_for(catalog, Path(tmp) / "rendered", Path(tmp) / "workflows")
            summary = engine.apply_plan(plan)
        print(f"{opts.services} services: {summary}")
        print(profiler.output_text(color=False, show_all=False))


if __name__ == "__main__":
    main()
