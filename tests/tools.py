"""Locate the real tools the suite runs on rendered output; skip with the tool's name if absent."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / "tools" / "node_modules" / ".bin"
CRD_SCHEMAS = Path(os.environ.get("GITOPS_GEN_CRD_SCHEMAS", ROOT.parent / "shared" / "crd-schemas"))


def need(tool: str) -> str:
    """The path of `tool` (PATH or tools/node_modules/.bin), or skip naming it."""
    found = shutil.which(tool) or shutil.which(tool, path=str(NODE_BIN))
    if not found:
        pytest.skip(
            f"{tool} is not installed on this machine (run `make test` to install pinned tools)"
        )
    return found


def diff_tools() -> None:
    """What `diff --base` builds the chart and the overlays with, as Argo CD does: helm (given
    to the tool by GITOPS_GEN_HELM, wherever it was found) and kubectl or kustomize; skip
    naming the one that is missing."""
    os.environ.setdefault("GITOPS_GEN_HELM", need("helm"))
    if not shutil.which("kubectl"):
        need("kustomize")


def kustomize_build(folder: Path) -> str:
    """`kubectl kustomize` (kustomize v5 in kubectl), else the standalone `kustomize build`."""
    if shutil.which("kubectl"):
        cmd = ["kubectl", "kustomize", str(folder)]
    else:
        cmd = [need("kustomize"), "build", str(folder)]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def crd_schema_dir() -> Path:
    if not CRD_SCHEMAS.is_dir():
        pytest.skip(f"CRD schemas not found at GITOPS_GEN_CRD_SCHEMAS={CRD_SCHEMAS}")
    return CRD_SCHEMAS


def crd_schema(api_version: str, kind: str) -> dict[str, object]:
    group, _, version = api_version.rpartition("/")
    path = crd_schema_dir() / group / f"{kind.lower()}_{version}.json"
    assert path.is_file(), f"no CRD schema for {api_version} {kind} at {path}"
    schema: dict[str, object] = json.loads(path.read_text())
    return schema


def terraform_plugin_dir() -> Path:
    """The folder holding registry.terraform.io: TF_PLUGIN_DIR, else a search of common roots."""
    env = os.environ.get("TF_PLUGIN_DIR")
    candidates = [Path(env)] if env else []
    for base in (Path("/opt"), Path("/usr/local/share"), Path.home() / ".terraform.d"):
        if base.is_dir():
            candidates += [p.parent for p in base.glob("*/registry.terraform.io")]
            candidates += [p.parent for p in base.glob("registry.terraform.io")]
    for folder in candidates:
        if (folder / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return folder
    pytest.skip("terraform AWS provider plugin folder not found (set TF_PLUGIN_DIR)")


# Run as `python -c TREE_DIGEST CATALOG`: one digest of every rendered root, path and text,
# from a fresh interpreter (hash seeds, import order and the working directory all differ).
TREE_DIGEST = """
import hashlib, sys
from pathlib import Path
from generator.catalog.load import load_catalog
from generator.pipeline.render import render_catalog
digest = hashlib.sha256()
for root, tree in sorted(render_catalog(load_catalog(Path(sys.argv[1]))).items()):
    for path, text in tree.items():
        digest.update(f"{root}/{path}\\0{text}\\0".encode())
print(digest.hexdigest())
"""


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server this suite started, by its own PID: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
