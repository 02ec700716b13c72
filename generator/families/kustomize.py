"""Kustomize: per service a `base/` carrying `_ENV_`, one `overlays/<env>/` per env (seed 001).

The kustomization files are `templates/kustomize/{base,overlay}-kustomization.yaml.j2`, fed
`BaseView` / `OverlayView`; the resources and patches are the secret families' objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from generator.catalog.facts import Facts, header
from generator.catalog.models import Environment, Service
from generator.errors import UserError
from generator.parts.inventory import ObjectId
from generator.parts.kube import Obj, Parts, Patch, resource_file, yaml_file
from generator.parts.result import WAVE_SECRETS, AppSource, FamilyResult
from generator.templating.added import PER_ENV, PER_SERVICE, output_name
from generator.templating.context import scope
from generator.templating.engine import Templates, templates_for

ROOT = "kustomize"
BASE_TEMPLATE = "kustomize/base-kustomization.yaml.j2"
OVERLAY_TEMPLATE = "kustomize/overlay-kustomization.yaml.j2"


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


def overlay_dir(service: str, env: str) -> str:
    return f"{ROOT}/{service}/overlays/{env}"


def render(facts: Facts, families: list[Callable[[Facts, Service], Parts | None]]) -> FamilyResult:
    """Each service's base and overlays, the Secrets they create, and an app per overlay."""
    files: dict[str, str] = {}
    produced: dict[ObjectId, frozenset[str]] = {}
    apps: list[AppSource] = []
    templates = templates_for(facts.catalog)
    own = templates.added(PER_SERVICE) or templates.added(PER_ENV)
    for service in facts.services:
        found = [p for p in (family(facts, service) for family in families) if p is not None]
        if own and not found:  # the team's own files give every service a base
            found = [Parts({}, _no_patches)]
        if found:
            parts = merged(found)
            files.update(_service_tree(facts, service, parts, templates))
            for obj, keys in _produced(facts, service, parts):
                produced[obj] = produced.get(obj, frozenset()) | keys
            apps += _apps(facts, service)
    return FamilyResult(ROOT, files, tuple(apps), produced=produced)


def _no_patches(env: Environment) -> list[Patch]:
    return []


def merged(found: list[Parts]) -> Parts:
    """All families of one service in one base and one overlay per env: a family's files
    must never replace another's, nor its kustomization.yaml the other's resource list."""
    if len(found) == 1:
        return found[0]
    resources: dict[str, Obj | str] = {}
    secrets: dict[str, frozenset[str]] = {}
    for parts in found:
        clash = resources.keys() & parts.resources.keys()
        if clash:
            raise RuntimeError(f"two secret families render base/{sorted(clash)[0]}")
        resources.update(parts.resources)
        for name, keys in parts.secrets.items():
            secrets[name] = secrets.get(name, frozenset()) | keys

    def patches(env: Environment) -> list[Patch]:
        out = [patch for parts in found for patch in parts.patches(env)]
        files = [patch.file for patch in out]
        if len(set(files)) != len(files):
            raise RuntimeError(f"two secret families render overlays/{env.name} patches {files}")
        return out

    return Parts(resources, patches, secrets)


def _produced(
    facts: Facts, service: Service, parts: Parts
) -> Iterator[tuple[ObjectId, frozenset[str]]]:
    """The Secrets the service's objects create in each env (services may share one)."""
    for env in facts.envs:
        namespace = facts.deployed(service, env).namespace
        for name, keys in parts.secrets.items():
            yield ObjectId(env.name, namespace, "Secret", name), keys


def _apps(facts: Facts, service: Service) -> list[AppSource]:
    """The overlay of each env the service is deployed to: Argo CD syncs it."""
    return [
        AppSource(
            overlay_dir(service.name, env.name),
            env.name,
            service.name,
            role="secrets",
            wave=WAVE_SECRETS,
        )
        for env in facts.envs
        if facts.deployed(service, env).enabled
    ]


def _service_tree(
    facts: Facts, service: Service, parts: Parts, templates: Templates
) -> dict[str, str]:
    src = facts.source(service)
    head = header(src)
    base = f"{ROOT}/{service.name}/base"
    files = {f"{base}/{n}": resource_file(src, obj) for n, obj in parts.resources.items()}
    base_view = BaseView(service.name, tuple(sorted(parts.resources)))
    own = _own_files(templates, PER_SERVICE, base_view.resources, base=base_view, **scope(service))
    base_view = base_view._replace(resources=tuple(sorted((*base_view.resources, *own))))
    files.update({f"{base}/{name}": head + text for name, text in own.items()})
    files[f"{base}/kustomization.yaml"] = head + templates.render(
        BASE_TEMPLATE, base=base_view, **scope(service)
    )
    for env in facts.envs:
        out = overlay_dir(service.name, env.name)
        patches = parts.patches(env)
        overlay = OverlayView(
            service=service.name,
            env=env.name,
            namespace=facts.deployed(service, env).namespace,
            base="../../base",
            patches=tuple(_patch_view(p) for p in patches),
        )
        taken = tuple(p.file for p in patches)
        own = _own_files(templates, PER_ENV, taken, overlay=overlay, **scope(service, env))
        overlay = overlay._replace(resources=tuple(own))
        files.update({f"{out}/{name}": head + text for name, text in own.items()})
        files[f"{out}/kustomization.yaml"] = head + templates.render(
            OVERLAY_TEMPLATE, overlay=overlay, **scope(service, env)
        )
        for p in patches:
            files[f"{out}/{p.file}"] = yaml_file(src, p.ops)
    return files


def _own_files(
    templates: Templates, prefix: str, taken: tuple[str, ...], **context: object
) -> dict[str, str]:
    """The team's added templates under `prefix`, rendered: {file name: text}, sorted. One
    whose name the tool already writes in that folder is refused (it would replace it)."""
    out: dict[str, str] = {}
    for name in templates.added(prefix):
        target = output_name(name)
        if target in taken:
            shown = templates.shown_path(name)
            msg = f"would replace the generated {target}: give it another name"
            raise UserError.single(shown, "template", msg)
        out[target] = templates.render(name, **context)
    return out


def _patch_view(patch: Patch) -> PatchView:
    group, _, version = patch.api.rpartition("/")
    return PatchView(patch.file, group, version, patch.kind, patch.name)
