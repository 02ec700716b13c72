"""The output families, in the order their results are kept: the one place that lists them.

A family is a module with a function of the catalog's `Facts` returning a `FamilyResult` (or
yielding it in pieces, `Family.render`); list it here (or, from outside the package,
`register` it). A backend type brings the families of its own objects
(`generator.backends.families`). Argo CD points an app at every folder a family declares
(`Family.apps`), from the catalog alone: it renders beside the others, like every family.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator import backends
from generator.catalog.facts import Facts
from generator.families import (
    argocd,
    backstage,
    helm,
    kustomize,
    runbook,
    schemas,
    template_record,
    terraform,
)
from generator.families import workflows as workflow_files
from generator.parts.family import Family
from generator.parts.result import AppSource, FamilyResult


def _kustomize(facts: Facts) -> FamilyResult:
    return kustomize.render(facts, [backends.secret_parts])


def _backstage(facts: Facts) -> FamilyResult:
    return FamilyResult("backstage", backstage.render(facts))


def _runbook(facts: Facts) -> FamilyResult:
    return FamilyResult("runbook", runbook.render(facts))


def _schemas(facts: Facts) -> FamilyResult:
    return FamilyResult("schemas", schemas.render(facts))


def _workflows(facts: Facts) -> FamilyResult:
    """The workflows go to the repo's workflows folder, not `rendered/`."""
    return FamilyResult("workflows", workflow_files.render(facts))


def _argocd(facts: Facts) -> FamilyResult:
    return argocd.render(facts, list(declared_apps(facts)))


def declared_apps(facts: Facts) -> Iterator[AppSource]:
    """The folders every family declares an Argo CD app syncs, in the families' order."""
    for family in families():
        if family.apps is not None:
            yield from family.apps(facts)


def _kustomize_cost(facts: Facts) -> int:
    """Overlays built (a template of the trees overridden): about twice the work."""
    return KUSTOMIZE_BUILT_COST if kustomize.builds_overlays(facts) else 14


def _helm_cost(facts: Facts) -> int:
    """An overridden chart is built by `helm template` per env, and its output read back:
    helm's own CPU (its children) counts, as it shares the same cores."""
    return HELM_BUILT_COST if helm.chart_overridden(facts) else 3


KUSTOMIZE_BUILT_COST = 30
HELM_BUILT_COST = 190
# cost: about the CPU time per service, the writes of its files included, relative to the
# others (`make profile`; with overrides, `bench/overrides.py`); the pipeline orders the
# tasks by it, the costliest at either end
BUILT_IN: tuple[Family, ...] = (
    Family("kustomize", _kustomize, cost=_kustomize_cost, per_service=True, apps=kustomize.apps),
    Family("backstage", _backstage, cost=2),
    Family("helm", helm.result, cost=_helm_cost, apps=helm.apps),
    Family("terraform", terraform.result, cost=4),
    Family("runbook", _runbook, cost=4, per_service=True),
    Family("schemas", _schemas, cost=0),
    Family("templates", template_record.result, cost=0),
    Family("argocd", _argocd, cost=2),
    Family("workflows", _workflows, cost=1, root="workflows"),
)
_registered: list[Family] = []


def register(family: Family) -> None:
    """Add a family from outside the package (a plug-in, a test); it renders after the
    built-in ones."""
    if family.name in {f.name for f in families()}:
        raise ValueError(f"a family named {family.name!r} is registered already")
    _registered.append(family)


def unregister(name: str) -> None:
    _registered[:] = [f for f in _registered if f.name != name]


def families() -> list[Family]:
    """Every family rendered from the catalog: the built-in ones, the backend types', then
    those registered."""
    return [*BUILT_IN[:1], *backends.families(), *BUILT_IN[1:], *_registered]
