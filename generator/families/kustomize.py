"""Kustomize: per service a `base/` carrying `_ENV_`, one `overlays/<env>/` per env (seed 001).

The kustomization files are `templates/kustomize/{base,overlay}-kustomization.yaml.j2`, fed
`BaseView` / `OverlayView`; the resources and patches are the secret families' objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from generator.catalog.facts import Facts, header
from generator.catalog.models import Environment, Service
from generator.errors import UserError
from generator.families.kustomize_build import Overlays
from generator.families.kustomize_made import Made
from generator.families.kustomize_views import (
    BaseView,
    OverlayView,
    base_kustomization,
    overlay_kustomization,
    patch_view,
)
from generator.parts.inventory import Inventory, ObjectId
from generator.parts.kube import Obj, Parts, Patch, resource_file, yaml_file
from generator.parts.object_refs import record, referable
from generator.parts.ref_location import template_literal
from generator.parts.result import WAVE_SECRETS, AppSource, FamilyResult
from generator.templating.added import PER_ENV, PER_SERVICE, output_name
from generator.templating.context import scope
from generator.templating.engine import Templates, templates_for

ROOT = "kustomize"
BASE_TEMPLATE = "kustomize/base-kustomization.yaml.j2"
OVERLAY_TEMPLATE = "kustomize/overlay-kustomization.yaml.j2"


def overlay_dir(service: str, env: str) -> str:
    return f"{ROOT}/{service}/overlays/{env}"


def render(facts: Facts, families: list[Callable[[Facts, Service], Parts | None]]) -> FamilyResult:
    """Each service's base and overlays, the Secrets they create, and an app per overlay.
    Where an override renders a file of a service's tree, each of its overlays is also built
    as Argo CD builds it, and what its objects create and name goes to the consistency
    check."""
    files: dict[str, str] = {}
    objects = Inventory()
    templates = templates_for(facts.catalog)
    built = builds_overlays(facts)
    # a built chart or tree may name any tree's objects: those not built are told from
    # their base documents (`_base_produced`)
    named = any(name.startswith((*OVERRIDDEN, CHART)) for name in templates.override_names)
    own = _adds_files(templates)
    for service in facts.services:
        found = [p for p in (family(facts, service) for family in families) if p is not None]
        if not found and _has_tree(facts, service, own):  # the team's own files, say
            found = [Parts({}, _no_patches)]  # a base all the same: `apps` declares its app
        if found:
            parts = merged(found)
            made = Made(templates, built)
            tree = _service_tree(facts, service, parts, made)
            files.update(tree)
            for obj, keys in _produced(facts, service, parts):
                objects.produce(obj, keys)
            if made.overridden:
                _build(facts, service, tree, made=made, into=objects)
            elif named:
                for obj, keys in _base_produced(facts, service, parts, templates):
                    objects.produce(obj, keys)
    return FamilyResult(
        ROOT,
        files,
        produced=objects.produced,
        references=tuple(objects.references),
        problems=tuple(objects.problems),
        origins=objects.origins,
    )


# The templates a service's Kustomize tree comes from: overriding one builds its overlays
OVERRIDDEN = ("kustomize/", "eso/", "vault/")
CHART = "helm/"  # an overridden chart file: the chart is built, and what it names checked


def builds_overlays(facts: Facts) -> bool:
    """Is a template of the services' Kustomize trees overridden? Then the overlays of the
    trees it renders a file of are built, as Argo CD builds them."""
    names = templates_for(facts.catalog).override_names
    return any(name.startswith(OVERRIDDEN) for name in names)


def _build(
    facts: Facts,
    service: Service,
    tree: dict[str, str],
    *,
    made: Made,
    into: Inventory,
) -> None:
    """Each deployed env's overlay built from the objects already at hand (`Made`); the
    patch files are the families' ops, dumped as they are, so the builder takes the ops."""
    source = facts.source(service)
    overlays = Overlays(
        tree,
        service.name,
        made.by,
        source,
        patches=made.patches,
        held=made.documents,
        locate=partial(template_literal, facts.catalog),
    )
    for env in facts.envs:
        if facts.deployed(service, env).enabled:
            record(overlays.build(env.name, overlay_dir(service.name, env.name)), into)
    into.problems += overlays.problems


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

    def documents() -> dict[str, Obj]:
        return {n: d for parts in found if parts.documents for n, d in parts.documents().items()}

    return Parts(resources, patches, secrets, documents)


def _produced(
    facts: Facts, service: Service, parts: Parts
) -> Iterator[tuple[ObjectId, frozenset[str]]]:
    """The Secrets the service's objects create in each env it is deployed to (services may
    share one): an env where it is disabled has no overlay synced, so no Secret."""
    for env in facts.envs:
        deployed = facts.deployed(service, env)
        if deployed.enabled:
            for name, keys in parts.secrets.items():
                yield ObjectId(env.name, deployed.namespace, "Secret", name), keys


def _base_produced(
    facts: Facts, service: Service, parts: Parts, templates: Templates
) -> Iterator[tuple[ObjectId, frozenset[str]]]:
    """What a tree whose overlays are not built creates in each env it is deployed to,
    read from its base (an overlay sets the namespace and patches, never renames): what a
    built chart may run as or read, say the service's own ServiceAccount."""
    held = parts.documents() if parts.documents else {}
    docs: list[Obj] = []
    for name, resource in parts.resources.items():
        if name in held:
            docs.append(held[name])
        elif isinstance(resource, dict):
            docs.append(resource)
        else:
            docs += [doc for doc in templates.documents(resource) if isinstance(doc, dict)]
    found = [ids for ids in map(referable, docs) if ids is not None]
    for env in facts.envs:
        deployed = facts.deployed(service, env)
        if deployed.enabled:
            for kind, name, keys in found:
                yield ObjectId(env.name, deployed.namespace, kind, name), keys


def _adds_files(templates: Templates) -> bool:
    """Does the templates folder add files of its own to every service's tree?"""
    return bool(templates.added(PER_SERVICE) or templates.added(PER_ENV))


def apps(facts: Facts) -> Iterator[AppSource]:
    """The overlay of each env each service with a tree is deployed to: Argo CD syncs it."""
    own = _adds_files(templates_for(facts.catalog))
    for service in facts.services:
        if _has_tree(facts, service, own):
            yield from _apps(facts, service)


def _has_tree(facts: Facts, service: Service, own: bool) -> bool:
    """A service with secrets (its backend's objects) or, with the templates folder's own
    files, every service, has a tree."""
    return own or facts.secret_plan(service) is not None


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


def _service_tree(facts: Facts, service: Service, parts: Parts, made: Made) -> dict[str, str]:
    """The files; `made` keeps what rendered each (and the documents the overlays read)."""
    src, templates = facts.source(service), made.templates
    head = header(src)
    base = f"{ROOT}/{service.name}/base"
    files = {f"{base}/{n}": resource_file(src, obj) for n, obj in parts.resources.items()}
    docs = parts.documents() if made.building and parts.documents else {}
    for n, obj in parts.resources.items():
        made.note(f"{base}/{n}", obj, doc=docs.get(n))
    base_view = BaseView(service.name, tuple(sorted(parts.resources)))
    own = _own_files(templates, PER_SERVICE, base_view.resources, base=base_view, **scope(service))
    base_view = base_view._replace(resources=tuple(sorted((*base_view.resources, *own))))
    _add_own(files, made, base, head, own)
    text = templates.render(BASE_TEMPLATE, base=base_view, **scope(service))
    files[f"{base}/kustomization.yaml"] = head + text
    made.note(f"{base}/kustomization.yaml", text, BASE_TEMPLATE, base_kustomization(base_view))
    for env in facts.envs:
        out = overlay_dir(service.name, env.name)
        patches = parts.patches(env)
        overlay = OverlayView(
            service=service.name,
            env=env.name,
            namespace=facts.deployed(service, env).namespace,
            base="../../base",
            patches=tuple(patch_view(p) for p in patches),
        )
        taken = tuple(p.file for p in patches)
        own = _own_files(templates, PER_ENV, taken, overlay=overlay, **scope(service, env))
        overlay = overlay._replace(resources=tuple(own))
        _add_own(files, made, out, head, own)
        text = templates.render(OVERLAY_TEMPLATE, overlay=overlay, **scope(service, env))
        files[f"{out}/kustomization.yaml"] = head + text
        made.note(
            f"{out}/kustomization.yaml", text, OVERLAY_TEMPLATE, overlay_kustomization(overlay)
        )
        for p in patches:
            files[f"{out}/{p.file}"] = yaml_file(src, p.ops)
            made.patches[f"{out}/{p.file}"] = p.ops
    return files


def _add_own(
    files: dict[str, str], made: Made, folder: str, head: str, own: dict[str, str]
) -> None:
    for name, text in own.items():
        files[f"{folder}/{name}"] = head + text
        made.note(f"{folder}/{name}", text)


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
