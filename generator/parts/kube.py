"""Shared shapes of Kubernetes output: object metadata, files with headers, kustomize parts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from generator.catalog.facts import PART_OF_LABEL, header
from generator.catalog.models import Environment
from generator.text.yamlout import dump, dump_all

Obj = dict[str, Any]
BACKSTAGE_LABEL = "backstage.io/kubernetes-id"


def meta(name: str, namespace: str | None, system: str, service: str | None = None) -> Obj:
    labels = {PART_OF_LABEL: system, "app.kubernetes.io/managed-by": "gitops-gen"}
    if service:
        labels["app.kubernetes.io/name"] = service
        labels[BACKSTAGE_LABEL] = service  # what the service's catalog-info.yaml selects on
    out: Obj = {"name": name}
    if namespace:
        out["namespace"] = namespace
    out["labels"] = dict(sorted(labels.items()))
    return out


def managed(metadata: Obj, label: str) -> Obj:
    """Add seed 001's force-sync label (`Facts.managed_label`), the post-deploy selector."""
    metadata["labels"] = dict(sorted({**metadata["labels"], label: "true"}.items()))
    return metadata


class MetaView(NamedTuple):
    """An object's metadata as a template sees it: `meta.name`, `meta.namespace` ("" for a
    cluster-scoped object), `meta.labels` ((key, value) pairs, sorted)."""

    name: str
    namespace: str
    labels: tuple[tuple[str, str], ...]


def meta_view(metadata: Obj) -> MetaView:
    """`meta(...)`'s (or `managed(meta(...))`'s) metadata as a view."""
    return MetaView(
        metadata["name"], metadata.get("namespace", ""), tuple(metadata["labels"].items())
    )


def view_document(api: str, kind: str, view: MetaView, annotations: Obj | None = None) -> Obj:
    """The head of what a built-in template writes from a `MetaView` (`metadata:` with name,
    namespace, labels and any `annotations`), as a document: add its `spec`."""
    metadata: Obj = {"name": view.name, "namespace": view.namespace, "labels": dict(view.labels)}
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"apiVersion": api, "kind": kind, "metadata": metadata}


def resource_file(source: str, resource: Mapping[str, Any] | str) -> str:
    """A resource's file: text a template rendered, or a document dumped."""
    if isinstance(resource, str):
        return header(source) + resource
    return yaml_file(source, resource)


def yaml_file(source: str, doc: Mapping[str, Any] | Sequence[Any]) -> str:
    return header(source) + dump(doc)


def yaml_docs(source: str, docs: Sequence[Mapping[str, Any]]) -> str:
    return header(source) + dump_all(docs)


@dataclass(frozen=True)
class Patch:
    """A JSON6902 patch an overlay applies to one base object."""

    file: str
    api: str  # group/version
    kind: str
    name: str
    ops: list[Obj]


@dataclass(frozen=True)
class Parts:
    """What a secret family puts in a service's Kustomize base, and how each env patches it."""

    resources: dict[str, Obj | str]  # file name in base/ -> a document, or rendered text
    patches: Callable[[Environment], list[Patch]]
    secrets: dict[str, frozenset[str]] = field(default_factory=dict)  # Secret name -> its keys
    # file name in base/ -> the document its built-in template's text holds, asked for only
    # where the overlays are built (they read it instead of parsing the text back)
    documents: Callable[[], dict[str, Obj]] | None = None
