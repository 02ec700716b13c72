"""render_catalog: every output family, in one pure pass, sorted by path."""

from __future__ import annotations

from pathlib import PurePosixPath

from generator.catalog.load import Catalog
from generator.render import eso, kustomize
from generator.render.facts import Facts

Tree = dict[PurePosixPath, str]
OUT = "out"  # the `--out` folder (rendered/)
WORKFLOWS = "workflows"  # the GitOps repo's .github/workflows/


def render_catalog(catalog: Catalog) -> dict[str, Tree]:
    """`{root: {path: text}}` for every root the tool writes; nothing touches disk."""
    facts = Facts(catalog)
    out: Tree = {}
    out.update(kustomize.render(facts, [eso.parts]))
    out.update(eso.render_cluster_stores(facts))
    workflows: Tree = {}
    return {OUT: _sorted(out), WORKFLOWS: _sorted(workflows)}


def _sorted(tree: Tree) -> Tree:
    return dict(sorted(tree.items()))
