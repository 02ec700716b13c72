"""render_catalog: every output family, in one pure pass, sorted by path.

Each family returns a `FamilyResult`; the pipeline merges their files (a clash is a bug) and
keeps the results, which Argo CD, the workflows, `diff` and the consistency check read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator.backends import eso, secret_parts
from generator.backends import vault_objects as vault
from generator.catalog.facts import Facts
from generator.catalog.load import Catalog
from generator.families import (
    argocd,
    backstage,
    helm,
    kustomize,
    runbook,
    schemas,
    terraform,
    workflows,
)
from generator.parts.inventory import Inventory
from generator.parts.result import AppSource, FamilyResult, Results, Tree
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
    """Two halves of about equal time (`make profile`): the Kubernetes families here, the
    documents beside them (`concurrency` decides whether in a worker)."""
    facts = Facts(catalog)
    kubernetes, documents = concurrency.beside(
        lambda: _kubernetes_side(facts),
        lambda: _documents(facts),
        units=len(facts.services),
        minimum=PARALLEL_SERVICES,
    )
    results, out, chart_objects = kubernetes
    found_documents, workflow_files = documents
    for found in found_documents:
        result = found
        if found.family == "helm":  # the chart's objects, recorded with the Kubernetes side
            refs = tuple(chart_objects.references)
            result = replace(found, produced=chart_objects.produced, references=refs)
        results.append(result)
        _merge(out, result.files)
    trees = {OUT: _sorted(out), WORKFLOWS: _sorted(workflow_files)}
    return Rendered(trees, Results(tuple(results)))


def _documents(facts: Facts) -> tuple[list[FamilyResult], Tree]:
    """Families that need nothing from the Kubernetes ones; and the workflows, which read
    only these (is there Terraform to apply?)."""
    found = [
        _chart(facts),
        terraform.result(facts),
        FamilyResult("runbook", runbook.render(facts)),
        FamilyResult("schemas", schemas.render(facts)),
    ]
    return found, workflows.render(facts, Results(tuple(found)))


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
