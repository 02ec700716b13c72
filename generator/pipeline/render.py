"""render_catalog: every output family, in one pure pass, sorted by path.

The families come from their registry (`generator.families.registry`); each returns a
`FamilyResult`. The pipeline merges their files (a clash is a bug) and keeps the results,
which Argo CD, the workflows, `diff` and the consistency check read.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from generator.catalog.facts import Facts
from generator.catalog.load import Catalog
from generator.families import registry
from generator.parts.inventory import Inventory
from generator.parts.result import Results, Tree
from generator.pipeline import concurrency

OUT = "out"  # the `--out` folder (rendered/)
WORKFLOWS = "workflows"  # the GitOps repo's .github/workflows/
__all__ = ["OUT", "WORKFLOWS", "Rendered", "Tree", "render_all", "render_catalog"]


@dataclass(frozen=True)
class Rendered:
    trees: dict[str, Tree]  # {root: {path: text}}
    results: Results  # what each family of the `OUT` tree produced, as data

    @property
    def inventory(self) -> Inventory:
        """What the output produces and references, for `inventory.verify`."""
        return self.results.inventory()


PARALLEL_SERVICES = 200  # below this a worker process costs more than it wins


def render_all(catalog: Catalog) -> Rendered:
    """Every family, shared out between processes by cost: this process renders its share,
    the workers (if `concurrency` starts any) the rest, one family at a time; then the
    readers of their results, here."""
    facts = Facts(catalog)
    found = registry.families()
    mine, *theirs = shares([f.cost for f in found], concurrency.jobs())
    order = [*mine, *(i for group in theirs for i in group)]
    tasks = [functools.partial(found[i].render, facts) for i in order]
    parts = concurrency.run(
        tasks, units=len(facts.services), minimum=PARALLEL_SERVICES, here=len(mine)
    )
    done = dict(zip(order, parts, strict=True))
    results = [done[i] for i in range(len(found))]
    trees: dict[str, Tree] = {OUT: {}, WORKFLOWS: {}}
    for result in results:
        _merge(trees[OUT], result.files)
    for reader in registry.READERS:
        result = reader.render(facts, Results(tuple(results)))
        _merge(trees[reader.root], result.files)
        if reader.root == OUT:
            results.append(result)
    return Rendered({root: _sorted(tree) for root, tree in trees.items()}, Results(tuple(results)))


def shares(costs: list[int], jobs: int) -> list[list[int]]:
    """The families' indexes in at most `jobs` groups of about equal cost (the costliest
    first into the lightest group), each in the families' order."""
    groups: list[list[int]] = [[] for _ in range(max(1, min(jobs, len(costs))))]
    loads = [0] * len(groups)
    for index in sorted(range(len(costs)), key=lambda i: -costs[i]):
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += costs[index]
    return [sorted(group) for group in groups if group]


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
    """Path order: by parts, so `a/x` comes before `a-b/x` (as a file browser lists them).
    The key maps `/` below every other character: the same order as comparing the parts,
    at a fifth of the cost of splitting 160,000 paths (a path never holds a NUL)."""
    return dict(sorted(tree.items(), key=lambda item: item[0].replace("/", "\0")))
