"""The repo root, found upward from the working folder as git finds its top level: the first
folder holding the catalog (`catalog/platform.yaml` by default), never past the git top level."""

from __future__ import annotations

import os
from pathlib import Path

from generator.catalog.load import PLATFORM_FILE


def find_root(start: Path, catalog: Path) -> Path | str:
    """The first of `start` and the folders above it that holds `catalog`/platform.yaml, or
    the message saying where it looked; the search stops at the git top level (a folder
    holding `.git`) or the file system root."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / catalog / PLATFORM_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            where = f"{start} or any folder above it up to {folder} (the git top level)"
            break
    else:
        where = f"{start} or any folder above it"
    wanted = (catalog / PLATFORM_FILE).as_posix()
    return (
        f"gitops-gen: {wanted} is not in {where}: run gitops-gen inside the GitOps repo, "
        "or give --catalog DIR"
    )


def enter_root(catalog: Path) -> str | None:
    """Work from the repo root when the working folder is below it (paths stay relative);
    the message saying where it looked when there is none."""
    if (catalog / PLATFORM_FILE).is_file():
        return None
    found = find_root(Path.cwd(), catalog)
    if isinstance(found, str):
        return found
    os.chdir(found)
    return None
