"""A service's overlays built from the rendered text, as `kubectl kustomize` builds them.

Used only where a template of a service's Kustomize tree is overridden (the built-ins are
consistent by construction, and a plain render needs no kubectl). It reads what the tree
says: `resources` (files and folders), `namespace`, and `patches` (JSON6902 ops against a
`target`, or a strategic-merge document naming its object); labels and annotations a
kustomization adds name nothing, so they are left out. An overridden kustomization using a
field beyond these (`namePrefix`, generators, `components`...) is built by kubectl itself,
and needs it. A patch whose target matches no
object, an op whose path is not there, and `_ENV_` left in a built object are problems
naming the env, the object and the file that produced it.
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator.catalog.templates import ENV_PLACEHOLDER
from generator.errors import Problem, unlocated
from generator.families.kustomize_patch import apply, matches
from generator.parts.object_refs import Built
from generator.text.yamlin import load_all

Obj = dict[str, Any]
# (an override's shown path, a YAML key, a value) -> where that file writes `key: value`
Locate = Callable[[str, str, str], tuple[int, int] | None]
CLUSTER_SCOPED = frozenset({"Namespace", "ClusterSecretStore", "ClusterRole", "ClusterRoleBinding"})
KUSTOMIZATION = "kustomization.yaml"
# The fields built here; one that renames or adds objects (`namePrefix`, generators,
# `components`, `replacements`...) in an overridden kustomization is left to kustomize itself.
MODELED = frozenset(
    {
        "apiVersion",
        "kind",
        "metadata",
        "resources",
        "namespace",
        "patches",
        "labels",
        "commonLabels",
        "commonAnnotations",
        "images",
        "replicas",
        "buildMetadata",
        "sortOptions",
    }
)


@dataclass
class Piece:
    """One object of an overlay. Its document shares with the file's parse all it does not
    change: its top level and metadata (where a namespace goes) are its own, and a patch
    copies what it changes (`kustomize_patch`)."""

    doc: Obj
    file: str  # the rendered file it came from


class Overlays:
    """One service's tree: build each env's overlay, keeping what went wrong."""

    def __init__(
        self,
        tree: dict[str, str],
        service: str,
        made_by: dict[str, str],
        src: str,
        *,
        patches: Mapping[str, object] | None = None,  # patch file -> its data, not parsed
        held: Mapping[str, list[Obj]] | None = None,  # file -> its documents, not parsed
        locate: Locate | None = None,
    ) -> None:
        self.tree, self.service, self.made_by, self.src = tree, service, made_by, src
        self.patches = patches or {}
        self.locate = locate
        self.problems: list[Problem] = []
        self._parsed: dict[str, list[Obj]] = dict(held or {})
        self.env = ""

    def build(self, env: str, folder: str) -> list[Built]:
        """The objects the overlay `folder` applies in `env`, each with its producing file."""
        self.env = env
        unmodeled = self._unmodeled()
        pieces = self._kustomize(folder, *unmodeled) if unmodeled else self._folder(folder)
        out = []
        for piece in pieces:
            namespace = _meta(piece.doc).get("namespace") or ""
            if piece.doc.get("kind") in CLUSTER_SCOPED:
                namespace = ""
            source = self.made_by.get(piece.file, self.src)
            out.append(Built(env, namespace, piece.doc, self.service, source))
            # repr is C-fast, and shows every string whole (no escape splits the marker)
            left = list(_placeholders(piece.doc, "")) if ENV_PLACEHOLDER in repr(piece.doc) else []
            if left:
                more = f" and {len(left) - 3} more" if len(left) > 3 else ""
                at = f"{', '.join(left[:3])}{more}"
                self._problem(
                    source,
                    f"{_shown(piece.doc, namespace)}: {at} still hold "
                    f"{ENV_PLACEHOLDER} after the overlay's patches",
                )
        return out

    def _unmodeled(self) -> tuple[str, list[str]] | tuple[()]:
        """An overridden kustomization of the tree holding a field not modeled here."""
        for path in sorted(self.made_by):
            docs = self._docs(path) if path.endswith("/" + KUSTOMIZATION) else []
            odd = sorted(set(docs[0]) - MODELED) if docs else []
            if odd:
                return path, odd
        return ()

    def _kustomize(self, folder: str, path: str, fields: list[str]) -> list[Piece]:
        """The overlay built by `kubectl kustomize` itself, every object blamed on `path`."""
        source = self.made_by[path]
        command = kustomize_command()
        if command is None:
            self._problem(
                source,
                f"{path} uses {', '.join(fields)}: render builds such an overlay with "
                "`kubectl kustomize` (or `kustomize build`) as Argo CD does, and needs kubectl "
                "on PATH; install kubectl",
            )
            return []
        with tempfile.TemporaryDirectory(prefix="gitops-gen-kustomize-") as tmp:
            for rel, text in self.tree.items():
                (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / rel).write_text(text, encoding="utf-8")
            cmd = [*command, str(Path(tmp) / folder)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            first = next((line for line in done.stderr.splitlines() if line.strip()), "failed")
            self._problem(source, f"{' '.join(command)} {folder} failed: {first}")
            return []
        docs = load_all(done.stdout)
        return [Piece(doc, path) for doc in docs if isinstance(doc, dict)]

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
        path = _resolved(folder, entry)
        if f"{path}/{KUSTOMIZATION}" in self.tree:
            return self._folder(path)
        if path in self.tree:
            return [Piece(_fresh(d), path) for d in self._docs(path)]
        source = self.made_by.get(kustomization, self.src)
        self._problem(source, f"{kustomization} lists resource {entry!r}, which is not rendered")
        return []

    def _patch(self, folder: str, kustomization: str, entry: Obj, pieces: list[Piece]) -> None:
        file = entry.get("path")
        path = posixpath.join(folder, file) if isinstance(file, str) else ""
        if path in self.patches:
            loaded = self.patches[path]
        elif isinstance(file, str):
            loaded = _load(self.tree.get(path, "null"))
        else:
            loaded = _load(str(entry.get("patch") or "null"))
        target = entry.get("target")
        if not isinstance(target, dict) and isinstance(loaded, dict):  # strategic merge
            target = {"kind": loaded.get("kind"), "name": _meta(loaded).get("name")}
        target = target if isinstance(target, dict) else {}
        matched = [p for p in pieces if matches(p.doc, target)]
        what = f"{kustomization} patch {file or '(inline)'}"
        if not matched:
            source = self._blame(kustomization, pieces, target.get("kind"))
            wanted = f"{target.get('kind')} {target.get('name')!r}"
            at = self._named_at(source, kustomization, pieces, target)
            msg = f"{what} targets {wanted}, which matches no object it builds"
            self._problem(source, msg, at)
        for piece in matched:
            failed = apply(piece.doc, loaded)
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

    def _named_at(
        self, source: str, kustomization: str, pieces: list[Piece], target: Obj
    ) -> tuple[int, int] | None:
        """Where `source` writes the name that no longer matches, when it writes it literally:
        the patch target's name in the overlay's override, or the renamed object's name in
        the override that made it."""
        if self.locate is None:
            return None
        if self.made_by.get(kustomization) == source:
            wanted = target.get("name")
            return self.locate(source, "name", wanted) if isinstance(wanted, str) else None
        for piece in pieces:
            name = _meta(piece.doc).get("name")
            kind_matches = piece.doc.get("kind") == target.get("kind")
            if kind_matches and self.made_by.get(piece.file) == source and isinstance(name, str):
                return self.locate(source, "name", name)
        return None

    def _docs(self, path: str) -> list[Obj]:
        found = self._parsed.get(path)
        if found is None:
            docs = load_all(self.tree.get(path, ""))
            found = self._parsed[path] = [d for d in docs if isinstance(d, dict)]
        return found

    def _problem(self, source: str, message: str, at: tuple[int, int] | None = None) -> None:
        """At the line `at` of `source`, else at no line (never an invented `1:1`)."""
        field = f"{self.service}[{self.env}]"
        if at is None:
            self.problems.append(unlocated(source, field, message))
        else:
            self.problems.append(Problem(source, at[0], at[1], field, message))


@lru_cache(maxsize=256)  # every env's overlay lists the same base and its resources
def _resolved(folder: str, entry: str) -> str:
    return posixpath.normpath(posixpath.join(folder, entry))


def _load(text: str) -> object:
    docs = load_all(text)
    return docs[0] if docs else None


def kustomize_command() -> list[str] | None:
    """`kubectl kustomize` (kustomize v5 in kubectl), else the standalone `kustomize build`."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    return None


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


def _fresh(doc: Obj) -> Obj:
    """`doc` with its own top level and metadata: what every env's overlay changes."""
    out = dict(doc)
    if isinstance(out.get("metadata"), dict):
        out["metadata"] = dict(out["metadata"])
    return out


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
