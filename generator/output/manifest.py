"""The manifest: every file this tool wrote, per output folder, and the version that wrote
them. Only the files it lists are ever deleted; a run that is killed midway leaves it marked
incomplete (see `read_manifest_state`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from generator.errors import OutputError
from generator.text.jsonout import dumps_indented

MANIFEST = ".gitops-gen-manifest.json"  # at the top of the out root


def manifest_text(roots: Mapping[str, Iterable[str]], version: str | None = None) -> str:
    """The list of every generated file, per root: what a later render may delete; and the
    version of the gitops-gen that wrote them (see `keep_manifest_version`)."""
    listing = {name: sorted(tree) for name, tree in sorted(roots.items())}
    doc: dict[str, object] = {"generator": "gitops-gen"}
    if version is not None:
        doc["version"] = version
    doc["files"] = listing
    return dumps_indented(doc, indent=1) + "\n"  # json.dumps's bytes, at the C encoder's speed


def manifest_version(out: Path) -> str | None:
    """The gitops-gen version the manifest in `out` records (None: none, or no manifest)."""
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = doc.get("version") if isinstance(doc, dict) else None
    return version if isinstance(version, str) else None


def without_version(doc: object) -> object:
    return {k: v for k, v in doc.items() if k != "version"} if isinstance(doc, dict) else doc


def read_manifest(out: Path) -> dict[str, list[str]]:
    return read_manifest_state(out)[0]


def read_manifest_state(out: Path) -> tuple[dict[str, list[str]], bool]:
    """The listed files per root, and whether the run that wrote it was still going.

    A render first writes the union of old and new files marked `"complete": false`, and
    last the final manifest (unmarked): finding the mark means a run was killed midway.
    """
    path = out / MANIFEST
    if not path.is_file():
        return {}, False
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        files = {str(k): [str(p) for p in v] for k, v in doc["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise OutputError.single(
            str(path), "manifest", "unreadable manifest; restore it from git"
        ) from None
    return files, doc.get("complete") is False


def manifest_stamp(out: Path) -> tuple[int, ...]:
    """Every run that changes the tree replaces the manifest (first and last): a different
    stamp under the lock means another run wrote since this plan was made."""
    try:
        info = os.stat(out / MANIFEST)
    except FileNotFoundError:
        return ()
    return (info.st_ino, info.st_mtime_ns, info.st_size)
