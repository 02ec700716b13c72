"""Measure the catalog credential scan alone: in-process seconds to scan N synthetic service
files (already parsed), best of several rounds, plus the one-off import and first-use cost.

`python bench/scan.py --services 1000`. A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth import write_catalog

from generator.catalog.source import load_yaml_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gitops-gen-scan-") as tmp:
        catalog = write_catalog(Path(tmp) / "catalog", opts.services)
        files = sorted((catalog / "services").iterdir())
        parsed = [load_yaml_bytes(f.read_bytes(), f.name) for f in files]
    start = time.perf_counter()
    from generator.catalog.credentials import credential_problems

    credential_problems(*parsed[0])  # first use: imports and compiles the rules
    first = time.perf_counter() - start
    rounds = []
    for _ in range(opts.rounds):
        start = time.perf_counter()
        for data, smap in parsed:
            credential_problems(data, smap)
        rounds.append(time.perf_counter() - start)
    median = sorted(rounds)[len(rounds) // 2]
    print(
        f"first use {first * 1000:.1f} ms; scan of {len(parsed)} files: "
        f"best {min(rounds) * 1000:.1f} ms, median {median * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
