"""Compare the desired tree with what is on disk: create / update / delete / same.

Only files listed in the previous manifest (files this tool wrote) are candidates for
deletion; a file a person added by hand is never touched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from generator.errors import OutputError
from generator.output.disk import read_current
from generator.output.manifest import (
    MANIFEST,
    manifest_stamp,
    manifest_text,
    read_manifest_state,
    without_version,
)

CHANGED_MEANWHILE = "another gitops-gen run wrote this folder since this one compared it; run again"


@dataclass
class RootPlan:
    """The plan for one output folder."""

    root: Path
    desired: dict[str, str]  # relative POSIX path -> text
    create: list[str] = field(default_factory=list)
    update: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    same: int = 0
    current: dict[str, str] = field(default_factory=dict)
    stray: list[str] = field(default_factory=list)  # not generated, where Argo CD deploys it
    gone: list[str] = field(default_factory=list)  # listed, no longer rendered, already absent
    # files with one block per service (the chart's values): drift is blamed per block
    per_service: frozenset[str] = frozenset()
    # every file of the tree when `desired` holds only the changed ones (a streamed render)
    every: set[str] | None = None
    staged: Path | None = None  # where the new and changed files wait (`output.stage`)

    def paths(self) -> set[str]:
        return set(self.desired) if self.every is None else self.every

    def texts(self, paths: Iterable[str], head: int | None = None) -> dict[str, str]:
        """The desired text of each of `paths`; `head`: only that many characters."""
        return {p: self.desired[p][:head] for p in paths if p in self.desired}

    @property
    def changed(self) -> bool:
        return bool(self.create or self.update or self.delete or self.stray)


@dataclass
class Plan:
    roots: dict[str, RootPlan]
    envs: tuple[str, ...] = ()  # the catalog's envs, to name the env a drifted file belongs to
    fix: str = "gitops-gen render"  # the command that brings the output in line
    services: int | None = None  # how many services the catalog has (None: not known)
    services_dir: str = "services"  # where they live, to name it in the empty-catalog error
    stamp: tuple[int, ...] = ()  # the manifest as planned against (see `manifest_stamp`)
    version: str | None = None  # the gitops-gen version a changed manifest records
    listed: dict[str, list[str]] = field(default_factory=dict)  # that manifest's files
    interrupted: bool = False  # and whether the run that wrote it was killed midway

    @property
    def changed(self) -> bool:
        return any(r.changed for r in self.roots.values())


def keep_manifest_version(roots: dict[str, RootPlan], out_root: str) -> None:
    """A new gitops-gen that renders the same files leaves the manifest as it is: the version
    it records is the one that last changed a file, so upgrading the tool alone is never
    drift (nor a commit). Any other change writes the manifest with the running version."""
    out = roots[out_root]
    if MANIFEST not in out.current or any(
        r.create or r.delete or [p for p in r.update if p != MANIFEST] for r in roots.values()
    ):
        return
    old, new = out.current[MANIFEST], out.desired[MANIFEST]
    try:
        same = without_version(json.loads(old)) == without_version(json.loads(new))
    except ValueError:
        return
    if same:
        out.desired[MANIFEST] = old
        out.update.remove(MANIFEST)
        del out.current[MANIFEST]
        out.same += 1


class Streamed(NamedTuple):
    """The out root compared already, where each family was rendered (`output.stage`)."""

    paths: list[str]  # every file, in path order
    create: list[str]
    current: dict[str, str]  # changed file -> its text on disk
    same: int
    texts: dict[str, str]  # the new text of each created or changed file not staged
    staged: Path | None


def make_plan(
    desired: dict[str, dict[str, str]],
    folders: dict[str, Path],
    out_root: str,
    version: str | None = None,
    *,
    streamed: Streamed | None = None,
    previous: tuple[dict[str, list[str]], bool] | None = None,
) -> Plan:
    """Plan every root. The manifest itself is part of the `out_root` tree; it records
    `version` when a file changes. `streamed`: the out root's files were compared already
    (`desired[out_root]` is then not read). `previous`: the manifest's state, when read
    already (`read_manifest_state`: a large one is worth reading once)."""
    stamp = manifest_stamp(folders[out_root])
    listed_before, interrupted = previous or read_manifest_state(folders[out_root])
    listing: dict[str, Iterable[str]] = dict(desired)
    if streamed is not None:
        listing[out_root] = streamed.paths
    trees = dict(desired)
    manifest = {MANIFEST: manifest_text(listing, version)}
    trees[out_root] = {**desired[out_root], **manifest} if streamed is None else manifest
    roots = {}
    for name, tree in trees.items():
        root = folders[name]
        base = os.fspath(root)
        plan = RootPlan(root=root, desired=tree)
        # expected on disk: read them directly (a streamed root's tree is the manifest alone)
        listed = listed_before.get(name, [])
        known = listed if name == out_root and streamed is not None else set(listed)
        plan.create, plan.current, plan.same = compare(base, tree, known)
        if name == out_root and streamed is not None:
            _add_streamed(plan, streamed)
        plan.update = list(plan.current)
        rendered = plan.paths()
        for old in sorted(listed):
            if old in rendered or not safe_relative(old):
                continue
            if os.path.lexists(f"{base}/{old}"):
                plan.delete.append(old)
                plan.current[old] = read_current(base, old) or ""
            else:  # a run killed after deleting it: its folders may be left empty
                plan.gone.append(old)
        roots[name] = plan
    keep_manifest_version(roots, out_root)
    return Plan(roots, stamp=stamp, version=version, listed=listed_before, interrupted=interrupted)


def _add_streamed(plan: RootPlan, streamed: Streamed) -> None:
    """The streamed files beside the manifest, which is compared here."""
    plan.every = {*streamed.paths, *plan.desired}
    plan.desired.update(streamed.texts)
    plan.create = [*streamed.create, *plan.create]
    plan.current = {**streamed.current, **plan.current}
    plan.same += streamed.same
    plan.staged = streamed.staged


def compare(
    base: str, tree: dict[str, str], listed: Collection[str]
) -> tuple[list[str], dict[str, str], int]:
    """Each file of `tree` against the disk: the missing ones, the different ones with their
    current text, and how many are the same. `listed`: files the last run wrote."""
    if not listed and not os.path.isdir(base):  # a first render: nothing to read
        return list(tree), {}, 0
    create: list[str] = []
    update: dict[str, str] = {}
    same = 0
    listings: dict[str, frozenset[str]] = {}
    for path, text in tree.items():
        current = read_current(base, path, None if path in listed else listings)
        if current is None:
            create.append(path)
        elif current != text:
            update[path] = current
        else:
            same += 1
    return create, update, same


def replan(plan: Plan, out_root: str) -> Plan:
    """The same desired trees planned again against what is on disk now (a plan whose
    files were staged holds the lock from its first comparison: it never needs this)."""
    if any(rp.every is not None for rp in plan.roots.values()):  # only changed texts kept
        raise OutputError.single(str(plan.roots[out_root].root), "output", CHANGED_MEANWHILE)
    desired = {name: dict(rp.desired) for name, rp in plan.roots.items()}
    desired[out_root].pop(MANIFEST, None)
    folders = {name: rp.root for name, rp in plan.roots.items()}
    fresh = make_plan(desired, folders, out_root, plan.version)
    fresh.envs, fresh.fix = plan.envs, plan.fix
    return fresh


def safe_relative(path: str) -> bool:
    """A manifest entry must name a file inside the root (the manifest is in git: editable)."""
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and "" not in parts
