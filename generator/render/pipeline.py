"""render_catalog: every output family, in one pure pass, sorted by path.

Each family returns a `FamilyResult`; the pipeline merges their files (a clash is a bug) and
keeps the results, which Argo CD, the workflows, `diff` and the consistency check read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from generator import held, parallel
from generator.backends import secret_parts
from generator.catalog.load import Catalog
from generator.consistency import Inventory
from generator.held import Held
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
from generator.render.result import AppSource, FamilyResult, Results, Tree

OUT = "out"  # the `--out` folder (rendered/)
WORKFLOWS = "workflows"  # the GitOps repo's .github/workflows/
__all__ = ["OUT", "WORKFLOWS", "Rendered", "Tree", "render_all", "render_catalog"]


@dataclass(frozen=True)
class Rendered:
    trees: dict[str, Tree]  # {root: {path: text}}
    results: Results  # what each family of the `OUT` tree produced, as data
    held: Held | None = None  # more `OUT` files, kept by the process that rendered them

    @property
    def inventory(self) -> Inventory:
        """What the output produces and references, for `consistency.verify`."""
        return self.results.inventory()


def render_all(
    catalog: Catalog, *, hold: bool = False, check: Callable[[], None] = lambda: None
) -> Rendered:
    """`hold`: for a large catalog, the forked documents process keeps its files
    (`Rendered.held`, which the caller closes): it compares them with the disk, hands over
    the texts a report asks for, and writes them, instead of passing them all back. `check`
    (the rules across services) runs while that process renders already, and stops it."""
    facts = Facts(catalog)
    split = parallel.worth_it(len(facts.services), minimum=200)
    if not (split and hold):
        check()  # before anything is rendered
    pending = parallel.start(lambda _parent: _documents(facts)) if split and not hold else None
    pending_held = held.start(lambda: _kept(facts)) if split and hold else None
    try:
        if pending_held is not None:
            check()
        results, out, chart_objects = _kubernetes_side(facts)
    except BaseException:
        if pending_held is not None:  # nobody will ask for its files: stop it now
            pending_held.cancel()
        raise
    kept_by: Held | None = None
    if pending_held is not None:
        (found_documents, workflow_files), kept_by = pending_held.result()
        clash = out.keys() & kept_by.paths
        if clash:
            kept_by.close()
            raise RuntimeError(f"two output families render {sorted(clash)[:3]}")
    else:
        found_documents, workflow_files = pending() if pending else _documents(facts)
    for found in found_documents:
        result = found
        if found.family == "helm":  # the chart's objects, recorded in this process
            refs = tuple(chart_objects.references)
            result = replace(found, produced=chart_objects.produced, references=refs)
        results.append(result)
        _merge(out, result.files)
    done = Results(tuple(results))
    trees = {OUT: _sorted(out), WORKFLOWS: _sorted(workflow_files)}
    return Rendered(trees, done, kept_by)


def _documents(facts: Facts) -> tuple[list[FamilyResult], Tree]:
    """Families that need nothing from the Kubernetes ones, run beside them; and the
    workflows, which read only these (is there Terraform to apply?). The split is by
    measured time (`make profile`): each process gets about half."""
    found = [
        _chart(facts),
        terraform.result(facts),
        FamilyResult("runbook", runbook.render(facts)),
        FamilyResult("schemas", schemas.render(facts)),
    ]
    return found, workflows.render(facts, Results(tuple(found)))


def _kept(facts: Facts) -> tuple[tuple[list[FamilyResult], Tree], Tree]:
    """`_documents` for a process that keeps the files: the results without their text."""
    found, flows = _documents(facts)
    texts: Tree = {}
    for result in found:
        _merge(texts, result.files)
    return ([replace(r, files={}) for r in found], flows), texts


def _kubernetes_side(facts: Facts) -> tuple[list[FamilyResult], Tree, Inventory]:
    """The families this process renders while the other renders the documents."""
    results = [
        kustomize.render(facts, [secret_parts]),
        vault.result(facts),
        _stores(facts),
        FamilyResult("backstage", backstage.render(facts)),
    ]
    chart_objects = Inventory()
    helm.record(facts, chart_objects)
    out: Tree = {}
    for result in results:
        _merge(out, result.files)
    # Argo CD points only at the kustomize folders and the stores rendered above (and the
    # chart, by name): it runs here, while the other process still renders the documents.
    sources = [app for result in results for app in result.apps]
    results.append(argocd.render(facts, sources))
    _merge(out, results[-1].files)
    return results, out, chart_objects


def _chart(facts: Facts) -> FamilyResult:
    """The chart; its value files hold one block per service."""
    root = helm.chart_dir(facts)
    names = ["values.yaml", *(helm.values_file(env.name) for env in facts.envs)]
    per_service = frozenset(f"{root}/{name}" for name in names)
    return FamilyResult("helm", helm.render(facts), per_service=per_service)


def _stores(facts: Facts) -> FamilyResult:
    """The ClusterSecretStores: one folder, synced by one app per env."""
    files = eso.render_cluster_stores(facts)
    apps = (AppSource(eso.STORES_DIR),) if files else ()
    return FamilyResult("eso-stores", files, apps)


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
