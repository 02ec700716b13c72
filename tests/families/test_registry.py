"""The families' costs, by which the pipeline orders the tasks its processes take, know
what the repo overrides: an overridden chart is built by `helm template` per env, a tree
override builds the overlays."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.catalog.facts import Facts
from generator.catalog.load import load_catalog
from generator.families.registry import families
from generator.pipeline.render import both_ends
from tests.conftest import REPO_CATALOG
from tests.templating.test_overrides import built_in, override

CHART = "helm/deployment.yaml"
EXTERNAL_SECRET = "eso/externalsecret.yaml.j2"


def _costs(catalog: Path) -> tuple[dict[str, int], list[str]]:
    """Each family's cost, and the order the processes take them in (from either end)."""
    found = families()
    costs = [family.cost_for(Facts(load_catalog(catalog))) for family in found]
    order = [found[i].name for i in both_ends(costs)]
    return {family.name: cost for family, cost in zip(found, costs, strict=True)}, order


def test_an_overridden_chart_is_costed_as_helm_builds_it(tmp_path: Path) -> None:
    catalog = Path(shutil.copytree(REPO_CATALOG, tmp_path / "catalog"))
    plain, plain_order = _costs(catalog)
    assert "helm" not in (plain_order[0], plain_order[-1])  # the built-in chart: a light one
    override(catalog, CHART, built_in(CHART) + "\n")
    costs, order = _costs(catalog)
    assert costs["helm"] > sum(cost for name, cost in costs.items() if name != "helm")
    assert order[0] == "helm"  # taken first: the others render beside its helm runs
    assert costs["kustomize"] == plain["kustomize"]  # its trees are the built-ins'


def test_a_tree_override_costs_the_overlays_build(tmp_path: Path) -> None:
    catalog = Path(shutil.copytree(REPO_CATALOG, tmp_path / "catalog"))
    plain, _ = _costs(catalog)
    override(catalog, EXTERNAL_SECRET, built_in(EXTERNAL_SECRET) + "\n")
    costs, _ = _costs(catalog)
    assert costs["kustomize"] > plain["kustomize"]
    assert costs["helm"] == plain["helm"]
