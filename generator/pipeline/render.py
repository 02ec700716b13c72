"""render_catalog: every output family, in one pure pass, sorted by path.

The families come from their registry (`generator.families.registry`); each returns a
`FamilyResult`. The pipeline merges their files (a clash is a bug) and keeps the results,
which `diff`, the stray-file check and the consistency check read.

A `sink` streams the `OUT` tree instead of keeping it: each family's result goes through it
in the process that rendered the family (a worker, or this one), and only what the sink
returns is kept: the writer compares and stages a family's files there and sends back their
names, so no process ever holds the whole tree's text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from generator import concurrency
from generator.catalog.facts import Facts
from generator.catalog.load import Catalog
from generator.families import registry
from generator.parts.family import Family
from generator.parts.inventory import Inventory
from generator.parts.result import FamilyResult, Results, Tree, merge_results, path_order

OUT = "out"  # the `--out` folder (rendered/)
WORKFLOWS = "workflows"  # the GitOps repo's .github/workflows/
__all__ = ["OUT", "WORKFLOWS", "Rendered", "Sink", "Tree", "render_all", "render_catalog"]

# What becomes of one family's `OUT` files where it was rendered: anything picklable, which
# travels back instead of the files (see the module's docstring)
Sink = Callable[[FamilyResult], Any]


@dataclass(frozen=True)
class Rendered:
    trees: dict[str, Tree]  # {root: {path: text}}
    results: Results  # what each family of the `OUT` tree produced, as data
    sunk: tuple[Any, ...] = field(default=())  # with a sink: what it returned, per piece

    @property
    def inventory(self) -> Inventory:
        """What the output produces and references, for `inventory.verify`."""
        return self.results.inventory()


PARALLEL_SERVICES = 200  # below this a worker process costs more than it wins
SLICE = 500  # services per task of a family that renders each service apart


def render_all(
    catalog: Catalog, sink: Sink | None = None, first: Callable[[], None] | None = None
) -> Rendered:
    """Every family, shared out between processes: the workers (if `concurrency` starts any)
    and this process take tasks (a family, or a slice of a per-service family's services)
    from either end of one list, the costliest at the ends. `first`: what this process does
    before its first task, while the workers begin (the catalog's rules across files): if it
    raises, the render stops and nothing comes of it.
    With a `sink`, the `OUT` tree is its business (the returned `OUT` tree is empty)."""
    facts = Facts(catalog)
    found = registry.families()
    work = [(i, part) for i, family in enumerate(found) for part in _slices(family, facts)]
    cost = [family.cost_for(facts) for family in found]
    order = both_ends([cost[i] * len(part.services) for i, part in work])
    tasks = [functools.partial(_render, found[work[i][0]], work[i][1], sink) for i in order]
    parts = concurrency.run(
        tasks, units=len(facts.services), minimum=PARALLEL_SERVICES, here=None, first=first
    )
    done = dict(zip(order, parts, strict=True))
    results = []
    trees: dict[str, Tree] = {OUT: {}, WORKFLOWS: {}}
    for index, family in enumerate(found):
        slices = [done[t] for t, (i, _) in enumerate(work) if i == index]
        result = merge_results([result for result, _ in slices])
        _merge(trees[family.root], result.files)
        if family.root == OUT:
            results.append(result)
    streamed = [t for t, (i, _) in enumerate(work) if found[i].root == OUT]
    sunk = [outcome for t in streamed for outcome in done[t][1]]
    trees = {root: _sorted(tree) for root, tree in trees.items()}
    return Rendered(trees, Results(tuple(results)), tuple(sunk) if sink else ())


def _slices(family: Family, facts: Facts) -> list[Facts]:
    """The facts each task of `family` renders from: all of them, or (a per-service family
    of a large catalog) slices of `SLICE` services."""
    services = facts.services
    if not family.per_service or len(services) <= SLICE:
        return [facts]
    return [facts.only(services[i : i + SLICE]) for i in range(0, len(services), SLICE)]


def _render(family: Family, facts: Facts, sink: Sink | None) -> tuple[FamilyResult, list[Any]]:
    """One family's result, through the sink where it was rendered (a worker's task), a
    piece at a time when it comes in pieces: what the sink returned for each. Only the `OUT`
    tree goes to the sink."""
    made = family.render(facts)
    pieces = [made] if isinstance(made, FamilyResult) else made
    if family.root != OUT:
        sink = None
    # `map` lets go of each piece once sunk, before the next is made (a loop variable
    # would hold it meanwhile)
    done = list(map(functools.partial(_sunk, sink=sink), pieces))
    return merge_results([result for result, _ in done]), [outcome for _, outcome in done]


def _sunk(result: FamilyResult, sink: Sink | None) -> tuple[FamilyResult, Any]:
    if sink is None:
        return result, None
    return replace(result, files={}), sink(result)


def both_ends(costs: list[int]) -> list[int]:
    """The tasks' indexes, the costliest at either end and the cheapest in the middle: the
    workers take tasks from the front and this process from the back (`concurrency.run`),
    so what is left when they meet, and the wait for it, is small."""
    front: list[int] = []
    back: list[int] = []
    for rank, index in enumerate(sorted(range(len(costs)), key=lambda i: (-costs[i], i))):
        (back if rank % 2 else front).append(index)
    return [*front, *reversed(back)]


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
    return dict(sorted(tree.items(), key=lambda item: path_order(item[0])))
