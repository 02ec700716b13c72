"""Stray files: what sits where Argo CD deploys every file, yet this tool did not render.

`render` warns about them and `check` fails on them; neither deletes a file it did not write.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Container, Iterable
from pathlib import Path

from generator.render.result import Application

# Files a person may keep by hand inside the output: nothing syncs them. The one list, also
# in the README; a file here is never reported as stray.
KEPT_BY_HAND = ("terraform/envs/*/backend.tf",)


def synced_folders(
    tree: Container[str], found: Iterable[Application], rendered_path: str
) -> list[tuple[str, bool]]:
    """(folder, recursive) where Argo CD deploys every file, from the rendered apps' paths:
    a plain folder (Argo CD applies each manifest in it) and a chart's `templates/` (Helm
    renders each file). A Kustomize folder deploys only what its kustomization.yaml lists,
    and that file is compared byte for byte already. Like Argo CD, a folder's kind is what
    it holds."""
    prefix = str(Path(rendered_path)).strip("/") + "/"
    folders: set[tuple[str, bool]] = set()
    for app in found:
        path = app.path
        if not path:  # a chart from a Helm repository: nothing of this repo
            continue
        folder = str(path).removeprefix(prefix)
        if f"{folder}/Chart.yaml" in tree:
            folders.add((f"{folder}/templates", True))
        elif f"{folder}/kustomization.yaml" not in tree:
            folders.add((folder, False))
    return sorted(folders)


def stray_files(root: Path, tree: Container[str], folders: list[tuple[str, bool]]) -> list[str]:
    """Files on disk inside `folders` that this render does not produce."""
    base = os.fspath(root)
    found: list[str] = []
    for folder, recursive in folders:
        for top, dirs, files in os.walk(f"{base}/{folder}"):
            rel = top[len(base) + 1 :]
            found += [f"{rel}/{n}" for n in files if f"{rel}/{n}" not in tree]
            if not recursive:
                dirs.clear()
    return sorted(p for p in set(found) if not kept_by_hand(p))


def kept_by_hand(path: str) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in KEPT_BY_HAND)
