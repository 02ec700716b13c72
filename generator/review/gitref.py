"""The catalog as it was at a git ref, read with `git archive` into a temporary folder."""

from __future__ import annotations

import atexit
import dataclasses
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from generator.catalog.load import PLATFORM_FILE, Catalog, load_catalog
from generator.errors import UserError


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def catalog_at(catalog_dir: Path, ref: str) -> Catalog | None:
    """The catalog at `ref`, or None when it did not exist there (everything is new)."""
    where = catalog_dir.resolve()
    top = _git(["rev-parse", "--show-toplevel"], where)
    if top.returncode != 0:
        raise UserError.unlocated("--base", "", f"{catalog_dir} is not in a git work tree")
    root = Path(top.stdout.decode().strip())
    rel = where.relative_to(root).as_posix()
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root).returncode != 0:
        raise UserError.unlocated("--base", "", f"{ref!r} is not a commit in this repository")
    archive = _git(["archive", "--format=tar", ref, "--", rel], root)
    if archive.returncode != 0:
        return None  # the path did not exist at that ref
    with tempfile.TemporaryDirectory(prefix="gitops-gen-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        folder = Path(tmp) / rel
        if not (folder / PLATFORM_FILE).is_file():
            return None
        catalog = load_catalog(folder, label=f"{ref}:{rel}/")
    # Each side renders with its own templates: the override folder as it was at `ref`
    templates_rel = os.path.normpath(Path(rel) / ".." / catalog.platform.templatesPath)
    return dataclasses.replace(catalog, templates=_templates_at(root, ref, templates_rel))


def _templates_at(root: Path, ref: str, rel: str) -> Path:
    """The override folder as it was at `ref`, in a folder kept until the process ends (the
    render reads templates lazily); a folder that did not exist there: none, the built-ins."""
    keep = Path(tempfile.mkdtemp(prefix="gitops-gen-base-templates-"))
    atexit.register(shutil.rmtree, keep, ignore_errors=True)
    archive = _git(["archive", "--format=tar", ref, "--", rel], root)
    if archive.returncode == 0:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(keep, filter="data")
    return keep / rel
