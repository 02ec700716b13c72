"""A service's overlays built from the rendered text, as `kubectl kustomize` builds them.

Used only where a template of a service's Kustomize tree is overridden (the built-ins are
consistent by construction, and a plain render needs no kubectl). It reads what the tree
says: `resources` (files and folders), `namespace`, and `patches` (JSON6902 ops against a
`target`, or a strategic-merge document naming its object); labels and annotations a
kustomization adds name nothing, so they are left out. A patch whose target matches no
object, an op whose path is not there, and `_ENV_` left in a built object are problems
naming the env, the object and the file that produced it.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from generator.catalog.templates import ENV_PLACEHOLDER
from generator.errors import Problem
from generator.parts.object_refs import Built

Obj = dict[str, Any]
CLUSTER_SCOPED = frozenset({"Namespace", "ClusterSecretStore", "ClusterRole", "ClusterRoleBinding"})
KUSTOMIZATION = "kustomization.yaml"


@dataclass
class Piece:
    doc: Obj
    file: str  # the rendered file it came from


class Overlays:
    """One service's tree: build each env's overlay, keeping what went wrong."""

    def __init__(
        self, tree: dict[str, str], service: str, made_by: dict[str, str], src: str
    ) -> None:
        self.tree, self.service, self.made_by, self.src = tree, service, made_by, src
        self.problems: list[Problem] = []
        self._parsed: dict[str, list[Obj]] = {}
        self.env = ""

    def build(self, env: str, folder: str) -> list[Built]:
        """The objects the overlay `folder` applies in `env`, each with its producing file."""
        self.env = env
        pieces = self._folder(folder)
        out = []
        for piece in pieces:
            namespace = _meta(piece.doc).get("namespace") or ""
            if piece.doc.get("kind") in CLUSTER_SCOPED:
                namespace = ""
            source = self.made_by.get(piece.file, self.src)
            out.append(Built(env, namespace, piece.doc, self.service, source))
            left = list(_placeholders(piece.doc, ""))
            if left:
                more = f" and {len(left) - 3} more" if len(left) > 3 else ""
                at = f"{', '.join(left[:3])}{more}"
                self._problem(
                    source,
                    f"{_shown(piece.doc, namespace)}: {at} still hold "
                    f"{ENV_PLACEHOLDER} after the overlay's patches",
                )
        return out

    def _folder(self, folder: str) -> list[Piece]:
        path = f"{folder}/{KUSTOMIZATION}"
        kustomization = self._docs(path)[0] if self._docs(path) else {}
        pieces: list[Piece] = []
        for entry in _strings(kustomization.get("resources")):
            pieces += self._resource(folder, entry, path)
        for patch in _dicts(kustomization.get("patches")):
            self._patch(folder, path, patch, pieces)
        namespace = kustomization.get("namespace")
        for piece in pieces if isinstance(namespace, str) and namespace else []:
            if piece.doc.get("kind") not in CLUSTER_SCOPED:
                piece.doc.setdefault("metadata", {})["namespace"] = namespace
        return pieces

    def _resource(self, folder: str, entry: str, kustomization: str) -> list[Piece]:
        path = posixpath.normpath(posixpath.join(folder, entry))
        if f"{path}/{KUSTOMIZATION}" in self.tree:
            return self._folder(path)
        if path in self.tree:
            return [Piece(copy.deepcopy(d), path) for d in self._docs(path)]
        source = self.made_by.get(kustomization, self.src)
        self._problem(source, f"{kustomization} lists resource {entry!r}, which is not rendered")
        return []

    def _patch(self, folder: str, kustomization: str, entry: Obj, pieces: list[Piece]) -> None:
        file = entry.get("path")
        if isinstance(file, str):
            loaded = _load(self.tree.get(posixpath.join(folder, file), "null"))
        else:
            loaded = _load(str(entry.get("patch") or "null"))
        target = entry.get("target")
        if not isinstance(target, dict) and isinstance(loaded, dict):  # strategic merge
            target = {"kind": loaded.get("kind"), "name": _meta(loaded).get("name")}
        target = target if isinstance(target, dict) else {}
        matched = [p for p in pieces if _matches(p.doc, target)]
        what = f"{kustomization} patch {file or '(inline)'}"
        if not matched:
            source = self._blame(kustomization, pieces, target.get("kind"))
            wanted = f"{target.get('kind')} {target.get('name')!r}"
            self._problem(source, f"{what} targets {wanted}, which matches no object it builds")
        for piece in matched:
            failed = _apply(piece.doc, loaded)
            if failed:
                source = self._blame(kustomization, [piece], piece.doc.get("kind"))
                self._problem(source, f"{what} cannot apply to {_shown(piece.doc, '')}: {failed}")

    def _blame(self, kustomization: str, pieces: list[Piece], kind: object) -> str:
        """The overlay's template when overridden, else an overridden template that made an
        object of the targeted kind (it renamed it), else the catalog file."""
        if kustomization in self.made_by:
            return self.made_by[kustomization]
        for piece in pieces:
            if piece.doc.get("kind") == kind and piece.file in self.made_by:
                return self.made_by[piece.file]
        return self.src

    def _docs(self, path: str) -> list[Obj]:
        found = self._parsed.get(path)
        if found is None:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            docs = yaml.load_all(self.tree.get(path, ""), Loader=loader)
            found = self._parsed[path] = [d for d in docs if isinstance(d, dict)]
        return found

    def _problem(self, source: str, message: str) -> None:
        self.problems.append(Problem(source, 1, 1, f"{self.service}[{self.env}]", message))


def _load(text: str) -> object:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = list(yaml.load_all(text, Loader=loader))
    return docs[0] if docs else None


def _matches(doc: Obj, target: Obj) -> bool:
    group, _, version = str(doc.get("apiVersion", "")).rpartition("/")
    wanted = {"group": group, "version": version, "kind": doc.get("kind")}
    for field, have in wanted.items():
        if target.get(field) not in (None, "") and target[field] != have:
            return False
    name = target.get("name")
    if isinstance(name, str) and name:
        try:  # kustomize reads a target's name as an anchored regular expression
            return re.fullmatch(name, _meta(doc).get("name") or "") is not None
        except re.error:
            return name == _meta(doc).get("name")
    return True


def _apply(doc: Obj, patch: object) -> str:
    """Apply JSON6902 ops (a list) or merge a strategic-merge document; "" or what failed."""
    if isinstance(patch, dict):
        _merge(doc, patch)
        return ""
    for op in patch if isinstance(patch, list) else []:
        if isinstance(op, dict):
            failed = _op(doc, op)
            if failed:
                return failed
    return ""


def _op(doc: Obj, op: Obj) -> str:
    kind, path = op.get("op"), str(op.get("path", ""))
    steps = [s.replace("~1", "/").replace("~0", "~") for s in path.split("/")[1:]]
    if kind not in {"add", "replace", "remove"} or not steps:
        return ""  # test/copy/move change no name kustomize checks here
    parent: Any = doc
    for step in steps[:-1]:
        parent = _child(parent, step)
        if parent is None:
            return f"{kind} {path}: no such path"
    last = steps[-1]
    if isinstance(parent, dict):
        if kind != "add" and last not in parent:
            return f"{kind} {path}: no such path"
        if kind == "remove":
            del parent[last]
        else:
            parent[last] = copy.deepcopy(op.get("value"))
        return ""
    if isinstance(parent, list):
        return _list_op(parent, kind, last, op, path)
    return f"{kind} {path}: no such path"


def _list_op(items: list[Any], kind: str, last: str, op: Obj, path: str) -> str:
    if kind == "add" and last == "-":
        items.append(copy.deepcopy(op.get("value")))
        return ""
    if not last.isdigit() or int(last) > len(items) - (kind != "add"):
        return f"{kind} {path}: no such path"
    index = int(last)
    if kind == "remove":
        del items[index]
    elif kind == "add":
        items.insert(index, copy.deepcopy(op.get("value")))
    else:
        items[index] = copy.deepcopy(op.get("value"))
    return ""


def _child(node: Any, step: str) -> Any:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and step.isdigit() and int(step) < len(node):
        return node[int(step)]
    return None


def _merge(doc: Obj, patch: Obj) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            _merge(doc[key], value)
        else:
            doc[key] = copy.deepcopy(value)


def _placeholders(node: object, path: str) -> Iterator[str]:
    """The JSON path of every string still carrying `_ENV_`."""
    if isinstance(node, str):
        if ENV_PLACEHOLDER in node:
            yield path or "/"
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _placeholders(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _placeholders(value, f"{path}/{index}")


def _shown(doc: Obj, namespace: str) -> str:
    where = namespace or _meta(doc).get("namespace") or ""
    name = _meta(doc).get("name") or ""
    return f"{doc.get('kind')} {where + '/' if where else ''}{name}"


def _meta(doc: Obj) -> Obj:
    meta = doc.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dicts(value: object) -> list[Obj]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
