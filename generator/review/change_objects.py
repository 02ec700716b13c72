"""Per-object changes: what each env's Argo CD apps would apply, before and after a change.

Each app's source is built as Argo CD builds it (`applied.py`) on both sides; an app whose
input files and spec did not change is not built at all (its objects cannot have changed).
Objects are compared as parsed data, so a change that leaves the applied objects equal (a
new key in a JSON secret, a reordered values file) reports nothing. Env vars a pod loses
(a ConfigMap key, a synced Secret key, a Deployment `env` entry) are named one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.review import applied

Tree = dict[str, str]
SKIPPED_KINDS = {"Application", "AppProject"}  # reported as Argo CD apps, with their effect
NAMESPACE_GONE = (
    "Prune=false: Argo CD leaves it in place; delete it by hand once nothing runs in it"
)


@dataclass(frozen=True)
class ObjectChange:
    env: str
    action: str  # added | removed | changed
    what: str
    detail: str = ""


def object_changes(
    base: Tree, head: Tree, base_apps: list[applied.App], head_apps: list[applied.App]
) -> list[ObjectChange]:
    before, after = _folders(base), _folders(head)
    old = _per_env(base, _changed_apps(before, after, base_apps, head_apps))
    new = _per_env(head, _changed_apps(after, before, head_apps, base_apps))
    out: list[ObjectChange] = []
    for env in sorted(old.keys() | new.keys()):
        a, b = old.get(env, {}), new.get(env, {})
        out += _compare(env, a, b)
        out += _env_vars(env, a, b)
    return out


def _folders(tree: Tree) -> dict[str, Tree]:
    """The files under each folder one and two levels down, gathered in one pass over the
    tree (a pass per app would grow with apps times files)."""
    out: dict[str, Tree] = {}
    for path, text in tree.items():
        parts = path.split("/", 2)
        for depth in (1, 2):
            if len(parts) > depth:
                out.setdefault("/".join(parts[:depth]) + "/", {})[path] = text
    return out


def _inputs(folders: dict[str, Tree], app: applied.App) -> Tree:
    """The files an app's build reads: its folder's top two levels (a service's whole
    kustomize folder, base included; the chart; a plain folder)."""
    return folders.get("/".join(app.path.split("/")[:2]) + "/", {})


def _changed_apps(
    folders: dict[str, Tree],
    other: dict[str, Tree],
    apps: list[applied.App],
    other_apps: list[applied.App],
) -> list[applied.App]:
    others = {(a.env, a.name): a for a in other_apps}
    return [
        app
        for app in apps
        if others.get((app.env, app.name)) != app or _inputs(folders, app) != _inputs(other, app)
    ]


def _per_env(tree: Tree, apps: list[applied.App]) -> dict[str, dict[applied.ObjectKey, Any]]:
    out: dict[str, dict[applied.ObjectKey, Any]] = {}
    for app, objects in applied.built_objects(tree, apps).items():
        for key, obj in objects.items():
            if key.kind not in SKIPPED_KINDS:
                out.setdefault(app.env, {})[key] = obj
    return out


def _compare(
    env: str, old: dict[applied.ObjectKey, Any], new: dict[applied.ObjectKey, Any]
) -> Iterator[ObjectChange]:
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            detail = NAMESPACE_GONE if key.kind == "Namespace" else "Argo CD prunes it"
            yield ObjectChange(env, "removed", str(key), detail)
        elif key not in old:
            yield ObjectChange(env, "added", str(key))
        elif old[key] != new[key]:
            yield ObjectChange(env, "changed", str(key))


def _env_vars(
    env: str, old: dict[applied.ObjectKey, Any], new: dict[applied.ObjectKey, Any]
) -> Iterator[ObjectChange]:
    """Every env var a pod loses: compared only where both sides built the object."""
    for key in sorted(old.keys() & new.keys()):
        lost = _var_names(key.kind, old[key]) - _var_names(key.kind, new[key])
        for name in sorted(lost):
            yield ObjectChange(env, "removed", f"env var {name} ({key})", "pods restart without it")


def _var_names(kind: str, obj: Any) -> set[str]:
    spec = obj.get("spec") or {}
    if kind == "ConfigMap":
        return set((obj.get("data") or {}).keys())
    if kind == "ExternalSecret":
        return {d["secretKey"] for d in spec.get("data") or [] if "secretKey" in d}
    if kind == "Deployment":
        pod = ((spec.get("template") or {}).get("spec")) or {}
        return {e["name"] for c in pod.get("containers") or [] for e in c.get("env") or []}
    return set()
