"""Same catalog -> same bytes, whatever the file order, hash seed or clock."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_CATALOG
from tests.tools import TREE_DIGEST


def _digest(catalog: Path, seed: str, jobs: str = "") -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": random.choice(["UTC", "Asia/Kolkata"])}
    env["GITOPS_GEN_JOBS"] = jobs
    out = subprocess.run(
        [sys.executable, "-c", TREE_DIGEST, str(catalog)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def test_shuffled_files_and_hash_seeds_give_identical_bytes(tmp_path: Path) -> None:
    # copy the service files in a shuffled creation order (directory order differs)
    shuffled = tmp_path / "catalog"
    (shuffled / "services").mkdir(parents=True)
    shutil.copy(REPO_CATALOG / "platform.yaml", shuffled / "platform.yaml")
    files = sorted((REPO_CATALOG / "services").iterdir())
    random.Random(7).shuffle(files)
    for f in files:
        shutil.copy(f, shuffled / "services" / f.name)
    digests = {_digest(REPO_CATALOG, "0"), _digest(shuffled, "12345"), _digest(shuffled, "random")}
    assert len(digests) == 1
    assert hashlib.sha256(b"").hexdigest() not in digests


def test_two_process_render_gives_the_same_bytes_as_one() -> None:
    assert _digest(REPO_CATALOG, "0", jobs="2") == _digest(REPO_CATALOG, "0", jobs="1")
