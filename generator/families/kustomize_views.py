"""What the Kustomize family's kustomization templates see (`base`, `overlay`), and the
documents the built-in templates write for them: the overlay builder reads these instead of
parsing the text back (a test proves the templates write exactly them)."""

from __future__ import annotations

from typing import NamedTuple

from generator.parts.kube import Obj, Patch

KUSTOMIZATION_HEAD: Obj = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


class BaseView(NamedTuple):
    """What `kustomize/base-kustomization.yaml.j2` sees as `base`."""

    service: str
    resources: tuple[str, ...]  # file names in base/, sorted


class PatchView(NamedTuple):
    """One JSON6902 patch of an overlay: its file and the base object it targets."""

    path: str  # relative to the overlay folder
    group: str  # "" for the core API group
    version: str
    kind: str
    name: str


class OverlayView(NamedTuple):
    """What `kustomize/overlay-kustomization.yaml.j2` sees as `overlay`."""

    service: str
    env: str
    namespace: str
    base: str  # the base folder, relative to the overlay
    patches: tuple[PatchView, ...]
    resources: tuple[str, ...] = ()  # the team's own files in the overlay (`kustomize/env/`)


def base_kustomization(view: BaseView) -> Obj:
    """What the built-in base kustomization template writes for `view`, as a document."""
    return {**KUSTOMIZATION_HEAD, "resources": list(view.resources)}


def overlay_kustomization(view: OverlayView) -> Obj:
    """What the built-in overlay kustomization template writes for `view`, as a document."""
    patches = [
        {
            "path": p.path,
            "target": {
                **({"group": p.group} if p.group else {}),
                "version": p.version,
                "kind": p.kind,
                "name": p.name,
            },
        }
        for p in view.patches
    ]
    resources = [view.base, *view.resources]
    return {
        **KUSTOMIZATION_HEAD,
        "namespace": view.namespace,
        "resources": resources,
        "patches": patches,
    }


def patch_view(patch: Patch) -> PatchView:
    group, _, version = patch.api.rpartition("/")
    return PatchView(patch.file, group, version, patch.kind, patch.name)
