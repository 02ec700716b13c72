"""render_catalog: every output family, in one pure pass, sorted by path."""

from __future__ import annotations

from dataclasses import dataclass

from generator import parallel
from generator.backends import secret_parts
from generator.catalog.load import Catalog
from generator.consistency import Inventory
from generator.render import (
    argocd,
    backstage,
    eso,
    helm,
    kustomize,
    runbook,
    schemas,
    terraform,
    vault,
    workflows,
)
from generator.render.facts import Facts

Tree = dict[str, str]  # relative POSIX path -> text; plain str keys (pathlib cost 0.1 s)
OUT = "out"  # the `--out` folder (rendered/)
WORKFLOWS = "workflows"  # the GitOps repo's .github/workflows/


@dataclass(frozen=True)
class Rendered:
    trees: dict[str, Tree]  # {root: {path: text}}
    inventory: Inventory  # what the output produces and references, for `consistency.verify`


def render_all(catalog: Catalog) -> Rendered:
    facts = Facts(catalog)
    inventory = Inventory()

    def documents(_parent: int = 0) -> Tree:
        """Families that need nothing from the others: run beside the Kubernetes ones."""
        part: Tree = {}
        for family in (helm.render, terraform.render, backstage.render, runbook.render):
            _merge(part, family(facts))
        _merge(part, schemas.render(facts))
        return part

    split = parallel.worth_it(len(facts.services), minimum=200)
    pending = parallel.start(documents) if split else None
    out: Tree = {}
    _merge(out, kustomize.render(facts, [secret_parts], inventory))
    _merge(out, vault.render(facts))
    _merge(out, eso.render_cluster_stores(facts))
    helm.record(facts, inventory)
    # Argo CD points only at the kustomize folders and the stores rendered above (and the
    # chart, by name): it runs here, while the other process still renders the documents.
    _merge(out, argocd.render(facts, out))
    _merge(out, pending() if pending else documents())
    return Rendered(
        {OUT: _sorted(out), WORKFLOWS: _sorted(workflows.render(facts, out))}, inventory
    )


def _merge(tree: Tree, part: Tree) -> None:
    """Two families must never write the same file: that would silently drop one."""
    clash = tree.keys() & part.keys()
    if clash:
        raise RuntimeError(f"two output families render {sorted(map(str, clash))[:3]}")
    tree.update(part)


def render_catalog(catalog: Catalog) -> dict[str, Tree]:
    """`{root: {path: text}}` for every root the tool writes; nothing touches disk."""
    return render_all(catalog).trees


def _sorted(tree: Tree) -> Tree:
    """Path order: by parts, so `a/x` comes before `a-b/x` (as a file browser lists them)."""
    return dict(sorted(tree.items(), key=lambda item: item[0].split("/")))
