"""render_catalog: every output family, in one pure pass, sorted by path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

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

Tree = dict[PurePosixPath, str]
OUT = "out"  # the `--out` folder (rendered/)
WORKFLOWS = "workflows"  # the GitOps repo's .github/workflows/


@dataclass(frozen=True)
class Rendered:
    trees: dict[str, Tree]  # {root: {path: text}}
    inventory: Inventory  # what the output produces and references, for `consistency.verify`


def render_all(catalog: Catalog) -> Rendered:
    facts = Facts(catalog)
    inventory = Inventory()
    out: Tree = {}
    out.update(kustomize.render(facts, [eso.parts, vault.parts], inventory))
    out.update(vault.render(facts))
    out.update(eso.render_cluster_stores(facts))
    out.update(helm.render(facts))
    helm.record(facts, inventory)
    out.update(terraform.render(facts))
    out.update(argocd.render(facts, out))
    out.update(backstage.render(facts))
    out.update(runbook.render(facts))
    out.update(schemas.render(facts))
    return Rendered(
        {OUT: _sorted(out), WORKFLOWS: _sorted(workflows.render(facts, out))}, inventory
    )


def render_catalog(catalog: Catalog) -> dict[str, Tree]:
    """`{root: {path: text}}` for every root the tool writes; nothing touches disk."""
    return render_all(catalog).trees


def _sorted(tree: Tree) -> Tree:
    return dict(sorted(tree.items()))
