"""What a catalog change does to the output, read from the two rendered trees (base, head).

Reviewers see effects, not files: Argo CD apps added or pruned, Kubernetes objects per env,
Terraform secrets, parameters and roles created or DESTROYED, Vault policies widened or
narrowed and auth roles bound anew. Removals come first and loud: mass deletion through
Argo CD prune or a Terraform destroy is how a one-line catalog change becomes an incident
(argo-cd #9227).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.parts.result import Results, Tree
from generator.review import applied
from generator.review.change_access import access_changes
from generator.review.change_areas import (
    argocd_changes,
    helm_changes,
    kubernetes_changes,
    terraform_changes,
    vault_changes,
    vault_role_changes,
)
from generator.review.change_objects import object_changes
from generator.review.change_report import Change, ChangeReport

__all__ = ["Change", "ChangeReport", "Side", "compare", "diff_against"]


@dataclass(frozen=True)
class Side:
    """One side of the comparison: the rendered tree and its families' typed results."""

    tree: Tree
    results: Results


def diff_against(catalog_dir: Path, base: str) -> ChangeReport:
    """`diff --base REF`: render the catalog at REF and in the work tree, compare effects."""
    from generator.catalog.load import load_catalog
    from generator.pipeline.render import OUT, render_all
    from generator.review.gitref import catalog_at

    head_catalog = load_catalog(catalog_dir)
    base_catalog = catalog_at(catalog_dir, base)
    old = Side({}, Results(()))
    if base_catalog is not None:
        rendered = render_all(base_catalog)
        old = Side(rendered.trees[OUT], rendered.results)
    rendered = render_all(head_catalog)
    new = Side(rendered.trees[OUT], rendered.results)
    envs = [e.name for e in head_catalog.platform.environments]
    paths = [head_catalog.platform.renderedPath]
    if base_catalog is not None:
        envs += [e.name for e in base_catalog.platform.environments if e.name not in envs]
        paths.append(base_catalog.platform.renderedPath)
    return compare(old, new, envs, base, tuple(paths))


def compare(
    old: Side,
    new: Side,
    envs: list[str],
    base_label: str,
    rendered_paths: tuple[str, ...] = ("rendered",),
) -> ChangeReport:
    base, head = old.tree, new.tree
    kube, notes = _applied_changes(old, new, envs, rendered_paths)
    changes = sorted(
        {
            *argocd_changes(old.results, new.results, envs),
            *kube,
            *terraform_changes(old.results.terraform(), new.results.terraform()),
            *vault_changes(old.results.vault_grants(), new.results.vault_grants()),
            *vault_role_changes(old.results.vault_roles(), new.results.vault_roles()),
        }
    )
    changed = sum(1 for p in base.keys() | head.keys() if base.get(p) != head.get(p))
    return ChangeReport(base_label, changes, changed, notes)


def _applied_changes(
    old: Side, new: Side, envs: list[str], rendered_paths: tuple[str, ...]
) -> tuple[list[Change], tuple[str, ...]]:
    """Per object, as each env's apps would apply them; without helm or kubectl, the
    rendered files are compared instead and the report says so."""
    base, head = old.tree, new.tree
    missing = applied.missing_tools()
    if missing:
        note = f"{missing} not found: Kubernetes objects compared from rendered files, not "
        note += "as Argo CD would build them (install it for a per-object report)"
        return [*kubernetes_changes(base, head), *helm_changes(base, head, envs)], (note,)
    base_apps = applied.rendered_apps(old.results.applications(), envs, rendered_paths[-1])
    head_apps = applied.rendered_apps(new.results.applications(), envs, rendered_paths[0])
    found = object_changes(base, head, base_apps, head_apps)
    kube = [Change("kubernetes", c.env, c.action, c.what, c.detail) for c in found]
    return [*kube, *access_changes(base, head, envs, rendered_paths)], ()
